/* The positional `run` front-end, shell quoting and --print-cli. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "profile/cli.h"
#include "profile/schema.h"
#include "util/util.h"

static struct source cmdline = {.name = (char *)"<command line>"};

static struct node *parse_words(const char *const *words, size_t n, struct diags *d)
{
    return cli_parse_run((int)n, (char **)words, &cmdline, d);
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__})
#define PARSE(d, ...) parse_words(WORDS(__VA_ARGS__), ARRAY_SIZE(WORDS(__VA_ARGS__)), d)

/* A dotted path through maps; NULL when any part is missing. */
static const struct node *get(const struct node *n, const char *dotted)
{
    _cleanup_free_ char *copy = xstrdup(dotted);
    char *save = NULL;
    for (char *part = strtok_r(copy, ".", &save); part && n; part = strtok_r(NULL, ".", &save))
        n = node_map_get(n, part);
    return n;
}

static void check_scalar(const struct node *n, const char *text)
{
    assert_non_null(n);
    assert_int_equal(n->kind, NODE_SCALAR);
    assert_true(n->flags & NODE_QUOTED);
    assert_string_equal(n->text, text);
    assert_ptr_equal(n->src, &cmdline);
    assert_int_equal(n->line, 0);
    assert_int_equal(n->col, 0);
}

static void check_path(const struct node *root, const char *dotted, const char *text)
{
    check_scalar(get(root, dotted), text);
}

static const struct node *check_seq(const struct node *root, const char *dotted, size_t n)
{
    const struct node *seq = get(root, dotted);
    assert_non_null(seq);
    assert_int_equal(seq->kind, NODE_SEQ);
    assert_int_equal(seq->n_items, n);
    return seq;
}

/* Exactly one diagnostic, an error located on the command line. */
static void check_error(struct diags *d, const char *key, const char *msg)
{
    assert_int_equal(d->n, 1);
    assert_int_equal(d->n_errors, 1);
    assert_int_equal(d->v[0].level, DIAG_ERROR);
    assert_string_equal(d->v[0].file, "<command line>");
    assert_int_equal(d->v[0].line, 0);
    assert_int_equal(d->v[0].col, 0);
    if (key)
        assert_string_equal(d->v[0].key, key);
    else
        assert_null(d->v[0].key);
    assert_string_equal(d->v[0].msg, msg);
}

static void test_positionals(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root = PARSE(&d, "/srv/root", "100", "512m", "1024", "A=1,B=2");
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    assert_int_equal(root->kind, NODE_MAP);
    assert_int_equal(root->n_items, 3);
    check_path(root, "rootfs", "/srv/root");
    assert_int_equal(get(root, "limits")->kind, NODE_MAP);
    assert_int_equal(get(root, "limits")->n_items, 3);
    check_path(root, "limits.pids", "100");
    check_path(root, "limits.memory", "512m");
    check_path(root, "limits.cpu_shares", "1024");
    const struct node *env = check_seq(root, "env", 2);
    check_scalar(env->items[0], "A=1");
    check_scalar(env->items[1], "B=2");
    assert_null(get(root, "command"));
    _cleanup_free_ char *path = node_path(env->items[1]);
    assert_string_equal(path, "env[1]");
    diags_free(&d);
}

static void test_dash_slots(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *none = PARSE(&d, "-", "-", "-", "-", "-");
    assert_non_null(none);
    assert_int_equal(none->n_items, 0);

    _cleanup_node_ struct node *some = PARSE(&d, "/r", "-", "1g", "-", "-");
    assert_non_null(some);
    assert_int_equal(some->n_items, 2);
    check_path(some, "rootfs", "/r");
    assert_int_equal(get(some, "limits")->n_items, 1);
    check_path(some, "limits.memory", "1g");

    /* The original runtime's "no variables". */
    _cleanup_node_ struct node *empty_env = PARSE(&d, "/r", "-", "-", "-", "");
    assert_non_null(empty_env);
    assert_null(get(empty_env, "env"));
    assert_int_equal(d.n, 0);
    diags_free(&d);
}

static void test_options_anywhere(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root =
        PARSE(&d, "--hostname", "box", "/r", "--user=app", "100", "-", "--readonly-rootfs", "-",
              "-", "--workdir", "/srv", "--cgroup-parent=/congo");
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    check_path(root, "hostname", "box");
    check_path(root, "rootfs", "/r");
    check_path(root, "user", "app");
    check_path(root, "limits.pids", "100");
    check_path(root, "readonly_rootfs", "true");
    check_path(root, "workdir", "/srv");
    check_path(root, "cgroup_parent", "/congo");
    assert_int_equal(root->n_items, 7);
    diags_free(&d);
}

static void test_option_forms(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *a = PARSE(&d, "/r", "-", "-", "-", "-", "--memory-swap", "2g",
                                          "--cpus", "1.5", "--name", "web");
    _cleanup_node_ struct node *b =
        PARSE(&d, "/r", "-", "-", "-", "-", "--memory-swap=2g", "--cpus=1.5", "--name=web");
    assert_non_null(a);
    assert_non_null(b);
    check_path(a, "limits.memory_swap", "2g");
    check_path(b, "limits.memory_swap", "2g");
    check_path(a, "limits.cpus", "1.5");
    check_path(b, "limits.cpus", "1.5");
    check_path(a, "name", "web");
    check_path(b, "name", "web");

    /* Only the first `=` ends the option name. */
    _cleanup_node_ struct node *c =
        PARSE(&d, "/r", "-", "-", "-", "-", "--env=A=b=c", "--user", "-dash", "--hostname=--x");
    assert_non_null(c);
    check_scalar(check_seq(c, "env", 1)->items[0], "A=b=c");
    check_path(c, "user", "-dash");
    check_path(c, "hostname", "--x");
    assert_int_equal(d.n, 0);
    diags_free(&d);
}

static void test_flags(void **state)
{
    (void)state;
    struct diags d = {0};
    /* A flag never takes the next word: `1` is PROCESS_LIMIT. */
    _cleanup_node_ struct node *root =
        PARSE(&d, "/r", "--readonly-rootfs", "1", "--init=false", "-", "-", "-",
              "--readonly-rootfs=false", "--init=true");
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    check_path(root, "limits.pids", "1");
    check_path(root, "readonly_rootfs", "false");
    check_path(root, "init", "true");
    assert_int_equal(root->n_items, 4);

    _cleanup_node_ struct node *bad = PARSE(&d, "/r", "-", "-", "-", "-", "--init=yes");
    assert_null(bad);
    check_error(&d, "init", "option --init takes =true or =false, not `yes`");
    diags_free(&d);
}

static void test_option_replaces_slot(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root = PARSE(&d, "/r", "100", "512m", "1024", "-", "--memory", "1g",
                                             "--pids=5", "--rootfs", "/other", "--memory", "2g");
    assert_non_null(root);
    assert_int_equal(root->n_items, 2);
    check_path(root, "rootfs", "/other");
    const struct node *limits = get(root, "limits");
    assert_int_equal(limits->n_items, 3);
    check_path(root, "limits.pids", "5");
    check_path(root, "limits.memory", "2g");
    check_path(root, "limits.cpu_shares", "1024");
    /* Replaced in place: the key keeps its position and index. */
    assert_string_equal(limits->items[1]->key, "memory");
    assert_int_equal(limits->items[1]->index, 1);
    assert_ptr_equal(limits->items[1]->parent, limits);

    /* In argv order: a slot after the option wins, `-` leaves it. */
    _cleanup_node_ struct node *later =
        PARSE(&d, "--memory", "1g", "/r", "--pids", "7", "-", "2g", "-", "-");
    assert_non_null(later);
    check_path(later, "limits.memory", "2g");
    check_path(later, "limits.pids", "7");
    assert_int_equal(get(later, "limits")->n_items, 2);
    assert_int_equal(d.n, 0);
    diags_free(&d);
}

static void test_env_append(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root =
        PARSE(&d, "/r", "-", "-", "-", "A=1", "--env", "B=2,C=3", "--env=D=4");
    assert_non_null(root);
    const struct node *env = check_seq(root, "env", 4);
    check_scalar(env->items[0], "A=1");
    check_scalar(env->items[1], "B=2");
    check_scalar(env->items[2], "C=3");
    check_scalar(env->items[3], "D=4");

    _cleanup_node_ struct node *before = PARSE(&d, "--env", "X=1", "/r", "-", "-", "-", "Y=2");
    assert_non_null(before);
    env = check_seq(before, "env", 2);
    check_scalar(env->items[0], "X=1");
    check_scalar(env->items[1], "Y=2");
    assert_int_equal(d.n, 0);
    diags_free(&d);
}

static void test_escapes(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root =
        PARSE(&d, "/r", "-", "-", "-", "A=1\\,2,B=x\\\\y", "--hostname", "a,b", "--user", "a\\,b",
              "--workdir", "/a\\\\b", "--layers", "/c\\,d,/e");
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    const struct node *env = check_seq(root, "env", 2);
    check_scalar(env->items[0], "A=1,2");
    check_scalar(env->items[1], "B=x\\y");
    /* Scalars keep unescaped commas. */
    check_path(root, "hostname", "a,b");
    check_path(root, "user", "a,b");
    check_path(root, "workdir", "/a\\b");
    const struct node *layers = check_seq(root, "layers", 2);
    check_scalar(layers->items[0], "/c,d");
    check_scalar(layers->items[1], "/e");

    /* The other slots are taken word for word. */
    _cleanup_node_ struct node *literal = PARSE(&d, "/r\\oot", "-", "-", "-", "-");
    assert_non_null(literal);
    check_path(literal, "rootfs", "/r\\oot");
    diags_free(&d);
}

static void test_lists(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root = PARSE(&d, "/r", "-", "-", "-", "-", "--layers", "/a,/b",
                                             "--layers=/c", "--command", "sleep,10");
    assert_non_null(root);
    const struct node *layers = check_seq(root, "layers", 3);
    check_scalar(layers->items[0], "/a");
    check_scalar(layers->items[1], "/b");
    check_scalar(layers->items[2], "/c");
    const struct node *cmd = check_seq(root, "command", 2);
    check_scalar(cmd->items[0], "sleep");
    check_scalar(cmd->items[1], "10");
    diags_free(&d);
}

/* The process keys: a scalar, lists that append, and a negative number, attached or not. */
static void test_process_options(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root =
        PARSE(&d, "/r", "-", "-", "-", "-", "--umask", "0027", "--groups", "audio,2000",
              "--groups=wheel", "--oom-score-adj=-500", "--cap-ambient", "NET_BIND_SERVICE,CHOWN");
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    check_path(root, "umask", "0027");
    const struct node *groups = check_seq(root, "groups", 3);
    check_scalar(groups->items[0], "audio");
    check_scalar(groups->items[1], "2000");
    check_scalar(groups->items[2], "wheel");
    check_path(root, "oom_score_adj", "-500");
    const struct node *ambient = check_seq(root, "capabilities.ambient", 2);
    check_scalar(ambient->items[0], "NET_BIND_SERVICE");
    check_scalar(ambient->items[1], "CHOWN");
    /* A word starting with a single `-` is still a value. */
    _cleanup_node_ struct node *next = PARSE(&d, "/r", "-", "-", "-", "-", "--oom-score-adj", "-5");
    assert_non_null(next);
    check_path(next, "oom_score_adj", "-5");
    diags_free(&d);
}

static void test_namespaces_merge(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root = PARSE(&d, "/r", "-", "-", "-", "-", "--namespaces",
                                             "net=false,cgroup=true", "--namespaces=net=true");
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    const struct node *ns = get(root, "namespaces");
    assert_int_equal(ns->kind, NODE_MAP);
    assert_int_equal(ns->n_items, 2);
    assert_string_equal(ns->items[0]->key, "net");
    check_scalar(ns->items[0], "true");
    assert_string_equal(ns->items[1]->key, "cgroup");
    check_scalar(ns->items[1], "true");
    diags_free(&d);
}

static void test_mounts(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root =
        PARSE(&d, "/r", "-", "-", "-", "-", "--mount", "/a:/b:ro", "--mount",
              "type=tmpfs,target=/run,options=size=64m\\,mode=1777",
              "--mount=source=/x\\,y,target=/z,"
              "readonly=true",
              "--mount", "/p\\,q:/r", "--mount", "target=/t,bogus=1", "--mount",
              "suid=true,source=/s,target=/u,dev=false");
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    const struct node *mounts = check_seq(root, "mounts", 6);
    check_scalar(mounts->items[0], "/a:/b:ro");

    const struct node *tmpfs = mounts->items[1];
    assert_int_equal(tmpfs->kind, NODE_MAP);
    assert_int_equal(tmpfs->n_items, 3);
    check_path(tmpfs, "type", "tmpfs");
    check_path(tmpfs, "target", "/run");
    check_path(tmpfs, "options", "size=64m,mode=1777");
    _cleanup_free_ char *path = node_path(get(tmpfs, "options"));
    assert_string_equal(path, "mounts[1].options");

    const struct node *bind = mounts->items[2];
    assert_int_equal(bind->n_items, 3);
    check_path(bind, "source", "/x,y");
    check_path(bind, "target", "/z");
    check_path(bind, "readonly", "true");

    check_scalar(mounts->items[3], "/p,q:/r");
    /* Unknown fields are the schema's to reject, with their location. */
    check_path(mounts->items[4], "bogus", "1");
    /* A bind's suid and dev, first or not: the map form. */
    const struct node *flags = mounts->items[5];
    assert_int_equal(flags->kind, NODE_MAP);
    check_path(flags, "suid", "true");
    check_path(flags, "dev", "false");
    diags_free(&d);
}

static void test_command(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root =
        PARSE(&d, "/r", "-", "-", "-", "-", "--", "/bin/echo", "--hostname", "a\\,b", "");
    assert_non_null(root);
    assert_null(get(root, "hostname"));
    const struct node *cmd = check_seq(root, "command", 4);
    check_scalar(cmd->items[0], "/bin/echo");
    check_scalar(cmd->items[1], "--hostname");
    /* The command is argv as given: no escapes. */
    check_scalar(cmd->items[2], "a\\,b");
    check_scalar(cmd->items[3], "");

    _cleanup_node_ struct node *bare = PARSE(&d, "/r", "-", "-", "-", "-", "--");
    assert_non_null(bare);
    assert_null(get(bare, "command"));

    _cleanup_node_ struct node *replaced =
        PARSE(&d, "/r", "-", "-", "-", "-", "--command", "a,b", "--", "c");
    assert_non_null(replaced);
    check_scalar(check_seq(replaced, "command", 1)->items[0], "c");
    assert_int_equal(replaced->n_items, 2);

    _cleanup_node_ struct node *kept =
        PARSE(&d, "/r", "-", "-", "-", "-", "--command", "a,b", "--");
    assert_non_null(kept);
    check_seq(kept, "command", 2);
    assert_int_equal(d.n, 0);
    diags_free(&d);
}

static void test_error_positional_count(void **state)
{
    (void)state;
    struct diags d = {0};
    assert_null(PARSE(&d, "/r", "100"));
    check_error(&d, NULL,
                "run needs ROOTFS PROCESS_LIMIT MEMORY_LIMIT CPU_SHARES ENV_VARS (2 given); `-` "
                "leaves a slot unset");
    diags_free(&d);

    assert_null(cli_parse_run(0, NULL, &cmdline, &d));
    check_error(&d, NULL,
                "run needs ROOTFS PROCESS_LIMIT MEMORY_LIMIT CPU_SHARES ENV_VARS (0 given); `-` "
                "leaves a slot unset");
    diags_free(&d);

    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "/bin/sh"));
    check_error(&d, NULL,
                "run needs ROOTFS PROCESS_LIMIT MEMORY_LIMIT CPU_SHARES ENV_VARS (6 given); `-` "
                "leaves a slot unset and the command goes after `--`");
    diags_free(&d);
}

static void test_error_unknown_option(void **state)
{
    (void)state;
    static const struct {
        const char *word, *msg;
    } cases[] = {
        {"--hostnme", "unknown option --hostnme; did you mean --hostname?"},
        {"--hostnme=box", "unknown option --hostnme; did you mean --hostname?"},
        {"--mounts", "unknown option --mounts; did you mean --mount?"},
        {"--cpu_shares", "unknown option --cpu_shares; did you mean --cpu-shares?"},
        {"--limits.memory", "unknown option --limits.memory; did you mean --memory?"},
        {"--frobnicate", "unknown option --frobnicate"},
        {"-x", "unknown option -x"},
        {"-hostname", "unknown option -hostname; did you mean --hostname?"},
        {"--reset", "unknown option --reset; --reset KEY is a global option, given before `run`"},
        {"--include", "unknown option --include; include cannot be set on the command line"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct diags d = {0};
        /* Its value, counted as a sixth slot, adds no second message. */
        assert_null(PARSE(&d, "/r", "-", "-", "-", "-", cases[i].word, "box"));
        check_error(&d, NULL, cases[i].msg);
        diags_free(&d);
    }
}

static void test_error_missing_value(void **state)
{
    (void)state;
    struct diags d = {0};
    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--hostname"));
    check_error(&d, "hostname", "option --hostname needs a value");
    diags_free(&d);

    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--memory="));
    check_error(&d, "limits.memory", "option --memory needs a value");
    diags_free(&d);

    /* The next option or the command is never taken as a value. */
    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--user", "--workdir", "/w"));
    check_error(&d, "user", "option --user needs a value");
    diags_free(&d);

    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--mount", "--", "true"));
    check_error(&d, "mounts", "option --mount needs a value");
    diags_free(&d);
}

static void test_error_escapes(void **state)
{
    (void)state;
    struct diags d = {0};
    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--layers", "/a\\n"));
    check_error(&d, "layers",
                "unknown escape `\\n` in --layers value; only \\, and \\\\ are escapes");
    diags_free(&d);

    assert_null(PARSE(&d, "/r", "-", "-", "-", "A=\\x"));
    check_error(&d, "env", "unknown escape `\\x` in ENV_VARS; only \\, and \\\\ are escapes");
    diags_free(&d);

    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--hostname", "a\\"));
    check_error(&d, "hostname",
                "`\\` at the end of --hostname value; only \\, and \\\\ are escapes");
    diags_free(&d);

    /* A multibyte character is quoted whole. */
    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--user", "a\\\xc3\xa9"));
    check_error(&d, "user",
                "unknown escape `\\\xc3\xa9` in --user value; only \\, and \\\\ are escapes");
    diags_free(&d);

    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--mount", "/a\\:/b"));
    check_error(&d, "mounts[0]",
                "unknown escape `\\:` in --mount value; only \\, and \\\\ are escapes");
    diags_free(&d);
}

static void test_error_empty_item(void **state)
{
    (void)state;
    struct diags d = {0};
    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--layers", "/a,,/b"));
    check_error(&d, "layers", "empty item in --layers value");
    diags_free(&d);

    assert_null(PARSE(&d, "/r", "-", "-", "-", "A=1,"));
    check_error(&d, "env", "empty item in ENV_VARS");
    diags_free(&d);

    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--namespaces", ",net=false"));
    check_error(&d, "namespaces", "empty item in --namespaces value");
    diags_free(&d);
}

static void test_error_map_items(void **state)
{
    (void)state;
    struct diags d = {0};
    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--mount", "/a:/b", "--mount",
                      "target=/a,type=bind,target=/b"));
    check_error(&d, "mounts[1]", "duplicate field `target` in --mount value");
    diags_free(&d);

    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--mount", "target=/a,ro"));
    check_error(&d, "mounts[0]", "`ro` in --mount value is not FIELD=VALUE");
    diags_free(&d);

    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--namespaces", "net"));
    check_error(&d, "namespaces", "`net` in --namespaces value is not NAME=VALUE");
    diags_free(&d);

    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--namespaces", "=true"));
    check_error(&d, "namespaces", "`=true` in --namespaces value is not NAME=VALUE");
    diags_free(&d);
}

static void test_error_all_reported(void **state)
{
    (void)state;
    struct diags d = {0};
    assert_null(PARSE(&d, "/r", "--layers", "/a,", "-", "-", "-", "-", "--hostname"));
    assert_int_equal(d.n_errors, 2);
    assert_string_equal(d.v[0].msg, "empty item in --layers value");
    assert_string_equal(d.v[1].msg, "option --hostname needs a value");
    diags_free(&d);
}

static void check_quote(const char *in, const char *out)
{
    _cleanup_free_ char *q = shell_quote(in);
    assert_string_equal(q, out);
}

static void test_shell_quote(void **state)
{
    (void)state;
    check_quote("abc", "abc");
    check_quote("/srv/x_y-z.1:a=b,c+d@e%f^g", "/srv/x_y-z.1:a=b,c+d@e%f^g");
    check_quote("-", "-");
    check_quote("", "''");
    check_quote("a b", "'a b'");
    check_quote("it's", "'it'\\''s'");
    check_quote("'", "''\\'''");
    check_quote("$HOME", "'$HOME'");
    check_quote("a\\,b", "'a\\,b'");
    check_quote("~", "'~'");
    check_quote("*", "'*'");
    check_quote("a\nb", "'a\nb'");
    check_quote("\xc3\xa9", "'\xc3\xa9'");
}

/* Hand-built profiles: what the schema would produce. */
static void add_layer(struct profile *p, const char *path)
{
    p->layers = xrealloc(p->layers, (p->n_layers + 1) * sizeof(*p->layers));
    p->layers[p->n_layers++] = (struct profile_layer){.path = xstrdup(path)};
}

static void add_env(struct profile *p, const char *name, const char *value)
{
    p->env = xrealloc(p->env, (p->n_env + 1) * sizeof(*p->env));
    p->env[p->n_env++] = (struct profile_env){.name = xstrdup(name), .value = xstrdup(value)};
}

static void add_mount(struct profile *p, enum mount_type type, const char *source,
                      const char *target, bool readonly, const char *options)
{
    p->mounts = xrealloc(p->mounts, (p->n_mounts + 1) * sizeof(*p->mounts));
    p->mounts[p->n_mounts++] = (struct profile_mount){
        .type = type,
        .source = source ? xstrdup(source) : NULL,
        .target = xstrdup(target),
        .readonly = readonly,
        .options = options ? xstrdup(options) : NULL,
    };
}

static void set_command(struct profile *p, const char *const *argv)
{
    for (size_t i = 0; argv[i]; i++)
        strv_push(&p->command, xstrdup(argv[i]));
}

static void check_cli(const struct profile *p, const char *expected)
{
    _cleanup_free_ char *cli = profile_print_cli(p);
    assert_string_equal(cli, expected);
}

static void test_print_default(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    check_cli(&p, "congo-launch run - - - - -\n");
    p.rootfs = xstrdup("/srv/root");
    p.name = xstrdup("congo");
    p.workdir = xstrdup("/");
    check_cli(&p, "congo-launch run /srv/root - - - -\n");
    profile_free(&p);
}

static void test_print_everything(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    p.name = xstrdup("web");
    p.rootfs = xstrdup("/srv/root");
    add_layer(&p, "/l/one");
    add_layer(&p, "/l/two");
    p.upper = xstrdup("/var/lib/web");
    p.readonly_rootfs = true;
    p.hostname = xstrdup("web-1");
    p.user = xstrdup("app:app");
    p.workdir = xstrdup("/srv");
    add_env(&p, "A", "1");
    add_env(&p, "B", "");
    set_command(&p, WORDS("/bin/echo", "hello world", NULL));
    p.pids = 100;
    p.memory = 512 << 20;
    p.memory_swap = (int64_t)1 << 30;
    p.cpu_shares = 1024;
    p.cpu_quota = 150000;
    add_mount(&p, MOUNT_BIND, "/data", "/data", true, NULL);
    add_mount(&p, MOUNT_NONE, NULL, "/gone", false, NULL);
    add_mount(&p, MOUNT_BIND, "/src", "/dst", false, NULL);
    add_mount(&p, MOUNT_TMPFS, NULL, "/run", false, "size=64m,mode=1777");
    add_mount(&p, MOUNT_TMPFS, NULL, "/cache", true, NULL);
    add_mount(&p, MOUNT_BIND, "/tools", "/opt/tools", false, NULL);
    p.mounts[p.n_mounts - 1].suid = true;
    add_mount(&p, MOUNT_BIND, "/devs", "/srv/devs", true, "noexec");
    p.mounts[p.n_mounts - 1].dev = true;
    p.ns[NS_CGROUP] = true;
    p.ns[NS_NET] = false;
    p.init = false;
    p.cgroup_parent = xstrdup("/congo/web");
    check_cli(&p,
              "congo-launch run /srv/root 100 512m 1024 A=1,B= --name web --layers /l/one,/l/two"
              " --upper /var/lib/web --readonly-rootfs --hostname web-1 --user app:app"
              " --workdir /srv --memory-swap 1g --cpus 1.5 --mount /data:/data:ro"
              " --mount /src:/dst --mount 'type=tmpfs,target=/run,options=size=64m\\,mode=1777'"
              " --mount type=tmpfs,target=/cache,readonly=true"
              " --mount source=/tools,target=/opt/tools,suid=true"
              " --mount source=/devs,target=/srv/devs,readonly=true,dev=true,options=noexec"
              " --namespaces cgroup=true,net=false --init=false --cgroup-parent /congo/web"
              " -- /bin/echo 'hello world'\n");
    profile_free(&p);
}

static void test_print_process_keys(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    p.umask = 0027;
    p.groups = xcalloc(2, sizeof(*p.groups));
    p.groups[0] = (struct profile_layer){.path = xstrdup("audio")};
    p.groups[1] = (struct profile_layer){.path = xstrdup("2000")};
    p.n_groups = 2;
    p.oom_score_adj = -500;
    p.cap_ambient = (UINT64_C(1) << 10) | 1; /* NET_BIND_SERVICE, CHOWN */
    check_cli(&p, "congo-launch run - - - - - --umask 0027 --groups audio,2000"
                  " --cap-ambient CHOWN,NET_BIND_SERVICE --oom-score-adj=-500\n");
    /* At their defaults, none is written: 0022, no group, the launcher's oom_score_adj. */
    p.umask = 0022;
    p.oom_score_adj = OOM_SCORE_ADJ_UNSET;
    p.cap_ambient = 0;
    check_cli(&p, "congo-launch run - - - - - --groups audio,2000\n");
    profile_free(&p);
}

static void test_print_tricky(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    p.rootfs = xstrdup("/srv/my root");
    add_layer(&p, "/l/a,b");
    add_layer(&p, "/l/it's");
    p.workdir = xstrdup("/home/x y");
    add_env(&p, "CSV", "a,b\\c");
    add_env(&p, "Q", "it's");
    add_mount(&p, MOUNT_BIND, "/src:x", "/dst", false, NULL);
    add_mount(&p, MOUNT_BIND, "/a b", "/dst dir", true, NULL);
    add_mount(&p, MOUNT_BIND, "/c,d", "/e\\f", true, NULL);
    add_mount(&p, MOUNT_BIND, "target=x", "/t", false, NULL);
    p.command_shell = true;
    set_command(&p, WORDS("/bin/sh", "-c", "echo \"$HOME\" 'x'", NULL));
    check_cli(&p, "congo-launch run '/srv/my root' - - - 'CSV=a\\,b\\\\c,Q=it'\\''s'"
                  " --layers '/l/a\\,b,/l/it'\\''s' --workdir '/home/x y'"
                  " --mount source=/src:x,target=/dst --mount '/a b:/dst dir:ro'"
                  " --mount 'source=/c\\,d,target=/e\\\\f,readonly=true'"
                  " --mount source=target=x,target=/t"
                  " -- /bin/sh -c 'echo \"$HOME\" '\\''x'\\'''\n");
    profile_free(&p);
}

static void test_print_dash_values(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    p.rootfs = xstrdup("-");
    p.user = xstrdup("-u");
    add_mount(&p, MOUNT_BIND, "-s", "/t", false, NULL);
    check_cli(&p, "congo-launch run - - - - - --rootfs=- --user=-u --mount=-s:/t\n");
    profile_free(&p);
}

/* Enough of sh(1) to read back what profile_print_cli writes. */
static char **shell_split(const char *line)
{
    char **words = NULL;
    const char *s = line;
    for (;;) {
        while (*s == ' ' || *s == '\n')
            s++;
        if (!*s)
            return words;
        _cleanup_(strbuf_free) struct strbuf w = {0};
        while (*s && *s != ' ' && *s != '\n') {
            if (*s == '\'') {
                const char *end = strchr(s + 1, '\'');
                assert_non_null(end);
                strbuf_add(&w, s + 1, (size_t)(end - s - 1));
                s = end + 1;
            } else if (*s == '\\') {
                strbuf_putc(&w, s[1]);
                s += 2;
            } else {
                strbuf_putc(&w, *s++);
            }
        }
        strv_push(&words, strbuf_steal(&w));
    }
}

static struct node *parse_cli(const struct profile *p, struct diags *d)
{
    _cleanup_free_ char *cli = profile_print_cli(p);
    _cleanup_strv_ char **words = shell_split(cli);
    assert_true(strv_len(words) >= 2);
    assert_string_equal(words[0], "congo-launch");
    assert_string_equal(words[1], "run");
    return cli_parse_run((int)strv_len(words) - 2, words + 2, &cmdline, d);
}

/* Printed and parsed again, every value comes back as it was. */
static void test_round_trip_tree(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    p.name = xstrdup("web");
    p.rootfs = xstrdup("/srv/my root,\\x");
    add_layer(&p, "/l/a,b");
    add_layer(&p, "/l/back\\slash");
    p.hostname = xstrdup("h");
    p.user = xstrdup("a,b");
    add_env(&p, "CSV", "a,b\\c");
    add_env(&p, "EMPTY", "");
    p.pids = 5;
    p.memory = (int64_t)3 << 30;
    p.memory_swap = (int64_t)4 << 30;
    p.cpu_quota = 1000;
    add_mount(&p, MOUNT_BIND, "/src:x", "/dst,y", true, NULL);
    add_mount(&p, MOUNT_TMPFS, NULL, "/run", false, "size=64m,mode=1777");
    p.ns[NS_UTS] = false;
    set_command(&p, WORDS("printf", "%s\\n", "--", "it's", NULL));

    struct diags d = {0};
    _cleanup_node_ struct node *root = parse_cli(&p, &d);
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    check_path(root, "name", "web");
    check_path(root, "rootfs", "/srv/my root,\\x");
    const struct node *layers = check_seq(root, "layers", 2);
    check_scalar(layers->items[0], "/l/a,b");
    check_scalar(layers->items[1], "/l/back\\slash");
    check_path(root, "hostname", "h");
    check_path(root, "user", "a,b");
    const struct node *env = check_seq(root, "env", 2);
    check_scalar(env->items[0], "CSV=a,b\\c");
    check_scalar(env->items[1], "EMPTY=");
    check_path(root, "limits.pids", "5");
    check_path(root, "limits.memory", "3g");
    check_path(root, "limits.memory_swap", "4g");
    check_path(root, "limits.cpus", "0.01");
    assert_null(get(root, "limits.cpu_shares"));
    const struct node *mounts = check_seq(root, "mounts", 2);
    check_path(mounts->items[0], "source", "/src:x");
    check_path(mounts->items[0], "target", "/dst,y");
    check_path(mounts->items[0], "readonly", "true");
    check_path(mounts->items[1], "type", "tmpfs");
    check_path(mounts->items[1], "options", "size=64m,mode=1777");
    assert_int_equal(get(root, "namespaces")->n_items, 1);
    check_path(root, "namespaces.uts", "false");
    const struct node *cmd = check_seq(root, "command", 4);
    check_scalar(cmd->items[0], "printf");
    check_scalar(cmd->items[1], "%s\\n");
    check_scalar(cmd->items[2], "--");
    check_scalar(cmd->items[3], "it's");
    assert_null(get(root, "init"));
    assert_null(get(root, "upper"));
    profile_free(&p);
    diags_free(&d);
}

static void add_pair(struct profile_env **v, size_t *n, const char *name, const char *value)
{
    *v = xrealloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = (struct profile_env){.name = xstrdup(name), .value = xstrdup(value)};
}

/* The keys of an OCI config's kernel parameters, domain name, annotations and joined namespaces. */
static void test_print_ns_keys(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    p.rootfs = xstrdup("/r");
    p.domainname = xstrdup("nis.example");
    add_pair(&p.sysctl, &p.n_sysctl, "net.ipv4.ip_unprivileged_port_start", "0");
    add_pair(&p.sysctl, &p.n_sysctl, "kernel.sem", "250 32000 32 128");
    add_pair(&p.annotations, &p.n_annotations, "org.example.owner", "alice");
    add_pair(&p.annotations, &p.n_annotations, "org.example.note", "a=b, c\\d");
    p.ns_path[NS_NET] = xstrdup("/run/netns/a,b");
    p.ns_path[NS_PID] = xstrdup("/proc/42/ns/pid");
    check_cli(&p, "congo-launch run /r - - - - --domainname nis.example"
                  " --namespaces 'net=/run/netns/a\\,b,pid=/proc/42/ns/pid'"
                  " --sysctl 'net.ipv4.ip_unprivileged_port_start=0,kernel.sem=250 32000 32 128'"
                  " --annotations 'org.example.owner=alice,org.example.note=a=b\\, c\\\\d'\n");

    struct diags d = {0};
    _cleanup_node_ struct node *root = parse_cli(&p, &d);
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    check_path(root, "domainname", "nis.example");
    const struct node *ns = get(root, "namespaces");
    assert_int_equal(ns->n_items, 2);
    check_scalar(node_map_get(ns, "net"), "/run/netns/a,b");
    check_scalar(node_map_get(ns, "pid"), "/proc/42/ns/pid");
    const struct node *sysctl = check_seq(root, "sysctl", 2);
    check_scalar(sysctl->items[0], "net.ipv4.ip_unprivileged_port_start=0");
    check_scalar(sysctl->items[1], "kernel.sem=250 32000 32 128");
    const struct node *ann = check_seq(root, "annotations", 2);
    check_scalar(ann->items[1], "org.example.note=a=b, c\\d");
    profile_free(&p);
    diags_free(&d);
}

static void test_round_trip_dash_values(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    p.rootfs = xstrdup("--weird");
    p.workdir = xstrdup("-w");
    add_env(&p, "A", "1");
    struct diags d = {0};
    _cleanup_node_ struct node *root = parse_cli(&p, &d);
    assert_non_null(root);
    check_path(root, "rootfs", "--weird");
    check_path(root, "workdir", "-w");
    check_scalar(check_seq(root, "env", 1)->items[0], "A=1");
    profile_free(&p);
    diags_free(&d);
}

/* --network: a mode word, or fields into the one network map; repeated options merge into it. */
static void test_network(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *word = PARSE(&d, "/r", "-", "-", "-", "-", "--network", "pasta");
    assert_non_null(word);
    check_path(word, "network.mode", "pasta");

    _cleanup_node_ struct node *root =
        PARSE(&d, "/r", "-", "-", "-", "-", "--network",
              "mode=bridge,port=8080:80,dns=192.0.2.1,dns=192.0.2.2", "--network",
              "host", "--network=port=53:53/udp,dns=192.0.2.3,subnet=10.9.0.0/16");
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    const struct node *net = get(root, "network");
    assert_int_equal(net->kind, NODE_MAP);
    check_path(net, "mode", "host");
    check_path(net, "subnet", "10.9.0.0/16");
    const struct node *ports = check_seq(net, "ports", 2);
    check_scalar(ports->items[0], "8080:80");
    check_scalar(ports->items[1], "53:53/udp");
    _cleanup_free_ char *path = node_path(ports->items[1]);
    assert_string_equal(path, "network.ports[1]");
    /* One option's dns= are a list; a later option's replace it. */
    const struct node *dns = check_seq(net, "dns", 1);
    check_scalar(dns->items[0], "192.0.2.3");

    _cleanup_node_ struct node *bad = PARSE(&d, "/r", "-", "-", "-", "-", "--network", "mode");
    assert_non_null(bad); /* a mode word: the schema says `mode` is none */
    check_path(bad, "network.mode", "mode");
    assert_null(PARSE(&d, "/r", "-", "-", "-", "-", "--network", "bridge=br0,ssubnet=x"));
    check_error(&d, "network",
                "unknown field `ssubnet` in --network value (mode, bridge, subnet, address, "
                "port, dns); did you mean `subnet`?");
    diags_free(&d);
}

/* --print-cli: the mode alone when nothing else is set, else every field that is. */
static void test_print_network(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    check_cli(&p, "congo-launch run - - - - -\n");
    p.network.mode = NET_PASTA;
    check_cli(&p, "congo-launch run - - - - - --network pasta\n");
    p.network.mode = NET_BRIDGE;
    p.network.bridge = xstrdup("br,0");
    p.network.subnet = xstrdup("10.9.0.0/16");
    p.network.address = xstrdup("10.9.3.4");
    p.network.ports = xcalloc(2, sizeof(*p.network.ports));
    p.network.ports[0].map = (struct port_map){.host_port = 8080, .container_port = 80};
    p.network.ports[1].map = (struct port_map){
        .host_addr = 0x7f000001, .host_port = 53, .container_port = 53, .udp = true};
    p.network.n_ports = 2;
    strv_push(&p.network.dns, xstrdup("2001:db8::1"));
    check_cli(&p, "congo-launch run - - - - - --network 'mode=bridge,bridge=br\\,0,"
                  "subnet=10.9.0.0/16,address=10.9.3.4,port=8080:80,port=127.0.0.1:53:53/udp,"
                  "dns=2001:db8::1'\n");

    struct diags d = {0};
    _cleanup_node_ struct node *root = parse_cli(&p, &d);
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    check_path(root, "network.bridge", "br,0");
    check_path(root, "network.address", "10.9.3.4");
    check_scalar(check_seq(root, "network.ports", 2)->items[1], "127.0.0.1:53:53/udp");
    check_scalar(check_seq(root, "network.dns", 1)->items[0], "2001:db8::1");
    profile_free(&p);
    diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positionals),
        cmocka_unit_test(test_dash_slots),
        cmocka_unit_test(test_options_anywhere),
        cmocka_unit_test(test_option_forms),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_option_replaces_slot),
        cmocka_unit_test(test_env_append),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_process_options),
        cmocka_unit_test(test_namespaces_merge),
        cmocka_unit_test(test_mounts),
        cmocka_unit_test(test_command),
        cmocka_unit_test(test_error_positional_count),
        cmocka_unit_test(test_error_unknown_option),
        cmocka_unit_test(test_error_missing_value),
        cmocka_unit_test(test_error_escapes),
        cmocka_unit_test(test_error_empty_item),
        cmocka_unit_test(test_error_map_items),
        cmocka_unit_test(test_error_all_reported),
        cmocka_unit_test(test_shell_quote),
        cmocka_unit_test(test_print_default),
        cmocka_unit_test(test_print_everything),
        cmocka_unit_test(test_print_process_keys),
        cmocka_unit_test(test_print_tricky),
        cmocka_unit_test(test_print_dash_values),
        cmocka_unit_test(test_round_trip_tree),
        cmocka_unit_test(test_round_trip_dash_values),
        cmocka_unit_test(test_print_ns_keys),
        cmocka_unit_test(test_network),
        cmocka_unit_test(test_print_network),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
