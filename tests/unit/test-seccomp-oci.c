/*
 * OCI seccomp policies (src/profile/seccomp-oci.c, seccomp-oci-print.c and
 * their compile in src/plan/security.c): read from a profile's map, in
 * YAML and libconfig, from a .json file and from the run form's JSON text,
 * every error located by line or by JSON pointer; printed back; compiled
 * into a filter that does what the policy says, which a forked child loads
 * (with no_new_privileges: no root needed).
 */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan/plan.h"
#include "profile/cli.h"
#include "profile/print.h"
#include "profile/seccomp-oci.h"
#include "runtime/security.h"
#include "util/util.h"

/* Each test gets a scratch directory. */
static int setup(void **state)
{
    *state = test_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    test_rmrf(*state);
    free(*state);
    return 0;
}

static char *data_path(const char *name)
{
    return xasprintf("%s/tests/data/roundtrip/%s", test_srcdir(), name);
}

/* Load path, which must load; p is the caller's to free. */
static void load_ok(struct profile *p, const char *path)
{
    struct diags d = {0};
    if (test_load_file(p, path, &d) < 0) {
        _cleanup_free_ char *text = test_diags_text(&d);
        fail_msg("%s does not load:\n%s", path, text);
    }
    diags_free(&d);
}

/* The run form: the words after `run`. */
static int load_run(struct profile *p, char **words, struct diags *d)
{
    struct stack_opts o = {.run_argv = words, .run_argc = (int)strv_len(words)};
    return test_load_opts(p, &o, d);
}

/*
 * Load dir/name holding text, which must fail with an error containing
 * msg, in file (NULL: name in dir) at line (0 for JSON: none) and key.
 */
static void assert_error_at(const char *dir, const char *name, const char *text, const char *file,
                            int line, const char *key, const char *msg)
{
    _cleanup_free_ char *path = test_write(dir, name, text);
    _cleanup_free_ char *want_file = file ? xasprintf("%s/%s", dir, file) : xstrdup(path);
    struct profile p;
    struct diags d = {0};
    assert_int_equal(test_load_file(&p, path, &d), -1);
    _cleanup_free_ char *all = test_diags_text(&d);
    const struct diag *g = test_find_diag(&d, msg);
    if (!g)
        fail_msg("no error containing \"%s\":\n%s", msg, all);
    if (!g->file || strcmp(g->file, want_file) != 0 || g->line != line || !str_eq(g->key, key))
        fail_msg("\"%s\" is at %s:%d, key %s; want %s:%d, key %s:\n%s", msg,
                 g->file ? g->file : "(none)", g->line, g->key ? g->key : "(none)", want_file, line,
                 key ? key : "(none)", all);
    profile_free(&p);
    diags_free(&d);
}

/* ---- reading ---- */

/* Every field of the spec, as tests/data/roundtrip/oci-policy.yaml writes it. */
static void test_every_field(void **state)
{
    (void)state;
    _cleanup_free_ char *path = data_path("oci-policy.yaml");
    struct profile p;
    load_ok(&p, path);
    assert_string_equal(p.seccomp, SECCOMP_POLICY_INLINE);
    const struct seccomp_policy *pol = p.seccomp_policy;
    assert_non_null(pol);
    assert_int_equal(pol->default_action, POLICY_ACT_ERRNO);
    assert_int_equal(pol->default_errno, ENOSYS);
    assert_int_equal(pol->n_arches, 3);
    assert_string_equal(seccomp_policy_arch_name(pol->arches[0]), "SCMP_ARCH_X86_64");
    assert_string_equal(seccomp_policy_arch_name(pol->arches[2]), "SCMP_ARCH_X32");
    assert_int_equal(pol->flags, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
    assert_string_equal(pol->listener_path, "/run/agent.sock");
    /* A profile's strings are interpolated: `$$` is a `$`. */
    assert_string_equal(pol->listener_metadata, "MKNOD=/dev/null; $HOME");
    assert_int_equal(pol->n_rules, 11);
    /* Names are kept as written, one unknown here included. */
    assert_string_equal(pol->rules[0].names[3], "not_a_system_call");
    assert_null(pol->rules[0].names[4]);
    assert_int_equal(pol->rules[0].action, POLICY_ACT_ALLOW);
    const struct seccomp_policy_rule *personality = &pol->rules[1];
    assert_int_equal(personality->n_args, 2);
    assert_int_equal(personality->args[1].value, 0xffffffffULL);
    assert_int_equal(personality->args[1].op, POLICY_OP_EQ);
    assert_int_equal(pol->rules[2].args[0].op, POLICY_OP_MASKED_EQ);
    assert_int_equal(pol->rules[2].args[0].value, 2114060288);
    assert_int_equal(pol->rules[3].errno_ret, EAFNOSUPPORT);
    assert_int_equal(pol->rules[3].args[1].index, 1);
    assert_int_equal(pol->rules[3].args[1].op, POLICY_OP_MASKED_EQ);
    assert_int_equal(pol->rules[3].args[1].value_two, 2);
    assert_int_equal(pol->rules[4].action, POLICY_ACT_TRACE);
    assert_int_equal(pol->rules[4].errno_ret, 7);
    assert_int_equal(pol->rules[5].action, POLICY_ACT_KILL_PROCESS);
    assert_int_equal(pol->rules[6].action, POLICY_ACT_KILL);
    assert_int_equal(pol->rules[7].action, POLICY_ACT_KILL_THREAD);
    assert_int_equal(pol->rules[8].action, POLICY_ACT_TRAP);
    assert_int_equal(pol->rules[9].action, POLICY_ACT_LOG);
    /* SCMP_ACT_ERRNO without errnoRet returns EPERM, as the spec says. */
    assert_int_equal(pol->rules[10].errno_ret, EPERM);
    assert_int_equal(pol->rules[10].args[1].value, INT64_MAX);
    assert_int_equal(pol->rules[10].args[3].op, POLICY_OP_NE);
    assert_int_equal(pol->rules[10].args[4].op, POLICY_OP_GE);
    /* Where each rule was written, for the compile's errors. */
    assert_string_equal(pol->rules[3].where.key, "seccomp.syscalls[3]");
    assert_int_equal(pol->rules[3].where.line, 23);
    profile_free(&p);
}

/* The same policy inline in YAML and libconfig, in a .json file, and as the run form's text. */
static void test_formats_agree(void **state)
{
    (void)state;
    _cleanup_free_ char *yaml = data_path("oci-policy.yaml");
    _cleanup_free_ char *conf = data_path("oci-policy.conf");
    _cleanup_free_ char *file = data_path("oci-policy-file.yaml");
    _cleanup_free_ char *json_rel = data_path("oci-policy.json");
    _cleanup_free_ char *json = realpath(json_rel, NULL);
    struct profile a, b, c, r;
    load_ok(&a, yaml);
    load_ok(&b, conf);
    load_ok(&c, file);
    assert_true(seccomp_policy_equal(a.seccomp_policy, b.seccomp_policy));
    assert_true(seccomp_policy_equal(a.seccomp_policy, c.seccomp_policy));
    /* The file's path is the value: --print writes it, not the policy. */
    assert_string_equal(c.seccomp, json);
    _cleanup_free_ char *text = seccomp_policy_json(a.seccomp_policy);
    char *words[] = {"/srv/root", "-", "-", "-", "-", "--seccomp", text, NULL};
    struct diags d = {0};
    assert_int_equal(load_run(&r, words, &d), 0);
    assert_true(seccomp_policy_equal(a.seccomp_policy, r.seccomp_policy));
    assert_string_equal(r.seccomp, SECCOMP_POLICY_INLINE);
    diags_free(&d);
    /* A change anywhere is another policy. */
    b.seccomp_policy->rules[1].args[1].value--;
    assert_false(seccomp_policy_equal(a.seccomp_policy, b.seccomp_policy));
    assert_false(profile_equal(&a, &b));
    profile_free(&a);
    profile_free(&b);
    profile_free(&c);
    profile_free(&r);
}

/* A .json file's errors name the file and a JSON pointer into it, all of them at once. */
static void test_json_errors_by_pointer(void **state)
{
    const char *dir = *state;
    free(test_write(
        dir, "policy.json",
        "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": \"1\",\n"
        " \"syscalls\": [\n"
        "  {\"names\": [\"read\", 5], \"action\": \"SCMP_ACT_ALLOW\"},\n"
        "  {\"nmes\": [\"write\"], \"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
        "  {\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
        "   \"args\": [{\"index\": 0, \"value\": 1.5, \"op\": \"SCMP_CMP_EQ\"}]},\n"
        "  {\"names\": [\"b\"], \"action\": \"SCMP_ACT_FOO\"}]}\n"));
    const char *profile = "rootfs: /\nseccomp: policy.json\n";
    assert_error_at(dir, "p.yaml", profile, "policy.json", 0, "/syscalls/3/action",
                    "unknown action `SCMP_ACT_FOO`");
    assert_error_at(dir, "p.yaml", profile, "policy.json", 0, "/defaultErrnoRet",
                    "as a JSON number, got the string \"1\"");
    assert_error_at(dir, "p.yaml", profile, "policy.json", 0, "/syscalls/0/names/1",
                    "expected a system call name (a JSON string), got 5");
    assert_error_at(dir, "p.yaml", profile, "policy.json", 0, "/syscalls/1/nmes",
                    "unknown key `nmes` in a seccomp rule (did you mean `names`?)");
    assert_error_at(dir, "p.yaml", profile, "policy.json", 0, "/syscalls/2/args/0/value",
                    "a whole number from 0 to 9223372036854775807, got `1.5`");
    /* A whole document that is not JSON: its line and column. */
    free(test_write(dir, "policy.json",
                    "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n  syscalls: []}\n"));
    assert_error_at(dir, "p.yaml", profile, "policy.json", 2, NULL, "not valid JSON");
    /* And a file that is not there, or not a policy at all. */
    assert_error_at(dir, "p.yaml", "rootfs: /\nseccomp: missing.json\n", "missing.json", 0, NULL,
                    "cannot read: No such file or directory");
    free(test_write(dir, "policy.json", "{\"rootfs\": \"/\"}\n"));
    assert_error_at(dir, "p.yaml", profile, "policy.json", 0, NULL,
                    "missing `defaultAction`: the action for every call no rule matches");
}

/* Written in a profile, a policy's errors are at their file and line, under the seccomp key. */
static void test_inline_errors_by_line(void **state)
{
    const char *dir = *state;
    const char *yaml = "rootfs: /\n"
                       "seccomp:\n"
                       "  defaultAction: SCMP_ACT_ALLOW\n"
                       "  syscalls:\n"
                       "    - names: [mkdir]\n"
                       "      action: SCMP_ACT_ERRNO\n"
                       "      errnoRet: 4096\n"
                       "    - names: [chmod]\n"
                       "      action: SCMP_ACT_ERRNOO\n";
    assert_error_at(dir, "p.yaml", yaml, NULL, 9, "seccomp.syscalls[1].action",
                    "unknown action `SCMP_ACT_ERRNOO` (did you mean `SCMP_ACT_ERRNO`?)");
    assert_error_at(dir, "p.yaml", yaml, NULL, 7, "seccomp.syscalls[0].errnoRet",
                    "expected an errno, a whole number from 0 to 4095, got `4096`");
    const char *conf = "rootfs = \"/\";\n"
                       "seccomp = {\n"
                       "  defaultAction = \"SCMP_ACT_ALLOW\";\n"
                       "  syscalls = (\n"
                       "    { names = [ \"mkdir\" ]; action = \"SCMP_ACT_ALLOW\";\n"
                       "      args = ( { index = 6; value = 0; op = \"SCMP_CMP_EQ\"; } ); }\n"
                       "  );\n"
                       "};\n";
    assert_error_at(dir, "p.conf", conf, NULL, 6, "seccomp.syscalls[0].args[0].index",
                    "expected an argument index, a whole number from 0 to 5, got `6`");
    /* In YAML and libconfig a number may be written as a string: only JSON tells them apart. */
    _cleanup_free_ char *path = test_write(
        dir, "q.yaml",
        "rootfs: /\nseccomp: {defaultAction: SCMP_ACT_ERRNO, defaultErrnoRet: \"13\"}\n");
    struct profile p;
    load_ok(&p, path);
    assert_int_equal(p.seccomp_policy->default_errno, EACCES);
    profile_free(&p);
}

/* What congo cannot honour is refused, each where it is written. */
static void test_refused(void **state)
{
    const char *dir = *state;
    const char *yaml =
        "rootfs: /\n"
        "seccomp:\n"
        "  defaultAction: SCMP_ACT_KILL\n"
        "  defaultErrnoRet: 1\n"
        "  architectures: [SCMP_ARCH_X86_65]\n"
        "  flags: [SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, SECCOMP_FILTER_FLAG_FOO]\n"
        "  listenerMetadata: x\n"
        "  syscalls:\n"
        "    - names: [mkdir]\n"
        "      action: SCMP_ACT_NOTIFY\n"
        "    - names: []\n"
        "      action: SCMP_ACT_ALLOW\n"
        "      errnoRet: 1\n"
        "    - names: [\"\"]\n"
        "      action: SCMP_ACT_ALLOW\n"
        "      args: [{value: 1}]\n"
        "    - names: read\n"
        "      action: SCMP_ACT_ALLOW\n";
    assert_error_at(dir, "p.yaml", yaml, NULL, 4, "seccomp.defaultErrnoRet",
                    "defaultErrnoRet is for SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not SCMP_ACT_KILL");
    assert_error_at(dir, "p.yaml", yaml, NULL, 5, "seccomp.architectures[0]",
                    "unknown architecture `SCMP_ARCH_X86_65` (did you mean `SCMP_ARCH_X86_64`?)");
    assert_error_at(dir, "p.yaml", yaml, NULL, 6, "seccomp.flags[0]",
                    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV concerns a seccomp agent");
    assert_error_at(dir, "p.yaml", yaml, NULL, 6, "seccomp.flags[1]",
                    "unknown flag `SECCOMP_FILTER_FLAG_FOO`");
    assert_error_at(dir, "p.yaml", yaml, NULL, 7, "seccomp.listenerMetadata",
                    "listenerMetadata without listenerPath");
    assert_error_at(dir, "p.yaml", yaml, NULL, 10, "seccomp.syscalls[0].action",
                    "congo does not support seccomp agents");
    assert_error_at(dir, "p.yaml", yaml, NULL, 11, "seccomp.syscalls[1].names",
                    "no system call names; a rule names at least one");
    assert_error_at(dir, "p.yaml", yaml, NULL, 13, "seccomp.syscalls[1].errnoRet",
                    "errnoRet is for SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not SCMP_ACT_ALLOW");
    assert_error_at(dir, "p.yaml", yaml, NULL, 14, "seccomp.syscalls[2].names[0]",
                    "empty system call name");
    assert_error_at(dir, "p.yaml", yaml, NULL, 16, "seccomp.syscalls[2].args[0]",
                    "missing `op`: the comparison");
    assert_error_at(dir, "p.yaml", yaml, NULL, 17, "seccomp.syscalls[3].names",
                    "expected a list of system call names, got a value");
    /* An architecture of the spec that this libseccomp does not know. */
    if (seccomp_arch_resolve_name("loongarch64") == 0)
        assert_error_at(dir, "p.yaml",
                        "rootfs: /\nseccomp:\n  defaultAction: SCMP_ACT_ALLOW\n"
                        "  architectures: [SCMP_ARCH_LOONGARCH64]\n",
                        NULL, 4, "seccomp.architectures[0]",
                        "SCMP_ARCH_LOONGARCH64 is unknown to this libseccomp");
}

/* The run form's JSON text: its errors are pointers below the seccomp key. */
static void test_run_form_errors(void **state)
{
    (void)state;
    char *words[] = {"/",
                     "-",
                     "-",
                     "-",
                     "-",
                     "--seccomp",
                     "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],"
                     "\"action\":\"SCMP_ACT_BAR\"}]}",
                     NULL};
    struct profile p;
    struct diags d = {0};
    assert_int_equal(load_run(&p, words, &d), -1);
    const struct diag *g = test_find_diag(&d, "unknown action `SCMP_ACT_BAR`");
    assert_non_null(g);
    assert_string_equal(g->file, "<command line>");
    assert_string_equal(g->key, "seccomp/syscalls/0/action");
    profile_free(&p);
    diags_free(&d);
    words[6] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\",";
    assert_int_equal(load_run(&p, words, &d), -1);
    assert_non_null(test_find_diag(&d, "not valid JSON"));
    profile_free(&p);
    diags_free(&d);
}

/* Hostile documents are refused with a location; the sanitizers watch for the rest. */
static void test_hostile(void **state)
{
    const char *dir = *state;
    const char *profile = "rootfs: /\nseccomp: policy.json\n";
    struct strbuf deep = {0};
    strbuf_puts(&deep, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ");
    for (int i = 0; i < 100; i++)
        strbuf_putc(&deep, '[');
    for (int i = 0; i < 100; i++)
        strbuf_putc(&deep, ']');
    strbuf_puts(&deep, "}\n");
    _cleanup_free_ char *deep_text = strbuf_steal(&deep);
    free(test_write(dir, "policy.json", deep_text));
    /* The object is level 1 and syscalls level 2: the first array too deep is at level 65. */
    struct strbuf pointer = {0};
    strbuf_puts(&pointer, "/syscalls");
    for (int level = 3; level <= 65; level++)
        strbuf_puts(&pointer, "/0");
    _cleanup_free_ char *too_deep = strbuf_steal(&pointer);
    assert_error_at(dir, "p.yaml", profile, "policy.json", 0, too_deep,
                    "nested more than 64 levels deep");
    struct strbuf huge = {0};
    strbuf_puts(&huge, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [");
    for (int i = 0; i < 100001; i++)
        strbuf_puts(&huge, i ? ",\"x\"" : "\"x\"");
    strbuf_puts(&huge, "], \"action\": \"SCMP_ACT_ALLOW\"}]}\n");
    _cleanup_free_ char *huge_text = strbuf_steal(&huge);
    free(test_write(dir, "policy.json", huge_text));
    /* Five values come before the names: the 100001st value is name 99995. */
    assert_error_at(dir, "p.yaml", profile, "policy.json", 0, "/syscalls/0/names/99995",
                    "more than 100000 values");
    free(
        test_write(dir, "policy.json",
                   "{\"defaultAction\": [], \"syscalls\": {\"names\": 1}, \"architectures\": \"x\","
                   " \"flags\": null}\n"));
    assert_error_at(dir, "p.yaml", profile, "policy.json", 0, "/defaultAction",
                    "expected an action, got a list");
    assert_error_at(dir, "p.yaml", profile, "policy.json", 0, "/syscalls",
                    "expected a list of rules, got a map");
    assert_error_at(dir, "p.yaml", profile, "policy.json", 0, "/architectures",
                    "expected a list of architectures, got a value");
    assert_error_at(dir, "p.yaml", profile, "policy.json", 0, "/flags",
                    "expected a list of flags, got a value");
}

/* ---- writing back ---- */

static void test_print(void **state)
{
    const char *dir = *state;
    _cleanup_free_ char *path = data_path("oci-policy.yaml");
    struct profile p;
    load_ok(&p, path);
    _cleanup_free_ char *yaml = profile_print(&p, PRINT_YAML, true);
    _cleanup_free_ char *origin = xasprintf("seccomp:  # %s:4\n", path);
    assert_non_null(strstr(yaml, origin));
    assert_non_null(strstr(yaml, "  defaultAction: SCMP_ACT_ERRNO\n  defaultErrnoRet: 38\n"));
    assert_non_null(strstr(yaml, "        - {index: 0, value: 2114060288, valueTwo: 0, "
                                 "op: SCMP_CMP_MASKED_EQ}\n"));
    _cleanup_free_ char *conf = profile_print(&p, PRINT_CONF, false);
    assert_non_null(
        strstr(conf, "        { index = 0; value = 4294967295L; op = \"SCMP_CMP_EQ\"; }"));
    /* Both load back to the same profile (tests/unit/test-print.c does so for every file). */
    struct profile y, c;
    _cleanup_free_ char *y_path = test_write(dir, "y.yaml", yaml);
    _cleanup_free_ char *c_path = test_write(dir, "c.conf", conf);
    load_ok(&y, y_path);
    load_ok(&c, c_path);
    assert_true(profile_equal(&p, &y));
    assert_true(profile_equal(&p, &c));
    /* --print-cli writes the policy as JSON text, commas as they are. */
    _cleanup_free_ char *cli = profile_print_cli(&p);
    assert_non_null(strstr(cli, " --seccomp '{\"defaultAction\":\"SCMP_ACT_ERRNO\","
                                "\"defaultErrnoRet\":38,"));
    profile_free(&p);
    profile_free(&y);
    profile_free(&c);
    /* A policy in a file is that file's path, in every print. */
    _cleanup_free_ char *file = data_path("oci-policy-file.yaml");
    _cleanup_free_ char *json_rel = data_path("oci-policy.json");
    _cleanup_free_ char *json = realpath(json_rel, NULL);
    load_ok(&p, file);
    _cleanup_free_ char *yaml2 = profile_print(&p, PRINT_YAML, false);
    _cleanup_free_ char *line = xasprintf("\nseccomp: %s\n", json);
    assert_non_null(strstr(yaml2, line));
    _cleanup_free_ char *cli2 = profile_print_cli(&p);
    _cleanup_free_ char *opt = xasprintf(" --seccomp %s\n", json);
    assert_non_null(strstr(cli2, opt));
    profile_free(&p);
}

/* ---- compiling ---- */

/* plan_build of the profile at path; NULL, or its errors. */
static char *plan_of(const char *path, struct run_plan *plan)
{
    struct profile p;
    load_ok(&p, path);
    strv_push(&p.command, xstrdup("/bin/true"));
    struct diags d = {0};
    int r = plan_build(&p, plan, &d);
    char *text = r < 0 ? test_diags_text(&d) : NULL;
    diags_free(&d);
    profile_free(&p);
    return text;
}

static bool has_note(const struct run_plan *plan, enum plan_seccomp_why why, size_t rule,
                     const char *name)
{
    for (size_t i = 0; i < plan->n_seccomp_notes; i++) {
        const struct plan_seccomp_note *n = &plan->seccomp_notes[i];
        if (n->why == why && n->rule == rule && str_eq(n->name, name))
            return true;
    }
    return false;
}

/* What adds nothing to the filter is left out and said: unknown names, the default, decided calls.
 */
static void test_plan_notes(void **state)
{
    const char *dir = *state;
    _cleanup_free_ char *path =
        test_write(dir, "p.yaml",
                   "rootfs: /\n"
                   "seccomp:\n"
                   "  defaultAction: SCMP_ACT_ERRNO\n"
                   "  syscalls:\n"
                   "    - {names: [read, no_such_call, write], action: SCMP_ACT_ALLOW}\n"
                   "    - {names: [getpid], action: SCMP_ACT_ERRNO, errnoRet: 1}\n"
                   "    - {names: [chmod], action: SCMP_ACT_ERRNO, errnoRet: 30}\n"
                   "    - {names: [chmod], action: SCMP_ACT_ALLOW}\n"
                   "    - names: [chmod]\n"
                   "      action: SCMP_ACT_ALLOW\n"
                   "      args: [{index: 1, value: 0, op: SCMP_CMP_EQ}]\n"
                   "    - {names: [fchmod], action: SCMP_ACT_KILL_PROCESS}\n");
    struct run_plan plan;
    _cleanup_free_ char *err = plan_of(path, &plan);
    if (err)
        fail_msg("plan: %s", err);
    assert_non_null(plan.seccomp);
    assert_non_null(plan.seccomp_policy);
    assert_true(has_note(&plan, PLAN_SECCOMP_UNKNOWN, 0, "no_such_call"));
    assert_true(has_note(&plan, PLAN_SECCOMP_DEFAULT, 1, NULL));
    assert_true(has_note(&plan, PLAN_SECCOMP_DECIDED, 3, "chmod"));
    assert_true(has_note(&plan, PLAN_SECCOMP_DECIDED, 4, "chmod"));
    assert_false(has_note(&plan, PLAN_SECCOMP_DECIDED, 2, "chmod"));
    assert_int_equal(plan.n_seccomp_notes, 4);
    _cleanup_free_ char *text = plan_print(&plan, NULL);
    _cleanup_free_ char *head = xasprintf("seccomp: the OCI policy of %s:2, 6 rules; any other "
                                          "call: SCMP_ACT_ERRNO(EPERM)\n",
                                          path);
    assert_non_null(strstr(text, head));
    assert_non_null(strstr(text, "  syscalls[0] SCMP_ACT_ALLOW: read, no_such_call, write\n"));
    assert_non_null(strstr(text, "  syscalls[4] SCMP_ACT_ALLOW if arg1 == 0: chmod\n"));
    assert_non_null(strstr(text, "knows (1): no_such_call in syscalls[0]\n"));
    assert_non_null(strstr(text, "  no rule, the default action already (1): syscalls[1]\n"));
    assert_non_null(strstr(text, "  no effect, an unconditional rule came first (2): chmod in "
                                 "syscalls[3] (by syscalls[2]), chmod in syscalls[4] (by "
                                 "syscalls[2])\n"));
    plan_free(&plan);
}

/* What libseccomp refuses is an error where the policy wrote the rule. */
static void test_plan_errors(void **state)
{
    const char *dir = *state;
    _cleanup_free_ char *path = test_write(dir, "p.yaml",
                                           "rootfs: /\n"
                                           "seccomp:\n"
                                           "  defaultAction: SCMP_ACT_ALLOW\n"
                                           "  syscalls:\n"
                                           "    - names: [mkdir]\n"
                                           "      action: SCMP_ACT_ERRNO\n"
                                           "      args: [{index: 1, value: 0, op: SCMP_CMP_EQ}]\n"
                                           "    - names: [mkdir]\n"
                                           "      action: SCMP_ACT_KILL_PROCESS\n"
                                           "      args: [{index: 1, value: 0, op: SCMP_CMP_EQ}]\n");
    struct run_plan plan;
    _cleanup_free_ char *err = plan_of(path, &plan);
    assert_non_null(err);
    _cleanup_free_ char *want =
        xasprintf("%s:8: error: seccomp.syscalls[1]: libseccomp refuses the rule for `mkdir`: "
                  "another rule for it has the same conditions and another action",
                  path);
    if (!strstr(err, want))
        fail_msg("want \"%s\" in:\n%s", want, err);
    if (seccomp_arch_native() != SCMP_ARCH_X86_64)
        return;
    _cleanup_free_ char *path2 = test_write(dir, "q.yaml",
                                            "rootfs: /\n"
                                            "seccomp:\n"
                                            "  defaultAction: SCMP_ACT_ALLOW\n"
                                            "  architectures: [SCMP_ARCH_X86, SCMP_ARCH_PPC64]\n");
    _cleanup_free_ char *err2 = plan_of(path2, &plan);
    assert_non_null(err2);
    assert_non_null(strstr(err2, "seccomp: architectures: SCMP_ARCH_PPC64 cannot share a filter "
                                 "with this machine's"));
}

/*
 * In a forked child: load the filter of the policy at path as a run's
 * command does (no_new_privileges, then security_load_filter), then make
 * the calls. Exits 0, or with the number of the check that failed.
 */
static int run_policy(const char *path, int (*calls)(void))
{
    struct run_plan plan;
    _cleanup_free_ char *err = plan_of(path, &plan);
    if (err)
        fail_msg("plan: %s", err);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct security_ctx sec = {.plan = &plan};
        struct congo_error e = {0};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || security_load_filter(&sec, &e) < 0)
            _exit(100);
        /* exit_group itself: a sanitizer's _exit makes calls of its own first. */
        syscall(SYS_exit_group, calls());
    }
    plan_free(&plan);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define EXPECT(n, cond)                                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return n;                                                                              \
    } while (0)

/* The calls of a policy that allows all but what its rules say (a sanitizer may call anything). */
static int deny_list_calls(void)
{
    /* A rule with an unknown name still makes its other names' rules. */
    EXPECT(1, syscall(SYS_getsid, 0) < 0 && errno == EIO);
    /* personality: two conditions on arg0 are alternatives; the query matches neither. */
    EXPECT(2, syscall(SYS_personality, 0xffffffffUL) >= 0);
    EXPECT(3, syscall(SYS_personality, (unsigned long)PER_LINUX32) < 0 && errno == EPERM);
    EXPECT(10, syscall(SYS_personality, (unsigned long)PER_BSD) < 0 && errno == EPERM);
    /* socket: denied when both conditions hold, on two arguments. */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT(4, fd >= 0);
    close(fd);
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT(5, fd < 0 && errno == EAFNOSUPPORT);
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT(11, fd >= 0);
    close(fd);
    /* dup3: denied with O_CLOEXEC set in its flags (masked), allowed without. */
    EXPECT(6, syscall(SYS_dup3, 0, 60, O_CLOEXEC) < 0 && errno == ENOMSG);
    EXPECT(7, syscall(SYS_dup3, 0, 61, 0) == 61);
    /* The first unconditional rule decides the call. */
    EXPECT(8, syscall(SYS_umask, 022) < 0 && errno == EROFS);
    /* SCMP_ACT_KILL_PROCESS: a child that calls sched_yield dies of SIGSYS. */
    pid_t child = fork();
    if (child == 0) {
        syscall(SYS_sched_yield);
        syscall(SYS_exit_group, 0);
    }
    int st;
    EXPECT(9, child > 0 && waitpid(child, &st, 0) == child && WIFSIGNALED(st) &&
                  WTERMSIG(st) == SIGSYS);
    return 0;
}

static void test_filter_applies(void **state)
{
    const char *dir = *state;
    _cleanup_free_ char *path = test_write(
        dir, "p.yaml",
        "rootfs: /\n"
        "seccomp:\n"
        "  defaultAction: SCMP_ACT_ALLOW\n"
        "  flags: [SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_TSYNC]\n"
        "  syscalls:\n"
        "    - {names: [no_such_call, getsid], action: SCMP_ACT_ERRNO, errnoRet: 5}\n"
        "    - names: [personality]\n"
        "      action: SCMP_ACT_ERRNO\n"
        "      args:\n"
        "        - {index: 0, value: 8, op: SCMP_CMP_EQ}\n"
        "        - {index: 0, value: 6, op: SCMP_CMP_EQ}\n"
        "    - names: [socket]\n"
        "      action: SCMP_ACT_ERRNO\n"
        "      errnoRet: 97\n"
        "      args:\n"
        "        - {index: 0, value: 1, op: SCMP_CMP_EQ}\n"
        "        - {index: 1, value: 0xf, valueTwo: 2, op: SCMP_CMP_MASKED_EQ}\n"
        "    - names: [dup3]\n"
        "      action: SCMP_ACT_ERRNO\n"
        "      errnoRet: 42\n"
        "      args: [{index: 2, value: 0x80000, valueTwo: 0x80000, op: SCMP_CMP_MASKED_EQ}]\n"
        "    - {names: [umask], action: SCMP_ACT_ERRNO, errnoRet: 30}\n"
        "    - {names: [umask], action: SCMP_ACT_ALLOW}\n"
        "    - {names: [sched_yield], action: SCMP_ACT_KILL_PROCESS}\n");
    int r = run_policy(path, deny_list_calls);
    if (r != 0)
        fail_msg("check %d of deny_list_calls failed (status %d)", r, r);
}

/* An allow-list: what is left out fails with the default's errno; a KILL default kills. */
static int allow_list_calls(void)
{
    EXPECT(1, syscall(SYS_getppid) > 0);
    EXPECT(2, syscall(SYS_getpgid, 0) < 0 && errno == ENOSYS);
    EXPECT(3, syscall(SYS_mkdir, "/nonexistent/x", 0700) < 0 && errno == EACCES);
    return 0;
}

static int killed_calls(void)
{
    syscall(SYS_getpgid, 0);
    return 0;
}

static void test_allow_list(void **state)
{
    const char *dir = *state;
    /*
     * Every call but getpgid and mkdir: a sanitizer in the child may make
     * any call at any time, so the allow-list is all of libseccomp's.
     */
    struct strbuf sb = {0};
    strbuf_puts(&sb, " \"syscalls\": [{\"action\": \"SCMP_ACT_ALLOW\", \"names\": [\"getppid\"");
    for (int nr = 0; nr < 1024; nr++) {
        _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        if (name && strcmp(name, "getpgid") != 0 && strcmp(name, "mkdir") != 0)
            strbuf_printf(&sb, ", \"%s\"", name);
    }
    strbuf_puts(&sb, "]},\n {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", "
                     "\"errnoRet\": 13}]}\n");
    _cleanup_free_ char *rules = strbuf_steal(&sb);
    _cleanup_free_ char *json =
        xasprintf("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n%s", rules);
    free(test_write(dir, "allow.json", json));
    _cleanup_free_ char *path = test_write(dir, "p.yaml", "rootfs: /\nseccomp: allow.json\n");
    int r = run_policy(path, allow_list_calls);
    if (r != 0)
        fail_msg("check %d of allow_list_calls failed (status %d)", r, r);
    /* The same with SCMP_ACT_KILL_PROCESS as the default: getpgid kills. */
    _cleanup_free_ char *killing =
        xasprintf("{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\",\n%s", rules);
    free(test_write(dir, "allow.json", killing));
    assert_int_equal(run_policy(path, killed_calls), 128 + SIGSYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_formats_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_errors_by_pointer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline_errors_by_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_form_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_print, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_notes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter_applies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allow_list, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
