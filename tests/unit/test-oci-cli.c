/* Unit tests for congo-oci's command line (src/oci/cli.c): runc's, as engines call it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "oci/cli.h"
#include "util/util.h"

#define ARGS(...) ((char *[]){"congo-oci", __VA_ARGS__, NULL})

static int count(char **argv)
{
    int n = 0;
    while (argv[n])
        n++;
    return n;
}

static void parse_ok(char **argv, struct oci_args *a)
{
    int argc = count(argv);
    struct congo_error e = {0};
    if (oci_parse(argc, argv, a, &e) < 0)
        fail_msg("%s", e.msg);
}

static void parse_bad(char **argv, const char *msg)
{
    int argc = count(argv);
    struct oci_args a;
    struct congo_error e = {0};
    if (oci_parse(argc, argv, &a, &e) == 0)
        fail_msg("parsed, expected an error containing `%s`", msg);
    if (!strstr(e.msg, msg))
        fail_msg("`%s` lacks `%s`", e.msg, msg);
    error_clear(&e);
    oci_args_free(&a);
}

/* As containerd's shim calls it. */
static void test_create_as_containerd(void **state)
{
    (void)state;
    char **argv = ARGS("--root", "/run/containerd/runc/default", "--log", "/x/log.json",
                       "--log-format", "json", "create", "--bundle", "/b", "--pid-file", "/b/init.pid",
                       "c1");
    struct oci_args a;
    parse_ok(argv, &a);
    assert_int_equal(a.command, OCI_CREATE);
    assert_string_equal(a.root, "/run/containerd/runc/default");
    assert_string_equal(a.log, "/x/log.json");
    assert_true(a.log_json);
    assert_string_equal(a.bundle, "/b");
    assert_string_equal(a.pid_file, "/b/init.pid");
    assert_string_equal(a.id, "c1");
    oci_args_free(&a);
}

/* --flag=value, one dash, and options after the id. */
static void test_spellings(void **state)
{
    (void)state;
    char **argv = ARGS("--root=/r", "create", "c2", "-bundle=/b", "--console-socket", "/s",
                       "--no-pivot", "--preserve-fds=2");
    struct oci_args a;
    parse_ok(argv, &a);
    assert_string_equal(a.root, "/r");
    assert_string_equal(a.bundle, "/b");
    assert_string_equal(a.console_socket, "/s");
    assert_true(a.no_pivot);
    assert_int_equal(a.preserve_fds, 2);
    assert_string_equal(a.id, "c2");
    oci_args_free(&a);
    char **run = ARGS("run", "-d", "-b", "/b", "c3");
    parse_ok(run, &a);
    assert_int_equal(a.command, OCI_RUN);
    assert_true(a.detach);
    oci_args_free(&a);
}

static void test_kill_delete_state(void **state)
{
    (void)state;
    struct oci_args a;
    char **k1 = ARGS("kill", "c1");
    parse_ok(k1, &a);
    assert_string_equal(a.signal, "SIGTERM");
    char **k2 = ARGS("kill", "--all", "c1", "KILL");
    parse_ok(k2, &a);
    assert_true(a.all);
    assert_string_equal(a.signal, "KILL");
    char **k3 = ARGS("kill", "c1", "9", "-a");
    parse_ok(k3, &a);
    assert_true(a.all);
    assert_string_equal(a.signal, "9");
    char **d = ARGS("delete", "--force", "c1");
    parse_ok(d, &a);
    assert_int_equal(a.command, OCI_DELETE);
    assert_true(a.force);
    char **s = ARGS("state", "c1");
    parse_ok(s, &a);
    assert_int_equal(a.command, OCI_STATE);
    char **l = ARGS("list", "--format", "json", "-q");
    parse_ok(l, &a);
    assert_string_equal(a.format, "json");
    assert_true(a.quiet);
    char **v = ARGS("--version");
    parse_ok(v, &a);
    assert_int_equal(a.command, OCI_VERSION);
}

/* As Slurm 22.05's oci.conf examples call it, runc's --rootless included. */
static void test_as_slurm(void **state)
{
    (void)state;
    struct oci_args a;
    char **run = ARGS("--rootless=true", "--root=/tmp/", "run", "node1.alice.12.0.0", "-b",
                      "/var/spool/slurmd/oci-job00012-00000/");
    parse_ok(run, &a);
    assert_int_equal(a.command, OCI_RUN);
    assert_string_equal(a.rootless, "true");
    assert_string_equal(a.root, "/tmp/");
    assert_string_equal(a.bundle, "/var/spool/slurmd/oci-job00012-00000/");
    assert_string_equal(a.id, "node1.alice.12.0.0");
    oci_args_free(&a);
    char **kill = ARGS("--rootless", "auto", "--root=/tmp/", "kill", "-a", "node1.alice.12.0.0");
    parse_ok(kill, &a);
    assert_int_equal(a.command, OCI_KILL);
    assert_true(a.all);
    assert_string_equal(a.signal, "SIGTERM");
    oci_args_free(&a);
    char **del = ARGS("--rootless=false", "delete", "--force", "node1.alice.12.0.0");
    parse_ok(del, &a);
    assert_int_equal(a.command, OCI_DELETE);
    assert_true(a.force);
    oci_args_free(&a);
}

static void test_errors(void **state)
{
    (void)state;
    char **a1 = ARGS("pause", "c1");
    parse_bad(a1, "`pause` is not a command congo-oci has");
    char **a2 = ARGS("create", "--bundle");
    parse_bad(a2, "--bundle needs a value");
    char **a3 = ARGS("create", "bad/id");
    parse_bad(a3, "`bad/id` is not a container id");
    char **a4 = ARGS("start");
    parse_bad(a4, "start needs a container id");
    char **a5 = ARGS("--log-format", "xml", "state", "c");
    parse_bad(a5, "--log-format takes text or json");
    char **a6 = ARGS("create", "--frobnicate", "c");
    parse_bad(a6, "unknown option `--frobnicate`");
    char **a7 = ARGS("state", "a", "b");
    parse_bad(a7, "unexpected `b`");
    char **a8 = ARGS("create", "--detach", "c");
    parse_bad(a8, "unknown option `--detach`");
    char *a9[] = {"congo-oci", NULL};
    parse_bad(a9, "no command");
    char **a10 = ARGS("--rootless=maybe", "state", "c");
    parse_bad(a10, "--rootless takes true, false or auto, not `maybe`");
    char **a11 = ARGS("--rootless", "run", "c");
    parse_bad(a11, "--rootless takes true, false or auto, not `run`");
    assert_true(oci_valid_id("a-b_c.d+e"));
    assert_false(oci_valid_id(".."));
    assert_false(oci_valid_id(""));
}

/* As containerd's shim and conmon call it. */
static void test_exec_process(void **state)
{
    (void)state;
    char **argv = ARGS("--root", "/r", "exec", "--process", "/b/p.json", "--detach", "--pid-file",
                       "/b/exec.pid", "--console-socket", "/s.sock", "c1");
    struct oci_args a;
    parse_ok(argv, &a);
    assert_int_equal(a.command, OCI_EXEC);
    assert_string_equal(a.process, "/b/p.json");
    assert_true(a.detach);
    assert_string_equal(a.pid_file, "/b/exec.pid");
    assert_string_equal(a.console_socket, "/s.sock");
    assert_string_equal(a.id, "c1");
    assert_null(a.exec_argv[0]);
    oci_args_free(&a);
}

/* runc exec's own spelling: options, the id, then the command with its options untouched. */
static void test_exec_command(void **state)
{
    (void)state;
    char **argv = ARGS("exec", "-t", "--env", "A=1", "-e", "B=2", "--cwd", "/tmp", "--user",
                       "1000:1000", "--cap", "CAP_NET_ADMIN", "--no-new-privs", "c1", "ls", "-l",
                       "--cwd", "/");
    struct oci_args a;
    parse_ok(argv, &a);
    assert_int_equal(a.command, OCI_EXEC);
    assert_true(a.tty);
    assert_false(a.detach);
    assert_string_equal(a.env[0], "A=1");
    assert_string_equal(a.env[1], "B=2");
    assert_null(a.env[2]);
    assert_string_equal(a.cwd, "/tmp");
    assert_string_equal(a.user, "1000:1000");
    assert_string_equal(a.caps[0], "CAP_NET_ADMIN");
    assert_true(a.no_new_privs);
    assert_string_equal(a.id, "c1");
    assert_string_equal(a.exec_argv[0], "ls");
    assert_string_equal(a.exec_argv[1], "-l");
    assert_string_equal(a.exec_argv[2], "--cwd");
    assert_string_equal(a.exec_argv[3], "/");
    assert_null(a.exec_argv[4]);
    oci_args_free(&a);
    /* `--` between the id and the command is a separator, not the command. */
    char **dashes = ARGS("exec", "c1", "--", "sh");
    parse_ok(dashes, &a);
    assert_string_equal(a.exec_argv[0], "sh");
    oci_args_free(&a);
    char **after = ARGS("exec", "--", "c1", "sh");
    parse_ok(after, &a);
    assert_string_equal(a.id, "c1");
    assert_string_equal(a.exec_argv[0], "sh");
    oci_args_free(&a);
}

static void test_exec_errors(void **state)
{
    (void)state;
    char **a1 = ARGS("exec");
    parse_bad(a1, "exec needs a container id");
    char **a2 = ARGS("exec", "c1");
    parse_bad(a2, "exec needs a command after the container id, or --process FILE");
    char **a3 = ARGS("exec", "--process", "/p.json", "c1", "sh");
    parse_bad(a3, "`sh` is one too many");
    char **a4 = ARGS("exec", "--frobnicate", "c1", "sh");
    parse_bad(a4, "exec: unknown option `--frobnicate`");
    char **a5 = ARGS("exec", "--process");
    parse_bad(a5, "--process needs a value");
    char **a6 = ARGS("exec", "--preserve-fds", "x", "c1", "sh");
    parse_bad(a6, "--preserve-fds takes a number");
    char **a7 = ARGS("exec", "-e", "A=1", "bad/id", "sh");
    parse_bad(a7, "`bad/id` is not a container id");
    char **a8 = ARGS("exec", "--bundle", "/b", "c1", "sh");
    parse_bad(a8, "exec: unknown option `--bundle`");
}

/* A usage error still knows where the engine reads errors: the shim reads nothing else. */
static void test_errors_keep_the_log(void **state)
{
    (void)state;
    char **argv = ARGS("--root", "/r", "--log", "/b/log.json", "--log-format", "json", "pause",
                       "c1");
    struct oci_args a;
    struct congo_error e = {0};
    assert_int_equal(oci_parse(count(argv), argv, &a, &e), -1);
    assert_non_null(strstr(e.msg, "`pause` is not a command"));
    assert_string_equal(a.log, "/b/log.json");
    assert_true(a.log_json);
    error_clear(&e);
    oci_args_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_as_containerd), cmocka_unit_test(test_spellings),
        cmocka_unit_test(test_kill_delete_state),
        cmocka_unit_test(test_as_slurm),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_exec_process), cmocka_unit_test(test_exec_command),
        cmocka_unit_test(test_exec_errors), cmocka_unit_test(test_errors_keep_the_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
