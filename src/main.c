/*
 * congo-launch: the command line. Everything else lives in libcongo; this
 * file only parses options, calls it, prints and picks the exit status.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "oci/export.h"
#include "oci/runtime.h"
#include "plan/plan.h"
#include "profile/cli.h"
#include "profile/json-schema.h"
#include "profile/print.h"
#include "profile/profile.h"
#include "profile/stack.h"
#include "runtime/runtime.h"
#include "util/units.h"

#include <linux/filter.h>

#include "default-filter.h"
#include "util/util.h"

/* Exit statuses of PROFILE.md section 1. */
enum {
    EXIT_VALID = 0,
    EXIT_INVALID = 1,
    EXIT_USAGE = 2,
    EXIT_LAUNCHER = 125,
};

enum mode {
    MODE_RUN,
    MODE_CHECK,
    MODE_PRINT,
    MODE_PRINT_CLI,
    MODE_PRINT_PLAN,
    MODE_PRINT_SCHEMA,
    MODE_BUNDLE,
    /* On a running container, named by the option's value. */
    MODE_LIST,
    MODE_EXEC,
    MODE_STOP,
    MODE_KILL,
    MODE_STATS,
    MODE_LOGS,
};

static const char usage_text[] =
    "Usage: congo-launch [OPTIONS] PROFILE [-- COMMAND [ARG...]]\n"
    "       congo-launch [OPTIONS] run ROOTFS PROCESS_LIMIT MEMORY_LIMIT CPU_SHARES ENV_VARS\n"
    "                    [--mount SRC:DEST[:ro]]... [--layers L1,L2] [--user NAME]\n"
    "                    [--KEY VALUE]... [-- COMMAND [ARG...]]\n"
    "       congo-launch --check [--fragment] PROFILE...\n"
    "       congo-launch --print [--format yaml|conf|oci] [--show-origin] PROFILE\n"
    "       congo-launch --print-cli|--print-plan PROFILE | --bundle DIR PROFILE\n"
    "       congo-launch --list | --stats ID|NAME [--format table|json]\n"
    "       congo-launch --exec ID|NAME [--user U] [--workdir D] [--env K=V]... -- COMMAND...\n"
    "       congo-launch --stop ID|NAME [--timeout DURATION] | --kill ID|NAME [SIGNAL]\n"
    "       congo-launch --logs ID|NAME [--follow]\n"
    "\n"
    "Run a command in a container described by a profile (YAML or libconfig).\n"
    "Modes:\n"
    "      --check            validate profiles without running anything\n"
    "      --fragment         with --check: skip required keys (a base that is included)\n"
    "      --print            print the effective profile, every key\n"
    "      --format FMT       yaml|conf|oci with --print; table|json with --list, --stats\n"
    "      --show-origin      with --print: the file and line behind every value\n"
    "      --print-cli        print the equivalent `congo-launch run ...` command\n"
    "      --print-plan       print what a run would do: mounts, cgroup, seccomp, ...\n"
    "      --print-schema     print the JSON Schema of profile files, for editors\n"
    "      --bundle DIR       write an OCI bundle for runc: DIR/config.json, DIR/rootfs\n"
    "      --set KEY=VALUE    set a dotted key (limits.memory=1g) as the last layer\n"
    "      --reset KEY        return a key to its default (env.FOO, mounts, limits)\n"
    "Running containers:\n"
    "      --detach           run in the background; print its id once the command runs\n"
    "      --name NAME        the container's name (many may share one)\n"
    "      --list             what runs: id, name, pid, status, uptime, memory, pids\n"
    "      --exec, --stop, --kill, --stats, --logs ID|NAME   act on a running container\n"
    "      --user, --workdir, --env, --timeout, --follow     their options (see usage)\n"
    "Other:\n"
    "      --no-pivot         a run on a host whose root is the initial ramfs\n"
    "  -v, --verbose          log the files read and each setup step to stderr\n"
    "  -h, --help, --version  show this help, or the version (-V)\n"
    "\n"
    "run options (one per profile key; `-` leaves a positional slot unset): --name\n"
    "  --rootfs --layers --upper --readonly-rootfs --hostname --domainname --user --umask\n"
    "  --groups --initgroups --workdir --env --base-env --command --pids --memory --memory-swap\n"
    "  --cpu-shares --cpus --mount --devices --device-rules --namespaces --network\n"
    "  --user-namespace --sysctl --init\n"
    "  --cgroup-parent --cgroup-path --cap-add --cap-drop --cap-ambient --seccomp --rlimits\n"
    "  --no-new-privileges --oom-score-adj --masked-paths --readonly-paths --stop-timeout\n"
    "  --annotations --hook.\n"
    "\n"
    "Exit status: --check, --print...: 0 valid, 1 invalid, 2 usage; a run, --exec: the\n"
    "command's, 125 when congo-launch fails, 126/127 when it cannot run the command.\n"
    "See congo-launch(1) and congo-profile(5).\n";

struct options {
    enum mode mode;
    bool mode_set;
    const char *target; /* ID|NAME of the container modes */
    bool fragment;
    bool show_origin;
    bool verbose;
    bool detach;
    bool no_pivot;
    bool follow;
    const char *format;
    const char *user, *workdir, *timeout;
    char **env; /* --env of --exec: argv's own strings */
    char *name_set; /* --name, as the --set it stands for */
    struct stack_op *ops;
    size_t n_ops;
};

static const char *const mode_options[] = {
    [MODE_RUN] = "a run",         [MODE_CHECK] = "--check",    [MODE_PRINT] = "--print",
    [MODE_PRINT_CLI] = "--print-cli", [MODE_PRINT_PLAN] = "--print-plan",
    [MODE_PRINT_SCHEMA] = "--print-schema", [MODE_BUNDLE] = "--bundle", [MODE_LIST] = "--list",
    [MODE_EXEC] = "--exec",       [MODE_STOP] = "--stop",      [MODE_KILL] = "--kill",
    [MODE_STATS] = "--stats",     [MODE_LOGS] = "--logs",
};

/* The status of a usage error: a run's (or --exec's) is congo-launch's failure, 125. */
static int usage_status(enum mode mode)
{
    return mode == MODE_RUN || mode == MODE_EXEC ? EXIT_LAUNCHER : EXIT_USAGE;
}

static int usage_error(enum mode mode, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage_error(enum mode mode, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("congo-launch: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry `congo-launch --help`.\n", stderr);
    va_end(ap);
    return usage_status(mode);
}

/* The mode decides the usage-error status, so find it before parsing can fail. */
static enum mode scan_mode(int argc, char **argv)
{
    static const struct {
        const char *option;
        enum mode mode;
    } modes[] = {
        {"--check", MODE_CHECK}, {"--print", MODE_PRINT}, {"--print-cli", MODE_PRINT_CLI},
        {"--print-plan", MODE_PRINT_PLAN}, {"--print-schema", MODE_PRINT_SCHEMA},
        {"--bundle", MODE_BUNDLE},
        {"--list", MODE_LIST}, {"--exec", MODE_EXEC},
        {"--stop", MODE_STOP},   {"--kill", MODE_KILL},   {"--stats", MODE_STATS},
        {"--logs", MODE_LOGS},
    };
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0 || strcmp(argv[i], "run") == 0)
            break;
        for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
            size_t n = strlen(modes[m].option);
            if (strncmp(argv[i], modes[m].option, n) == 0 && (!argv[i][n] || argv[i][n] == '='))
                return modes[m].mode;
        }
    }
    return MODE_RUN;
}

static void add_op(struct options *o, enum stack_op_kind kind, const char *arg)
{
    o->ops = xrealloc(o->ops, (o->n_ops + 1) * sizeof(*o->ops));
    o->ops[o->n_ops++] = (struct stack_op){.kind = kind, .arg = arg};
}

static int set_mode(struct options *o, enum mode mode, const char *target)
{
    bool schema = o->mode == MODE_PRINT_SCHEMA || mode == MODE_PRINT_SCHEMA;
    if (o->mode_set && o->mode != mode && schema)
        return usage_error(o->mode, "--print-schema goes alone");
    if (o->mode_set && o->mode != mode)
        return usage_error(o->mode, "%s and %s exclude each other", mode_options[o->mode],
                           mode_options[mode]);
    o->mode = mode;
    o->mode_set = true;
    o->target = target;
    return 0;
}

/* Load one profile (a file, or the words after `run`) with the command-line layers. */
static int load(struct profile *p, const struct options *o, const char *profile, char **run_argv,
                int run_argc, char **command)
{
    struct stack_opts so = {
        .profile = profile,
        .run_argv = run_argv,
        .run_argc = run_argc,
        .ops = o->ops,
        .n_ops = o->n_ops,
        .command = command,
        .fragment = o->fragment,
        .verbose = o->verbose ? stderr : NULL,
    };
    struct diags d = {0};
    profile_init(p);
    int r = profile_load(p, &so, &d);
    diags_print(&d, stderr);
    diags_free(&d);
    return r;
}

/* Resolve the plan; its errors are printed like a profile's. 0 or -1. */
static int build_plan(const struct profile *p, struct run_plan *plan)
{
    struct diags d = {0};
    int r = plan_build(p, plan, &d);
    diags_print(&d, stderr);
    diags_free(&d);
    return r;
}

/* --print --format oci: config.json, or why the profile cannot be one as it stands. */
static int print_oci(const struct profile *p)
{
    struct run_plan plan;
    if (build_plan(p, &plan) < 0)
        return EXIT_INVALID;
    struct diags d = {0};
    _cleanup_free_ char *text = oci_print(p, &plan, &d);
    diags_print(&d, stderr);
    diags_free(&d);
    plan_free(&plan);
    if (!text)
        return EXIT_INVALID;
    fputs(text, stdout);
    return EXIT_VALID;
}

/*
 * --bundle DIR: 1 when the profile cannot be exported, 125 when the host
 * fails it. INT, TERM, HUP and QUIT wait while the bundle is written: one
 * stops the copy, which removes what it wrote; once that is said, the
 * signal takes its course.
 */
static int write_bundle(const struct profile *p, const char *dir)
{
    struct run_plan plan;
    if (build_plan(p, &plan) < 0)
        return EXIT_INVALID;
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    sigaddset(&stop, SIGQUIT);
    sigprocmask(SIG_BLOCK, &stop, &old);
    struct diags d = {0};
    struct congo_error e = {0};
    int r = oci_bundle_write(p, &plan, dir, &d, &e);
    diags_print(&d, stderr);
    if (e.msg)
        fprintf(stderr, "congo-launch: %s\n", e.msg);
    int status = r == 0 ? EXIT_VALID : d.n_errors ? EXIT_INVALID : EXIT_LAUNCHER;
    diags_free(&d);
    error_clear(&e);
    plan_free(&plan);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return status;
}

static int print_plan(const struct profile *p)
{
    struct run_plan plan;
    if (build_plan(p, &plan) < 0)
        return EXIT_INVALID;
    _cleanup_free_ char *host = runtime_describe_cgroup(&plan.cgroup);
    _cleanup_free_ char *text = plan_print(&plan, host);
    fputs(text, stdout);
    plan_free(&plan);
    return EXIT_VALID;
}

/* The plan, then the engine (which tells a caller not root what it cannot do). */
static int run(const struct profile *p, const struct options *opts, const char *from)
{
    struct run_plan plan;
    if (build_plan(p, &plan) < 0)
        return EXIT_LAUNCHER;
    struct congo_error e = {0};
    if (runtime_check_plan_caller(&plan, &e) < 0) {
        fprintf(stderr, "congo-launch: %s\n", e.msg);
        error_clear(&e);
        plan_free(&plan);
        return EXIT_LAUNCHER;
    }
    struct control_run cr = {
        .profile = from,
        .detach = opts->detach,
        .no_pivot = opts->no_pivot,
        .verbose = opts->verbose ? stderr : NULL,
    };
    int status = control_run(p, &plan, &cr);
    plan_free(&plan);
    return status;
}

/* What --list and --exec show as a container's profile: an absolute path, or the run form. */
static char *profile_ref(char **args)
{
    if (strcmp(args[0], "run") == 0)
        return xasprintf("run %s", args[1] ? args[1] : "");
    char *abs = realpath(args[0], NULL);
    return abs ? abs : xstrdup(args[0]);
}

/* --list, --exec, --stop, --kill, --stats, --logs. */
static int container_mode(const struct options *o, int rest, char **args, bool after_dashes)
{
    bool json = o->format && strcmp(o->format, "json") == 0;
    switch (o->mode) {
    case MODE_LIST:
        if (rest)
            return usage_error(o->mode, "--list takes no argument, found `%s`", args[0]);
        return control_list(json);
    case MODE_STATS:
    case MODE_LOGS:
    case MODE_STOP:
        if (rest)
            return usage_error(o->mode, "unexpected `%s` after %s %s", args[0],
                               mode_options[o->mode], o->target);
        if (o->mode == MODE_STATS)
            return control_stats(o->target, json);
        if (o->mode == MODE_LOGS)
            return control_logs(o->target, o->follow);
        int64_t ms = -1;
        if (o->timeout && (parse_duration(o->timeout, &ms) < 0 || ms > 3600 * 1000))
            return usage_error(o->mode,
                               "--timeout `%s`: expected seconds (10, 10s, 1.5s, 500ms), at most "
                               "1 hour",
                               o->timeout);
        return control_stop(o->target, ms);
    case MODE_KILL:
        if (rest > 1)
            return usage_error(o->mode, "--kill takes one signal, found `%s` too", args[1]);
        return control_kill(o->target, rest ? args[0] : NULL);
    case MODE_EXEC: {
        if (!after_dashes || rest == 0)
            return usage_error(o->mode, "--exec %s: the command goes after `--`", o->target);
        if (o->workdir && o->workdir[0] != '/')
            return usage_error(o->mode, "--workdir `%s` is not an absolute path", o->workdir);
        for (size_t i = 0; o->env && o->env[i]; i++) {
            const char *eq = strchr(o->env[i], '=');
            bool ok = eq && eq != o->env[i] && strspn(o->env[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                  "abcdefghijklmnopqrstuvwxyz"
                                                                  "0123456789_") ==
                                                       (size_t)(eq - o->env[i]);
            if (!ok || (o->env[i][0] >= '0' && o->env[i][0] <= '9'))
                return usage_error(o->mode, "--env `%s` is not NAME=value", o->env[i]);
        }
        struct control_exec x = {
            .argv = args,
            .user = o->user,
            .workdir = o->workdir,
            .env = o->env,
            .verbose = o->verbose ? stderr : NULL,
        };
        return control_exec(o->target, &x);
    }
    default:
        return EXIT_USAGE;
    }
}

/* Options that belong to one mode only. */
static int check_combinations(const struct options *o, enum mode early)
{
    static const struct {
        bool set;
        const char *option;
        unsigned modes; /* bit per mode where it is allowed */
    } only[] = {
        {false, "--fragment", 1u << MODE_CHECK},
        {false, "--show-origin", 1u << MODE_PRINT},
        {false, "--detach", 1u << MODE_RUN},
        {false, "--no-pivot", 1u << MODE_RUN},
        {false, "--name", (1u << MODE_RUN) | (1u << MODE_PRINT) | (1u << MODE_PRINT_CLI) |
                              (1u << MODE_PRINT_PLAN) | (1u << MODE_CHECK) | (1u << MODE_BUNDLE)},
        {false, "--user", 1u << MODE_EXEC},
        {false, "--workdir", 1u << MODE_EXEC},
        {false, "--env", 1u << MODE_EXEC},
        {false, "--timeout", 1u << MODE_STOP},
        {false, "--follow", 1u << MODE_LOGS},
        {false, "--format", (1u << MODE_PRINT) | (1u << MODE_LIST) | (1u << MODE_STATS)},
        {false, "--set/--reset", (1u << MODE_RUN) | (1u << MODE_CHECK) | (1u << MODE_PRINT) |
                                     (1u << MODE_PRINT_CLI) | (1u << MODE_PRINT_PLAN) |
                                     (1u << MODE_BUNDLE)},
    };
    bool set[ARRAY_SIZE(only)] = {o->fragment, o->show_origin, o->detach, o->no_pivot,
                                  o->name_set != NULL,
                                  o->user != NULL, o->workdir != NULL, o->env != NULL,
                                  o->timeout != NULL, o->follow, o->format != NULL,
                                  o->n_ops > (o->name_set ? 1u : 0u)};
    for (size_t i = 0; i < ARRAY_SIZE(only); i++)
        if (set[i] && !(only[i].modes & (1u << o->mode)))
            return usage_error(early, "%s does not go with %s", only[i].option,
                               mode_options[o->mode]);
    if (o->format && o->mode == MODE_PRINT) {
        if (strcmp(o->format, "yaml") != 0 && strcmp(o->format, "conf") != 0 &&
            strcmp(o->format, "oci") != 0)
            return usage_error(early, "--format `%s`: expected yaml, conf or oci", o->format);
        if (o->show_origin && strcmp(o->format, "oci") == 0)
            return usage_error(early, "--show-origin does not go with --format oci");
    } else if (o->format && strcmp(o->format, "table") != 0 && strcmp(o->format, "json") != 0) {
        return usage_error(early, "--format `%s`: expected table or json", o->format);
    }
    return 0;
}

static int congo_main(int argc, char **argv, struct options *opts)
{
    enum { OPT_CHECK = 256, OPT_FRAGMENT, OPT_PRINT, OPT_FORMAT, OPT_SHOW_ORIGIN, OPT_PRINT_CLI,
           OPT_PRINT_PLAN, OPT_PRINT_SCHEMA, OPT_SET, OPT_RESET, OPT_DETACH, OPT_NAME, OPT_LIST,
           OPT_EXEC, OPT_STOP, OPT_KILL, OPT_STATS, OPT_LOGS, OPT_USER, OPT_WORKDIR, OPT_ENV,
           OPT_TIMEOUT, OPT_FOLLOW, OPT_BUNDLE, OPT_NO_PIVOT };
    static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"verbose", no_argument, NULL, 'v'},
        {"check", no_argument, NULL, OPT_CHECK},
        {"fragment", no_argument, NULL, OPT_FRAGMENT},
        {"print", no_argument, NULL, OPT_PRINT},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"show-origin", no_argument, NULL, OPT_SHOW_ORIGIN},
        {"print-cli", no_argument, NULL, OPT_PRINT_CLI},
        {"print-plan", no_argument, NULL, OPT_PRINT_PLAN},
        {"print-schema", no_argument, NULL, OPT_PRINT_SCHEMA},
        {"set", required_argument, NULL, OPT_SET},
        {"reset", required_argument, NULL, OPT_RESET},
        {"detach", no_argument, NULL, OPT_DETACH},
        {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
        {"name", required_argument, NULL, OPT_NAME},
        {"list", no_argument, NULL, OPT_LIST},
        {"exec", required_argument, NULL, OPT_EXEC},
        {"stop", required_argument, NULL, OPT_STOP},
        {"kill", required_argument, NULL, OPT_KILL},
        {"stats", required_argument, NULL, OPT_STATS},
        {"logs", required_argument, NULL, OPT_LOGS},
        {"user", required_argument, NULL, OPT_USER},
        {"workdir", required_argument, NULL, OPT_WORKDIR},
        {"env", required_argument, NULL, OPT_ENV},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"follow", no_argument, NULL, OPT_FOLLOW},
        {"bundle", required_argument, NULL, OPT_BUNDLE},
        {0},
    };
    static const enum mode mode_of[] = {
        [OPT_CHECK - OPT_CHECK] = MODE_CHECK,          [OPT_PRINT - OPT_CHECK] = MODE_PRINT,
        [OPT_PRINT_CLI - OPT_CHECK] = MODE_PRINT_CLI,  [OPT_PRINT_PLAN - OPT_CHECK] = MODE_PRINT_PLAN,
        [OPT_PRINT_SCHEMA - OPT_CHECK] = MODE_PRINT_SCHEMA,
        [OPT_LIST - OPT_CHECK] = MODE_LIST,            [OPT_EXEC - OPT_CHECK] = MODE_EXEC,
        [OPT_STOP - OPT_CHECK] = MODE_STOP,            [OPT_KILL - OPT_CHECK] = MODE_KILL,
        [OPT_STATS - OPT_CHECK] = MODE_STATS,          [OPT_LOGS - OPT_CHECK] = MODE_LOGS,
        [OPT_BUNDLE - OPT_CHECK] = MODE_BUNDLE,
    };
    enum mode early = scan_mode(argc, argv);
    int c, r;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+hVv", long_options, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        case 'V':
            printf("congo-launch %s\n", PACKAGE_VERSION);
            return 0;
        case 'v':
            opts->verbose = true;
            break;
        case OPT_CHECK:
        case OPT_PRINT:
        case OPT_PRINT_CLI:
        case OPT_PRINT_PLAN:
        case OPT_PRINT_SCHEMA:
        case OPT_LIST:
        case OPT_EXEC:
        case OPT_STOP:
        case OPT_KILL:
        case OPT_STATS:
        case OPT_LOGS:
        case OPT_BUNDLE:
            if (set_mode(opts, mode_of[c - OPT_CHECK], optarg) != 0)
                return usage_status(early);
            break;
        case OPT_FRAGMENT:
            opts->fragment = true;
            break;
        case OPT_FORMAT:
            opts->format = optarg;
            break;
        case OPT_SHOW_ORIGIN:
            opts->show_origin = true;
            break;
        case OPT_SET:
            add_op(opts, STACK_SET, optarg);
            break;
        case OPT_RESET:
            add_op(opts, STACK_RESET, optarg);
            break;
        case OPT_DETACH:
            opts->detach = true;
            break;
        case OPT_NO_PIVOT:
            opts->no_pivot = true;
            break;
        case OPT_NAME:
            /* The profile's own key, set last: the schema checks it as any name. */
            free(opts->name_set);
            opts->name_set = xasprintf("name=%s", optarg);
            add_op(opts, STACK_SET, opts->name_set);
            break;
        case OPT_USER:
            opts->user = optarg;
            break;
        case OPT_WORKDIR:
            opts->workdir = optarg;
            break;
        case OPT_ENV:
            strv_push(&opts->env, optarg);
            break;
        case OPT_TIMEOUT:
            opts->timeout = optarg;
            break;
        case OPT_FOLLOW:
            opts->follow = true;
            break;
        default:
            if (optopt && optopt < 256)
                return usage_error(early, "unknown option -%c", optopt);
            if (optopt)
                return usage_error(early, "option %s needs a value", argv[optind - 1]);
            return usage_error(early, "unknown option %s", argv[optind - 1]);
        }
    }
    if ((r = check_combinations(opts, early)) != 0)
        return r;

    int rest = argc - optind;
    char **args = argv + optind;
    if (opts->mode >= MODE_LIST)
        return container_mode(opts, rest, args, optind > 1 && strcmp(argv[optind - 1], "--") == 0);
    if (opts->mode == MODE_PRINT_SCHEMA) {
        if (rest > 0)
            return usage_error(early, "--print-schema takes no profile");
        _cleanup_free_ char *schema = profile_json_schema();
        fputs(schema, stdout);
        return EXIT_VALID;
    }
    if (rest == 0)
        return usage_error(early, "no profile given");

    if (opts->mode == MODE_CHECK && strcmp(args[0], "run") != 0) {
        int status = EXIT_VALID;
        for (int i = 0; i < rest; i++) {
            if (strcmp(args[i], "--") == 0)
                return usage_error(early, "--check takes no command");
            struct profile p;
            if (load(&p, opts, args[i], NULL, 0, NULL) < 0)
                status = EXIT_INVALID;
            profile_free(&p);
        }
        return status;
    }

    struct profile p;
    if (strcmp(args[0], "run") == 0) {
        r = load(&p, opts, NULL, args + 1, rest - 1, NULL);
    } else {
        char **command = NULL;
        if (rest > 1) {
            if (strcmp(args[1], "--") != 0)
                return usage_error(early,
                                   "unexpected `%s` after the profile; options go before it and "
                                   "a command after `--`",
                                   args[1]);
            command = args + 2;
        }
        r = load(&p, opts, args[0], NULL, 0, command);
    }
    if (r < 0) {
        profile_free(&p);
        return opts->mode == MODE_RUN ? EXIT_LAUNCHER : EXIT_INVALID;
    }

    int status = EXIT_VALID;
    if (opts->mode == MODE_PRINT && opts->format && strcmp(opts->format, "oci") == 0) {
        status = print_oci(&p);
    } else if (opts->mode == MODE_BUNDLE) {
        status = write_bundle(&p, opts->target);
    } else if (opts->mode == MODE_PRINT) {
        bool conf = opts->format && strcmp(opts->format, "conf") == 0;
        _cleanup_free_ char *text = profile_print(&p, conf ? PRINT_CONF : PRINT_YAML,
                                                  opts->show_origin);
        fputs(text, stdout);
    } else if (opts->mode == MODE_PRINT_CLI) {
        _cleanup_free_ char *text = profile_print_cli(&p);
        fputs(text, stdout);
    } else if (opts->mode == MODE_PRINT_PLAN) {
        status = print_plan(&p);
    } else if (opts->mode == MODE_RUN) {
        _cleanup_free_ char *from = profile_ref(args);
        status = run(&p, opts, from);
    }
    profile_free(&p);
    return status;
}

int main(int argc, char **argv)
{
    runtime_set_title_area(argc, argv);
    plan_use_prebuilt_default(congo_default_filter, ARRAY_SIZE(congo_default_filter),
                              CONGO_DEFAULT_FILTER_ARCH);
    /* The same binary is the OCI runtime, by the name it is called by. */
    const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
    if (argc > 0 && strcmp(slash ? slash + 1 : argv[0], "congo-oci") == 0)
        return oci_main(argc, argv);
    struct options o = {0};
    int status = congo_main(argc, argv, &o);
    free(o.ops);
    free(o.name_set);
    free(o.env); /* the strings are argv's */
    return status;
}
