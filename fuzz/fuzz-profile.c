/*
 * libFuzzer target over congo's profile front-ends: load, include, ${NAME},
 * validate, merge, finalize, print and load back, for YAML and libconfig.
 * The first byte of an input picks the format and the mode (profile-check.h);
 * fuzz/run.sh runs it, `make fuzz` builds it.
 *
 * A broken property is a crash: abort() with the report, so that libFuzzer
 * saves the input. Memory errors and leaks are ASan's and LSan's to report.
 */
#include "profile-check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (profile_check_init() < 0) {
        perror("fuzz-profile: cannot make a private directory");
        exit(1);
    }
    atexit(profile_check_cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *fail = profile_check(data, size);
    if (fail) {
        fprintf(stderr, "fuzz-profile: %s\n", fail);
        free(fail);
        abort();
    }
    return 0;
}
