/*
 * What a hostile profile must not break, as checks one input at a time.
 *
 * Two routes load the same text. The stack route writes it to a file and
 * calls profile_load(), as `congo-launch --check [--fragment]` does, so that
 * include, ${NAME}, validation, merging and finalize all run. The direct
 * route hands the buffer to load_yaml()/load_conf() and then the schema
 * itself; without `include` the two must agree.
 *
 * A profile that loads is then printed five ways (YAML and libconfig, each
 * with and without --show-origin, and --print-cli), and every print must
 * load back to an equal profile; a plain print must also be a fixed point.
 * A print that does not load back is a bug in the printer or the loader:
 * `--print` promises a file that rebuilds the profile.
 *
 * An OCI config.json goes through the stack route alone (the importer has
 * no other): every error it gives must name where (a line, or the JSON
 * pointer of the field), and a config that loads must print and load back
 * as a profile does, and make a run plan (its seccomp policy compiled).
 */
#include "profile-check.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/plan.h"
#include "profile/cli.h"
#include "profile/load.h"
#include "profile/print.h"
#include "profile/schema.h"
#include "profile/stack.h"
#include "util/util.h"

extern char **environ;

/* The private directory, symlinks resolved as the stack resolves a file's directory. */
static char *work_dir;

/*
 * What ${NAME} can reach: a plain value, an empty one (for `:-`), and one
 * made of everything a printer has to quote or escape, `$` included (it
 * must go back out as `$$`).
 */
static const char *const fixed_env[][2] = {
    {"CONGO_FUZZ", "value"},
    {"CONGO_FUZZ_EMPTY", ""},
    {"CONGO_FUZZ_PATH", "/srv/data"},
    {"CONGO_FUZZ_ODD", "a'b\"c $ $$ ${X} \\ :-,=# \t\n-x"},
};

/* Kept from the caller's environment: they steer the sanitizers, not congo. */
static bool keep_variable(const char *entry)
{
    static const char *const keep[] = {"PATH=", "ASAN_OPTIONS=", "UBSAN_OPTIONS=",
                                       "LSAN_OPTIONS=", "ASAN_SYMBOLIZER_PATH=",
                                       "LLVM_SYMBOLIZER_PATH="};
    for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
        if (strncmp(entry, keep[i], strlen(keep[i])) == 0)
            return true;
    return false;
}

static void reset_environment(void)
{
    _cleanup_strv_ char **kept = NULL;
    for (char **e = environ; e && *e; e++)
        if (keep_variable(*e))
            strv_push(&kept, xstrdup(*e));
    clearenv();
    for (size_t i = 0; kept && kept[i]; i++) {
        char *eq = strchr(kept[i], '=');
        *eq = '\0';
        setenv(kept[i], eq + 1, 1);
    }
    /* Bare includes search $HOME/.config/congo/profiles: a directory that does not exist. */
    _cleanup_free_ char *home = xasprintf("%s/home", work_dir);
    setenv("HOME", home, 1);
    for (size_t i = 0; i < ARRAY_SIZE(fixed_env); i++)
        setenv(fixed_env[i][0], fixed_env[i][1], 1);
}

int profile_check_init(void)
{
    if (work_dir)
        return 0;
    const char *base = getenv("TMPDIR");
    _cleanup_free_ char *tmpl =
        xasprintf("%s/congo-fuzz-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl))
        return -1;
    char real[PATH_MAX];
    if (!realpath(tmpl, real))
        return -1;
    work_dir = xstrdup(real);
    /* config.json's relative paths are the bundle's: bundle/rootfs need not exist to load. */
    _cleanup_free_ char *bundle = xasprintf("%s/bundle", work_dir);
    if (mkdir(bundle, 0755) < 0)
        return -1;
    reset_environment();
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void profile_check_cleanup(void)
{
    if (work_dir)
        nftw(work_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(work_dir);
    work_dir = NULL;
}

/* ---- helpers ---- */

static int write_file(const char *path, const char *text, size_t len)
{
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

static char *diags_text(const struct diags *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return xstrdup("");
    diags_print(d, f);
    fclose(f);
    return buf;
}

/* The words of a line profile_print_cli wrote: bare words, '...' and \' only. */
static char **shell_split(const char *s)
{
    char **words = NULL;
    struct strbuf w = {0};
    bool in_word = false;
    for (; *s; s++) {
        if (*s == '\'') {
            in_word = true;
            for (s++; *s && *s != '\''; s++)
                strbuf_putc(&w, *s);
            if (!*s)
                break;
        } else if (*s == '\\' && s[1]) {
            in_word = true;
            strbuf_putc(&w, *++s);
        } else if (*s == ' ' || *s == '\n') {
            if (in_word)
                strv_push(&words, strbuf_steal(&w));
            in_word = false;
        } else {
            in_word = true;
            strbuf_putc(&w, *s);
        }
    }
    if (in_word)
        strv_push(&words, strbuf_steal(&w));
    strbuf_free(&w);
    return words;
}

static char *mismatch(const char *what, const struct profile *want, const struct profile *got,
                      const char *detail)
{
    _cleanup_free_ char *a = profile_print(want, PRINT_YAML, true);
    _cleanup_free_ char *b = got ? profile_print(got, PRINT_YAML, true) : xstrdup("(none)\n");
    return xasprintf("%s\n--- wanted:\n%s--- got:\n%s%s", what, a, b, detail ? detail : "");
}

/* ---- the direct route ---- */

/*
 * load_yaml/load_conf on the buffer, ${NAME}, the schema, merge and
 * finalize by hand: what apply_file() and profile_load() do for a file
 * without includes.
 */
static char *check_direct(const char *text, size_t len, bool yaml, bool fragment,
                          const char *path, int stack_r, const struct profile *stacked)
{
    if (memchr(text, '\0', len) || utf8_check(text, len) < len)
        return NULL; /* load_file refuses it before any parser sees it */
    _cleanup_free_ char *buf = xmalloc(len + 1);
    memcpy(buf, text, len);
    buf[len] = '\0';
    struct source src = {.name = (char *)path, .dir = work_dir, .is_file = true};
    struct diags d = {0};
    struct profile p;
    profile_init(&p);
    _cleanup_node_ struct node *root =
        yaml ? load_yaml(buf, len, &src, &d) : load_conf(buf, len, &src, &d);
    if (root) {
        interpolate_tree(root, &d);
        struct profile layer;
        profile_init(&layer);
        _cleanup_strv_ char **resets = NULL;
        struct layer_ctx ctx = {.pool = &p, .seq = 1};
        schema_apply_tree(&layer, &resets, root, &ctx, &d);
        for (size_t i = 0; resets && resets[i]; i++)
            profile_reset_key(&p, resets[i]);
        profile_merge(&p, &layer);
        profile_free(&layer);
    }
    if (d.n_errors == 0)
        profile_finalize(&p, "profile", path, fragment, &d);
    int r = d.n_errors ? -1 : 0;

    char *fail = NULL;
    if (!root || !node_map_get(root, "include")) {
        _cleanup_free_ char *errs = diags_text(&d);
        if (r != stack_r)
            fail = xasprintf("the direct route %s where profile_load %s\n--- direct "
                             "route's errors:\n%s",
                             r ? "fails" : "loads", stack_r ? "fails" : "loads", errs);
        else if (r == 0 && !profile_equal(stacked, &p))
            fail = mismatch("the direct route builds another profile than profile_load",
                            stacked, &p, NULL);
    }
    profile_free(&p);
    diags_free(&d);
    return fail;
}

/* ---- prints that load back ---- */

static char *reload_print(const struct profile *p, enum print_format fmt, bool show_origin,
                          bool fragment)
{
    const char *ext = fmt == PRINT_YAML ? "yaml" : "conf";
    _cleanup_free_ char *text = profile_print(p, fmt, show_origin);
    _cleanup_free_ char *path = xasprintf("%s/print.%s", work_dir, ext);
    if (write_file(path, text, strlen(text)) < 0)
        return xasprintf("cannot write %s: %s", path, strerror(errno));

    struct stack_opts o = {.profile = path, .fragment = fragment};
    struct diags d = {0};
    struct profile back;
    profile_init(&back);
    int r = profile_load(&back, &o, &d);
    unlink(path);

    char *fail = NULL;
    const char *how = show_origin ? " --show-origin" : "";
    if (r < 0) {
        _cleanup_free_ char *errs = diags_text(&d);
        fail = xasprintf("--print --format %s%s does not load back\n--- printed:\n%s--- "
                         "errors:\n%s",
                         ext, how, text, errs);
    } else if (!profile_equal(p, &back)) {
        _cleanup_free_ char *detail = xasprintf("--- printed:\n%s", text);
        _cleanup_free_ char *what =
            xasprintf("--print --format %s%s loads back as another profile", ext, how);
        fail = mismatch(what, p, &back, detail);
    } else if (!show_origin) {
        /* Printing is a fixed point: the profile read back prints the same text. */
        _cleanup_free_ char *again = profile_print(&back, fmt, false);
        if (strcmp(text, again) != 0)
            fail = xasprintf("--print --format %s is not a fixed point\n--- first:\n%s--- "
                             "second:\n%s",
                             ext, text, again);
    }
    profile_free(&back);
    diags_free(&d);
    return fail;
}

static char *reload_cli(const struct profile *p, bool fragment)
{
    _cleanup_free_ char *line = profile_print_cli(p);
    _cleanup_strv_ char **words = shell_split(line);
    if (strv_len(words) < 7 || strcmp(words[0], "congo-launch") != 0 ||
        strcmp(words[1], "run") != 0)
        return xasprintf("--print-cli wrote no `congo-launch run` line with five slots:\n%s",
                         line);
    struct stack_opts o = {
        .run_argv = words + 2,
        .run_argc = (int)strv_len(words) - 2,
        .fragment = fragment,
    };
    struct diags d = {0};
    struct profile back;
    profile_init(&back);
    int r = profile_load(&back, &o, &d);
    char *fail = NULL;
    if (r < 0) {
        _cleanup_free_ char *errs = diags_text(&d);
        fail = xasprintf("--print-cli does not load back\n--- printed:\n%s--- errors:\n%s", line,
                         errs);
    } else if (!profile_equal(p, &back)) {
        _cleanup_free_ char *detail = xasprintf("--- printed:\n%s", line);
        fail = mismatch("--print-cli loads back as another profile", p, &back, detail);
    }
    profile_free(&back);
    diags_free(&d);
    return fail;
}

static char *check_prints(const struct profile *p, bool fragment)
{
    static const enum print_format formats[] = {PRINT_YAML, PRINT_CONF};
    char *fail = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(formats) && !fail; i++) {
        fail = reload_print(p, formats[i], false, fragment);
        if (!fail)
            fail = reload_print(p, formats[i], true, fragment);
    }
    if (!fail)
        fail = reload_cli(p, fragment);
    return fail;
}

/* ---- one input ---- */

/*
 * Every error of a config.json names the file, and where in it: a line
 * (syntax), a field's JSON pointer, or nothing more for the document as a
 * whole (its root is not an object, a required field is missing).
 */
static char *check_located(const struct diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct diag *g = &d->v[i];
        if (g->level != DIAG_ERROR)
            continue;
        if (!g->file || (g->key && g->key[0] != '/')) {
            _cleanup_free_ char *errs = diags_text(d);
            return xasprintf("an error of config.json is not located: %s\n--- errors:\n%s",
                             g->msg, errs);
        }
    }
    return NULL;
}

/* A config.json that loads makes a run plan, as a run would before anything starts. */
static char *check_plan(const struct profile *p)
{
    struct run_plan plan;
    struct diags d = {0};
    int r = plan_build(p, &plan, &d);
    char *fail = r < 0 ? check_located(&d) : NULL;
    if (r == 0)
        plan_free(&plan);
    diags_free(&d);
    return fail;
}

char *profile_check(const uint8_t *data, size_t size)
{
    if (size < 1 || !work_dir)
        return NULL;
    bool json = data[0] & PROFILE_CHECK_JSON;
    bool yaml = data[0] & PROFILE_CHECK_YAML;
    bool fragment = data[0] & PROFILE_CHECK_FRAGMENT;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    /* The same name every time: nothing an earlier input wrote is left to include. */
    _cleanup_free_ char *path = json ? xasprintf("%s/bundle/config.json", work_dir)
                                     : xasprintf("%s/profile.%s", work_dir, yaml ? "yaml" : "conf");
    if (write_file(path, text, len) < 0) {
        int e = errno;
        unlink(path);
        return xasprintf("cannot write %s: %s", path, strerror(e));
    }

    struct stack_opts o = {.profile = path, .fragment = fragment};
    struct diags d = {0};
    struct profile p;
    profile_init(&p);
    int r = profile_load(&p, &o, &d);
    free(diags_text(&d)); /* the messages are code too */

    char *fail = json ? check_located(&d) : check_direct(text, len, yaml, fragment, path, r, &p);
    if (!fail && r == 0)
        fail = check_prints(&p, fragment);
    /* Without them the plan's errors are congo-launch's own: give a command after `--`. */
    if (!fail && r == 0 && json && p.command && p.rootfs)
        fail = check_plan(&p);

    unlink(path);
    profile_free(&p);
    diags_free(&d);
    return fail;
}
