/*
 * libFuzzer target over the seccomp file reader (src/profile/seccomp-file.c):
 * the input is a seccomp file, read onto an empty list and onto the default
 * one. fuzz/run.sh runs it as the `seccomp` format, `make fuzz` builds it.
 *
 * The properties, each a crash (abort with the report) when broken:
 * - a file with errors leaves the list as it was, and every error is located
 *   in the file (its path, a line no later than the file's last);
 * - a file without errors gives rules with an errno the kernel can return
 *   (1 to 4095) and a system call libseccomp knows;
 * - reading is a function of the text: a second read gives the same rules.
 * Memory errors and leaks are ASan's and LSan's to report.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile/seccomp-file.h"
#include "util/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dir, *path;
static struct seccomp_rules default_rules; /* made once: libseccomp resolves every name */

static void cleanup(void)
{
    seccomp_rules_free(&default_rules);
    if (path)
        unlink(path);
    if (dir)
        rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    char *templ = xasprintf("%s/congo-fuzz-seccomp-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    dir = mkdtemp(templ);
    if (!dir) {
        perror("fuzz-seccomp: cannot make a private directory");
        exit(1);
    }
    path = xasprintf("%s/rules.seccomp", dir);
    seccomp_rules_default(&default_rules);
    atexit(cleanup);
    return 0;
}

static _Noreturn void broken(const char *what, const uint8_t *data, size_t size)
{
    fprintf(stderr, "fuzz-seccomp: %s\n--- the file:\n%.*s\n---\n", what, (int)size, data);
    abort();
}

static bool same_rules(const struct seccomp_rules *a, const struct seccomp_rules *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].syscall != b->v[i].syscall || a->v[i].err != b->v[i].err ||
            a->v[i].has_arg != b->v[i].has_arg || a->v[i].arg1 != b->v[i].arg1)
            return false;
    return true;
}

/* Read the file onto a copy of base, and check what came back. */
static void check_onto(const struct seccomp_rules *base, const uint8_t *data, size_t size,
                       int lines)
{
    struct seccomp_rules r = {0}, again = {0};
    for (size_t i = 0; i < 2; i++) {
        struct seccomp_rules *into = i ? &again : &r;
        into->v = base->n ? xcalloc(base->n, sizeof(*base->v)) : NULL;
        if (base->n)
            memcpy(into->v, base->v, base->n * sizeof(*base->v));
        into->n = base->n;
    }
    struct diags d = {0}, d_again = {0};
    int rc = seccomp_rules_read(path, &r, &d);
    int rc_again = seccomp_rules_read(path, &again, &d_again);
    if (rc != rc_again || d.n_errors != d_again.n_errors || !same_rules(&r, &again))
        broken("a second read of the same file gave another result", data, size);
    if (rc < 0) {
        if (d.n_errors == 0)
            broken("the read failed without an error", data, size);
        if (!same_rules(&r, base))
            broken("a file with errors changed the rules", data, size);
        for (size_t i = 0; i < d.n; i++)
            if (!d.v[i].file || strcmp(d.v[i].file, path) != 0 || d.v[i].line < 0 ||
                d.v[i].line > lines)
                broken("an error is not located in the file", data, size);
    } else {
        if (rc != 0 || d.n_errors != 0)
            broken("the read succeeded with errors", data, size);
        for (size_t i = 0; i < r.n; i++)
            if (r.v[i].err < 1 || r.v[i].err > 4095 || r.v[i].syscall == __NR_SCMP_ERROR)
                broken("a rule with an errno out of range or an unknown call", data, size);
    }
    seccomp_rules_free(&r);
    seccomp_rules_free(&again);
    diags_free(&d);
    diags_free(&d_again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "w");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror("fuzz-seccomp: cannot write the input");
        exit(1);
    }
    int lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    struct seccomp_rules none = {0};
    check_onto(&none, data, size, lines);
    check_onto(&default_rules, data, size, lines);
    return 0;
}
