/*
 * congo-oci's command line; see cli.h. One table of options per command,
 * each option naming the field of struct oci_args it sets.
 */
#include "oci/cli.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/units.h"
#include "util/util.h"

enum opt_kind {
    OPT_BOOL,   /* --flag, --flag=true|false */
    OPT_STRING, /* --flag VALUE, --flag=VALUE */
    OPT_INT,    /* a number */
    OPT_LIST,   /* a string, given once per value: each one appended */
};

struct opt {
    const char *name;  /* without dashes */
    const char *alias; /* one letter, or NULL */
    enum opt_kind kind;
    size_t offset; /* of the field in struct oci_args */
};

#define O(name, alias, kind, field) {name, alias, kind, offsetof(struct oci_args, field)}

static const struct opt global_opts[] = {
    O("root", NULL, OPT_STRING, root),
    O("log", NULL, OPT_STRING, log),
    O("log-format", NULL, OPT_STRING, format), /* checked, then moved to log_json */
    O("debug", NULL, OPT_BOOL, debug),
    O("systemd-cgroup", NULL, OPT_BOOL, systemd_cgroup),
    O("cgroup-manager", NULL, OPT_STRING, cgroup_manager),
    O("rootless", NULL, OPT_STRING, rootless),
};

static const struct opt create_opts[] = {
    O("bundle", "b", OPT_STRING, bundle),
    O("pid-file", NULL, OPT_STRING, pid_file),
    O("console-socket", NULL, OPT_STRING, console_socket),
    O("no-pivot", NULL, OPT_BOOL, no_pivot),
    O("no-new-keyring", NULL, OPT_BOOL, no_new_keyring),
    O("preserve-fds", NULL, OPT_INT, preserve_fds),
    O("detach", "d", OPT_BOOL, detach), /* run only */
};

static const struct opt exec_opts[] = {
    O("process", "p", OPT_STRING, process),
    O("detach", "d", OPT_BOOL, detach),
    O("pid-file", NULL, OPT_STRING, pid_file),
    O("console-socket", NULL, OPT_STRING, console_socket),
    O("tty", "t", OPT_BOOL, tty),
    O("env", "e", OPT_LIST, env),
    O("cwd", NULL, OPT_STRING, cwd),
    O("user", "u", OPT_STRING, user),
    O("cap", "c", OPT_LIST, caps),
    O("additional-gids", "g", OPT_LIST, additional_gids),
    O("no-new-privs", NULL, OPT_BOOL, no_new_privs),
    O("preserve-fds", NULL, OPT_INT, preserve_fds),
};

static const struct opt kill_opts[] = {O("all", "a", OPT_BOOL, all)};
static const struct opt delete_opts[] = {O("force", "f", OPT_BOOL, force)};
static const struct opt format_opts[] = {
    O("format", "f", OPT_STRING, format),
    O("quiet", "q", OPT_BOOL, quiet), /* list only */
};
static const struct opt spec_opts[] = {
    O("bundle", "b", OPT_STRING, bundle),
    O("rootless", NULL, OPT_BOOL, spec_rootless),
};

static const struct command {
    const char *name;
    enum oci_command command;
    const struct opt *opts;
    size_t n_opts;
    int min_args, max_args; /* positional words, the id included */
} commands[] = {
    {"create", OCI_CREATE, create_opts, ARRAY_SIZE(create_opts) - 1, 1, 1},
    {"run", OCI_RUN, create_opts, ARRAY_SIZE(create_opts), 1, 1},
    {"start", OCI_START, NULL, 0, 1, 1},
    {"exec", OCI_EXEC, exec_opts, ARRAY_SIZE(exec_opts), 1, -1},
    {"state", OCI_STATE, NULL, 0, 1, 1},
    {"kill", OCI_KILL, kill_opts, ARRAY_SIZE(kill_opts), 1, 2},
    {"delete", OCI_DELETE, delete_opts, ARRAY_SIZE(delete_opts), 1, 1},
    {"ps", OCI_PS, format_opts, 1, 1, 1},
    {"list", OCI_LIST, format_opts, ARRAY_SIZE(format_opts), 0, 0},
    {"features", OCI_FEATURES, NULL, 0, 0, 0},
    {"spec", OCI_SPEC, spec_opts, ARRAY_SIZE(spec_opts), 0, 0},
    {"help", OCI_HELP, NULL, 0, 0, 1},
};

bool oci_valid_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 1024 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return false;
    for (const char *c = id; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("_+-.", *c))
            return false;
    return true;
}

static const struct opt *find_opt(const struct opt *opts, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if ((strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0) ||
            (opts[i].alias && strlen(opts[i].alias) == len && strncmp(opts[i].alias, name, len) == 0))
            return &opts[i];
    return NULL;
}

/*
 * One option at argv[*i], "-x", "--name" or "--name=value", of the table;
 * 1 when it was one (and *i moved past its value), 0 when not, -1 on errors.
 */
static int take_opt(struct oci_args *a, const struct opt *opts, size_t n, int argc, char **argv,
                    int *i, const char *where, struct congo_error *e)
{
    const char *arg = argv[*i];
    if (arg[0] != '-' || !arg[1])
        return 0;
    const char *name = arg + (arg[1] == '-' ? 2 : 1);
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct opt *o = find_opt(opts, n, name, len);
    if (!o)
        return 0;
    void *field = (char *)a + o->offset;
    const char *value = eq ? eq + 1 : NULL;
    if (o->kind == OPT_BOOL) {
        if (!value || strcmp(value, "true") == 0)
            *(bool *)field = true;
        else if (strcmp(value, "false") == 0)
            *(bool *)field = false;
        else
            return error_set(e, 0, "%s: --%s takes true or false, not `%s`", where, o->name, value);
        return 1;
    }
    if (!value) {
        if (*i + 1 >= argc)
            return error_set(e, 0, "%s: --%s needs a value", where, o->name);
        value = argv[++*i];
    }
    if (o->kind == OPT_STRING) {
        *(const char **)field = value;
    } else if (o->kind == OPT_LIST) {
        strv_push((char ***)field, xstrdup(value));
    } else {
        uint64_t v;
        if (parse_uint(value, 1 << 20, &v) < 0)
            return error_set(e, 0, "%s: --%s takes a number, not `%s`", where, o->name, value);
        *(int *)field = (int)v;
    }
    return 1;
}

int oci_parse(int argc, char **argv, struct oci_args *a, struct congo_error *e)
{
    memset(a, 0, sizeof(*a));
    int i = 1;
    /* Global options come before the command. */
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-v") == 0) {
            a->command = OCI_VERSION;
            return 0;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            a->command = OCI_HELP;
            return 0;
        }
        int r = take_opt(a, global_opts, ARRAY_SIZE(global_opts), argc, argv, &i, "congo-oci", e);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
    }
    if (a->format) {
        if (strcmp(a->format, "json") != 0 && strcmp(a->format, "text") != 0)
            return error_set(e, 0, "--log-format takes text or json, not `%s`", a->format);
        a->log_json = strcmp(a->format, "json") == 0;
        a->format = NULL;
    }
    /*
     * runc's --rootless tells it whether to ignore cgroup permission errors
     * (auto: when not root). congo decides by its caller, as auto does, and
     * ignores no error either way: a limit it cannot apply is refused. Slurm's
     * oci.conf examples give --rootless=true; only the value is checked.
     */
    if (a->rootless && strcmp(a->rootless, "true") != 0 && strcmp(a->rootless, "false") != 0 &&
        strcmp(a->rootless, "auto") != 0)
        return error_set(e, 0, "--rootless takes true, false or auto, not `%s`", a->rootless);
    if (i >= argc)
        return error_set(e, 0, "no command; congo-oci --help lists them");
    const struct command *c = NULL;
    for (size_t k = 0; k < ARRAY_SIZE(commands) && !c; k++)
        if (strcmp(argv[i], commands[k].name) == 0)
            c = &commands[k];
    if (!c)
        return error_set(e, 0,
                         "`%s` is not a command congo-oci has (pause, resume, update, events, "
                         "checkpoint and restore are not supported yet); congo-oci --help lists "
                         "them",
                         argv[i]);
    a->command = c->command;
    a->command_name = c->name;
    const char **words = xcalloc((size_t)argc, sizeof(*words));
    int n_words = 0;
    for (i++; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            for (i++; i < argc; i++)
                words[n_words++] = argv[i];
            break;
        }
        int r = take_opt(a, c->opts, c->n_opts, argc, argv, &i, c->name, e);
        if (r < 0) {
            free(words);
            return -1;
        }
        if (r == 1)
            continue;
        /* exec's command starts at the word after the id: its options are its own. */
        if (c->command == OCI_EXEC && n_words == 1) {
            for (; i < argc; i++)
                words[n_words++] = argv[i];
            break;
        }
        if (argv[i][0] == '-' && argv[i][1] && !(c->command == OCI_KILL && n_words == 1)) {
            error_set(e, 0, "%s: unknown option `%s`", c->name, argv[i]);
            free(words);
            return -1;
        }
        words[n_words++] = argv[i];
    }
    int r = 0;
    if (n_words < c->min_args)
        r = error_set(e, 0, "%s needs %s", c->name,
                      c->command == OCI_KILL ? "a container id (and a signal)" : "a container id");
    else if (c->max_args >= 0 && n_words > c->max_args)
        r = error_set(e, 0, "%s: unexpected `%s`", c->name, words[c->max_args]);
    if (r == 0 && c->min_args > 0) {
        a->id = words[0];
        if (!oci_valid_id(a->id))
            r = error_set(e, 0,
                          "`%s` is not a container id: letters, digits, _ + - and ., 1024 at most",
                          a->id);
    }
    if (r == 0 && c->command == OCI_EXEC) {
        a->exec_argv = words + 1;
        words = NULL;
        if (!a->process && n_words < 2)
            r = error_set(e, 0, "exec needs a command after the container id, or --process FILE");
        else if (a->process && n_words > 1)
            r = error_set(e, 0,
                          "exec: --process gives the command (its args); `%s` is one too many",
                          a->exec_argv[0]);
    }
    if (r == 0 && c->command == OCI_KILL)
        a->signal = n_words > 1 ? words[1] : "SIGTERM";
    if (r == 0 && c->command == OCI_HELP && n_words == 1)
        a->id = words[0];
    if (r == 0 && a->format && strcmp(a->format, "json") != 0 && strcmp(a->format, "table") != 0)
        r = error_set(e, 0, "%s: --format takes table or json, not `%s`", c->name, a->format);
    free(words);
    return r;
}

void oci_args_free(struct oci_args *a)
{
    /* exec's command is the tail of the positional words: the array starts one before it. */
    if (a->exec_argv)
        free((void *)(a->exec_argv - 1));
    strv_free(a->env);
    strv_free(a->caps);
    memset(a, 0, sizeof(*a));
}
