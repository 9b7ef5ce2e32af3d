/*
 * congo-launch: the command line. Everything else lives in libcongo; this
 * file only parses options, calls it, prints and picks the exit status.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "profile/cli.h"
#include "profile/json-schema.h"
#include "profile/print.h"
#include "profile/profile.h"
#include "profile/stack.h"
#include "runtime/runtime.h"
#include "runtime/security.h"

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
    MODE_PRINT_SCHEMA,
};

static const char usage_text[] =
    "Usage: congo-launch [OPTIONS] PROFILE [-- COMMAND [ARG...]]\n"
    "       congo-launch [OPTIONS] run ROOTFS PROCESS_LIMIT MEMORY_LIMIT CPU_SHARES ENV_VARS\n"
    "                    [--mount SRC:DEST[:ro]]... [--layers L1,L2] [--user NAME]\n"
    "                    [--KEY VALUE]... [-- COMMAND [ARG...]]\n"
    "       congo-launch --check [--fragment] PROFILE...\n"
    "       congo-launch --print [--format yaml|conf] [--show-origin] PROFILE\n"
    "       congo-launch --print-cli PROFILE\n"
    "       congo-launch --print-schema\n"
    "\n"
    "Run a command in a container described by a profile (YAML or libconfig).\n"
    "\n"
    "Modes:\n"
    "      --check            validate profiles without running anything\n"
    "      --fragment         with --check: skip required keys (a base that is included)\n"
    "      --print            print the effective profile, every key\n"
    "      --format FMT       with --print: yaml (default) or conf\n"
    "      --show-origin      with --print: the file and line behind every value\n"
    "      --print-cli        print the equivalent `congo-launch run ...` command\n"
    "      --print-schema     print the JSON Schema of profile files, for editors\n"
    "Profile:\n"
    "      --set KEY=VALUE    set a dotted key (limits.memory=1g) as the last layer\n"
    "      --reset KEY        return a key to its default (env.FOO, mounts, limits)\n"
    "Other:\n"
    "  -v, --verbose          log the files read and each setup step to stderr\n"
    "  -h, --help             show this help\n"
    "  -V, --version          show the version\n"
    "\n"
    "run options (one per profile key): --name --rootfs --layers --upper\n"
    "  --readonly-rootfs --hostname --user --workdir --env --command --pids\n"
    "  --memory --memory-swap --cpu-shares --cpus --mount --namespaces --init\n"
    "  --cgroup-parent --cap-add --cap-drop --seccomp --rlimits\n"
    "  --no-new-privileges --masked-paths --readonly-paths --stop-timeout.\n"
    "  `-` leaves a positional slot unset.\n"
    "\n"
    "Exit status: --check/--print/--print-cli 0 valid, 1 invalid, 2 usage; a run\n"
    "returns the command's status, 125 when congo-launch fails, 126/127 when the\n"
    "command cannot be executed or found. See congo-launch(1), congo-profile(5).\n";

struct options {
    enum mode mode;
    bool mode_set;
    bool fragment;
    bool show_origin;
    bool verbose;
    const char *format;
    struct stack_op *ops;
    size_t n_ops;
};

static int usage_error(enum mode mode, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage_error(enum mode mode, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("congo-launch: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry `congo-launch --help`.\n", stderr);
    va_end(ap);
    return mode == MODE_RUN ? EXIT_LAUNCHER : EXIT_USAGE;
}

/* The mode decides the usage-error status, so find it before parsing can fail. */
static enum mode scan_mode(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0 || strcmp(argv[i], "run") == 0)
            break;
        if (strcmp(argv[i], "--check") == 0)
            return MODE_CHECK;
        if (strcmp(argv[i], "--print") == 0)
            return MODE_PRINT;
        if (strcmp(argv[i], "--print-cli") == 0)
            return MODE_PRINT_CLI;
        if (strcmp(argv[i], "--print-schema") == 0)
            return MODE_PRINT_SCHEMA;
    }
    return MODE_RUN;
}

static void add_op(struct options *o, enum stack_op_kind kind, const char *arg)
{
    o->ops = xrealloc(o->ops, (o->n_ops + 1) * sizeof(*o->ops));
    o->ops[o->n_ops++] = (struct stack_op){.kind = kind, .arg = arg};
}

static int set_mode(struct options *o, enum mode mode)
{
    bool schema = o->mode == MODE_PRINT_SCHEMA || mode == MODE_PRINT_SCHEMA;
    if (o->mode_set && o->mode != mode && schema)
        return usage_error(MODE_CHECK, "--print-schema goes alone");
    if (o->mode_set && o->mode != mode)
        return usage_error(MODE_CHECK, "--check, --print and --print-cli exclude each other");
    o->mode = mode;
    o->mode_set = true;
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

static int congo_main(int argc, char **argv, struct options *opts)
{
    enum { OPT_CHECK = 256, OPT_FRAGMENT, OPT_PRINT, OPT_FORMAT, OPT_SHOW_ORIGIN, OPT_PRINT_CLI,
           OPT_PRINT_SCHEMA, OPT_SET, OPT_RESET };
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
        {"print-schema", no_argument, NULL, OPT_PRINT_SCHEMA},
        {"set", required_argument, NULL, OPT_SET},
        {"reset", required_argument, NULL, OPT_RESET},
        {0},
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
            if (set_mode(opts, c == OPT_CHECK   ? MODE_CHECK
                             : c == OPT_PRINT ? MODE_PRINT
                                              : MODE_PRINT_CLI) != 0)
                return EXIT_USAGE;
            break;
        case OPT_PRINT_SCHEMA:
            if (set_mode(opts, MODE_PRINT_SCHEMA) != 0)
                return EXIT_USAGE;
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
        default:
            if (optopt && optopt < 256)
                return usage_error(early, "unknown option -%c", optopt);
            if (optopt)
                return usage_error(early, "option %s needs a value", argv[optind - 1]);
            return usage_error(early, "unknown option %s", argv[optind - 1]);
        }
    }

    if (opts->fragment && opts->mode != MODE_CHECK)
        return usage_error(early, "--fragment goes with --check");
    if (opts->show_origin && opts->mode != MODE_PRINT)
        return usage_error(early, "--show-origin goes with --print");
    enum print_format fmt = PRINT_YAML;
    if (opts->format) {
        if (opts->mode != MODE_PRINT)
            return usage_error(early, "--format goes with --print");
        if (strcmp(opts->format, "yaml") == 0)
            fmt = PRINT_YAML;
        else if (strcmp(opts->format, "conf") == 0)
            fmt = PRINT_CONF;
        else
            return usage_error(early, "--format `%s`: expected yaml or conf", opts->format);
    }

    int rest = argc - optind;
    char **args = argv + optind;
    if (opts->mode == MODE_PRINT_SCHEMA) {
        if (rest > 0 || opts->n_ops > 0)
            return usage_error(early, "--print-schema takes no profile, --set or --reset");
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
    if (opts->mode == MODE_PRINT) {
        _cleanup_free_ char *text = profile_print(&p, fmt, opts->show_origin);
        fputs(text, stdout);
    } else if (opts->mode == MODE_PRINT_CLI) {
        _cleanup_free_ char *text = profile_print_cli(&p);
        fputs(text, stdout);
    } else if (opts->mode == MODE_RUN) {
        struct run_opts ro = {.verbose = opts->verbose ? stderr : NULL};
        struct run_result rr;
        runtime_run(&p, &ro, &rr);
        if (rr.error.msg)
            fprintf(stderr, "congo-launch: %s\n", rr.error.msg);
        if (rr.warning.msg)
            fprintf(stderr, "congo-launch: warning: %s\n", rr.warning.msg);
        status = rr.status;
        run_result_free(&rr);
    }
    profile_free(&p);
    return status;
}

int main(int argc, char **argv)
{
    runtime_set_title_area(argc, argv);
    security_use_prebuilt_default(congo_default_filter, ARRAY_SIZE(congo_default_filter),
                                  CONGO_DEFAULT_FILTER_ARCH);
    struct options o = {0};
    int status = congo_main(argc, argv, &o);
    free(o.ops);
    return status;
}
