#include "helpers.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/util.h"

char *test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = xasprintf("%s/congo-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl))
        fail_msg("mkdtemp: %s", strerror(errno));
    return tmpl;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void test_rmrf(const char *dir)
{
    if (dir)
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkdir_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
}

char *test_write(const char *dir, const char *name, const char *content)
{
    char *path = xasprintf("%s/%s", dir, name);
    mkdir_parents(path);
    FILE *f = fopen(path, "w");
    if (!f)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    fputs(content, f);
    fclose(f);
    return path;
}

const char *test_srcdir(void)
{
    const char *s = getenv("CONGO_SRCDIR");
    return s && *s ? s : ".";
}

const struct diag *test_find_diag(const struct diags *d, const char *text)
{
    for (size_t i = 0; i < d->n; i++)
        if (strstr(d->v[i].msg, text))
            return &d->v[i];
    return NULL;
}

char *test_diags_text(const struct diags *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    diags_print(d, f);
    fclose(f);
    return buf;
}

int test_load_opts(struct profile *p, const struct stack_opts *o, struct diags *d)
{
    profile_init(p);
    return profile_load(p, o, d);
}

int test_load_file(struct profile *p, const char *path, struct diags *d)
{
    struct stack_opts o = {.profile = path};
    return test_load_opts(p, &o, d);
}

void test_assert_load_error(const char *path, const char *text, int line, const char *file,
                            int at)
{
    struct profile p;
    struct diags d = {0};
    int r = test_load_file(&p, path, &d);
    _cleanup_free_ char *all = test_diags_text(&d);
    const struct diag *g = test_find_diag(&d, text);
    if (r == 0 || !g || (line && g->line != line)) {
        print_error("%s:%d: expected an error containing \"%s\" at line %d, got:\n%s", file, at,
                    text, line, all);
        profile_free(&p);
        diags_free(&d);
        fail();
    }
    profile_free(&p);
    diags_free(&d);
}

static char *slurp(const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    if (read_file_max(path, 64 * 1024 * 1024, &buf, &len) < 0)
        return xstrdup("");
    return buf;
}

int test_congo(char **out, char **err, const char *const *args)
{
    const char *bin = getenv("CONGO_LAUNCH");
    if (!bin || !*bin)
        bin = "./congo-launch";
    _cleanup_free_ char *dir = test_tmpdir();
    _cleanup_free_ char *out_path = xasprintf("%s/stdout", dir);
    _cleanup_free_ char *err_path = xasprintf("%s/stderr", dir);
    size_t n = 0;
    while (args[n])
        n++;
    char **argv = xcalloc(n + 2, sizeof(char *));
    argv[0] = (char *)bin;
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = (char *)args[i];
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(out_path, "w", stdout) || !freopen(err_path, "w", stderr) ||
            !freopen("/dev/null", "r", stdin))
            _exit(99);
        execv(bin, argv);
        _exit(98);
    }
    free(argv);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    *out = slurp(out_path);
    *err = slurp(err_path);
    test_rmrf(dir);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

const char *test_env_get(const struct profile *p, const char *name)
{
    for (size_t i = 0; i < p->n_env; i++)
        if (strcmp(p->env[i].name, name) == 0)
            return p->env[i].value;
    return NULL;
}

void test_assert_env(const struct profile *p, size_t i, const char *name, const char *value)
{
    assert_true(i < p->n_env);
    assert_string_equal(p->env[i].name, name);
    assert_string_equal(p->env[i].value, value);
}

void test_assert_command(const struct profile *p, bool shell, const char *const *argv, size_t n)
{
    assert_non_null(p->command);
    assert_int_equal(strv_len(p->command), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(p->command[i], argv[i]);
    assert_int_equal(p->command_shell, shell);
}
