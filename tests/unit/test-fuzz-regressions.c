/*
 * Every input the profile fuzzer has found a bug with
 * (tests/data/fuzz-regressions/), and its seed corpus (fuzz/corpus/), run
 * through the fuzz target's own checks: load and include, the loaders
 * against profile_load, and every print loading back to the same profile.
 * Under the sanitizers (scripts/test.sh) or valgrind (tests/valgrind.sh)
 * a memory error or leak fails it too.
 */
#include "helpers.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../fuzz/profile-check.h"
#include "util/util.h"

static char *srcdir; /* read before profile_check_init() resets the environment */

/* The inputs in dir, sorted; a README says what the directory is for. */
static char **inputs(const char *dir)
{
    char **files = NULL;
    _cleanup_closedir_ DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0)
            continue;
        strv_push(&files, xasprintf("%s/%s", dir, e->d_name));
    }
    size_t n = strv_len(files);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(files[j - 1], files[j]) > 0; j--) {
            char *t = files[j];
            files[j] = files[j - 1];
            files[j - 1] = t;
        }
    return files;
}

/* Returns how many inputs were checked; fails on the first broken one. */
static size_t check_dir(const char *sub)
{
    _cleanup_free_ char *dir = xasprintf("%s/%s", srcdir, sub);
    _cleanup_strv_ char **files = inputs(dir);
    size_t n = 0;
    for (size_t i = 0; files && files[i]; i++) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        if (read_file_max(files[i], 1024 * 1024, &buf, &len) < 0)
            fail_msg("cannot read %s", files[i]);
        _cleanup_free_ char *broken = profile_check((const uint8_t *)buf, len);
        if (broken) {
            print_error("%s: %s\n", files[i], broken);
            fail();
        }
        n++;
    }
    return n;
}

static void test_fuzz_regressions(void **state)
{
    (void)state;
    check_dir("tests/data/fuzz-regressions");
}

static void test_fuzz_seeds(void **state)
{
    (void)state;
    /* A corpus that went missing would pass silently. */
    assert_true(check_dir("fuzz/corpus/yaml") > 0);
    assert_true(check_dir("fuzz/corpus/conf") > 0);
    assert_true(check_dir("fuzz/corpus/json") > 0);
}

static int setup(void **state)
{
    (void)state;
    srcdir = xstrdup(test_srcdir());
    return profile_check_init();
}

static int teardown(void **state)
{
    (void)state;
    profile_check_cleanup();
    free(srcdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fuzz_regressions),
        cmocka_unit_test(test_fuzz_seeds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
