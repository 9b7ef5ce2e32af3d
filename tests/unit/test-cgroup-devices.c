/*
 * Device specs and rules as profiles write them, and the v2 device
 * program: assembled here, and, as root where a cgroup2 hierarchy is
 * mounted (this host's empty /sys/fs/cgroup/unified will do: the kernel
 * runs v2 device programs whatever holds the controllers), loaded,
 * attached to a cgroup of the test's own and tried by a child in it.
 */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cgroup-devices.h"
#include "util/devices.h"
#include "util/util.h"

static void rule_round_trip(const char *in, const char *out)
{
    struct dev_rule r;
    _cleanup_free_ char *why = NULL;
    if (dev_rule_parse(in, &r, &why) < 0)
        fail_msg("`%s`: %s", in, why);
    _cleanup_free_ char *text = dev_rule_format(&r);
    assert_string_equal(text, out);
}

static void rule_refused(const char *in, const char *why_has)
{
    struct dev_rule r;
    _cleanup_free_ char *why = NULL;
    assert_int_equal(dev_rule_parse(in, &r, &why), -1);
    if (!strstr(why, why_has))
        fail_msg("`%s`: `%s` does not say `%s`", in, why, why_has);
}

static void test_rules(void **state)
{
    (void)state;
    rule_round_trip("c 1:3 rwm", "c 1:3 rwm");
    rule_round_trip("b 8:* mr", "b 8:* rm");
    rule_round_trip("a *:* w", "a *:* w");
    rule_round_trip("c 4294967294:0 r", "c 4294967294:0 r");
    rule_refused("c 1:3", "not a device rule");
    rule_refused("c 4294967295:0 r", "numbers below");
    rule_refused("a 1:3 r", "type a is any device");
    rule_refused("c 1:3 rx", "the access");
    rule_refused("c 1:3 rr", "the access");
    rule_refused("d 1:3 r", "the type");
}

static void spec(const char *in, const char *source, const char *target, unsigned access,
                 const char *text)
{
    struct dev_spec d;
    _cleanup_free_ char *why = NULL;
    if (dev_spec_parse(in, &d, &why) < 0)
        fail_msg("`%s`: %s", in, why);
    assert_string_equal(d.source, source);
    assert_string_equal(d.target, target);
    assert_int_equal(d.access, access);
    _cleanup_free_ char *back = dev_spec_format(&d);
    assert_string_equal(back, text);
    dev_spec_clear(&d);
}

static void test_specs(void **state)
{
    (void)state;
    spec("/dev/fuse", "/dev/fuse", "/dev/fuse", DEV_RWM, "/dev/fuse");
    spec("/dev/zero:/dev/z", "/dev/zero", "/dev/z", DEV_RWM, "/dev/zero:/dev/z");
    spec("/dev/zero:r", "/dev/zero", "/dev/zero", DEV_READ, "/dev/zero:r");
    spec("/dev//zero:/dev/./z:wr", "/dev/zero", "/dev/z", DEV_READ | DEV_WRITE,
         "/dev/zero:/dev/z:rw");
    const char *bad[] = {
        "dev/zero",      "/dev/zero:/tmp/z",   "/dev/zero:/dev",          "/dev/zero:/dev/z:q",
        "/a:/dev/b:r:w", "/dev/../etc/shadow", "/dev/zero:/dev/../etc/z", ""};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct dev_spec d;
        _cleanup_free_ char *why = NULL;
        if (dev_spec_parse(bad[i], &d, &why) == 0)
            fail_msg("`%s` was taken", bad[i]);
    }
}

/* The program's shape: a block per rule, and no jump past its end. */
static void test_program_shape(void **state)
{
    (void)state;
    struct dev_rule rules[] = {
        {'c', 1, 3, DEV_RWM}, {'b', 8, DEV_ANY, DEV_READ}, {'a', DEV_ANY, DEV_ANY, DEV_MKNOD}};
    struct bpf_insn prog[CGROUP_DEVICE_PROGRAM_MAX(3)];
    size_t n = cgroup_device_program(rules, 3, prog);
    assert_true(n <= CGROUP_DEVICE_PROGRAM_MAX(3));
    /* 6 to read the context; c 1:3 rwm: 3 jumps + 2; b 8:* r: 1 + 3 + 1 + 2; a *:* m: 3 + 2; 2. */
    assert_int_equal(n, 6 + 5 + 7 + 5 + 2);
    for (size_t i = 0; i < n; i++)
        if (BPF_CLASS(prog[i].code) == BPF_JMP32)
            assert_true(i + 1 + (size_t)prog[i].off < n);
    assert_int_equal(prog[n - 1].code, BPF_JMP | BPF_EXIT);
    /* The longest rule: a type, a partial access, both numbers. */
    struct dev_rule full[20];
    for (size_t i = 0; i < ARRAY_SIZE(full); i++)
        full[i] = (struct dev_rule){'c', 200, (uint32_t)i, DEV_READ | DEV_WRITE};
    struct bpf_insn *big = calloc(CGROUP_DEVICE_PROGRAM_MAX(20), sizeof(*big));
    assert_int_equal(cgroup_device_program(full, 20, big), CGROUP_DEVICE_PROGRAM_MAX(20));
    free(big);
}

/* The cgroup2 mount and this process's cgroup in it, as a directory path; NULL: none. */
static char *own_v2_cgroup(void)
{
    FILE *m = fopen("/proc/self/mountinfo", "re");
    char line[4096];
    _cleanup_free_ char *mount = NULL;
    while (m && fgets(line, sizeof(line), m)) {
        char *dash = strstr(line, " - cgroup2 ");
        if (!dash)
            continue;
        char dir[1024];
        if (sscanf(line, "%*s %*s %*s %*s %1023s", dir) == 1) {
            mount = xstrdup(dir);
            break;
        }
    }
    if (m)
        fclose(m);
    FILE *c = fopen("/proc/self/cgroup", "re");
    _cleanup_free_ char *own = NULL;
    while (c && fgets(line, sizeof(line), c))
        if (strncmp(line, "0::", 3) == 0) {
            line[strcspn(line, "\n")] = '\0';
            own = xstrdup(line + 3);
        }
    if (c)
        fclose(c);
    return mount && own ? xasprintf("%s%s", mount, strcmp(own, "/") == 0 ? "" : own) : NULL;
}

/* Open path (flags) in the child: 0 when it opens, else its errno. */
static int try_open(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

static void test_program_in_kernel(void **state)
{
    (void)state;
    struct stat st;
    if (geteuid() != 0 || stat("/dev/cpu_dma_latency", &st) < 0 ||
        stat("/dev/loop-control", &st) < 0)
        skip();
    _cleanup_free_ char *own = own_v2_cgroup();
    if (!own)
        skip();
    _cleanup_free_ char *dir = xasprintf("%s/congo-test-devices-%d", own, (int)getpid());
    if (mkdir(dir, 0755) < 0)
        skip(); /* a v2 cgroup this process may not make children in */
    /* Enough rules that a verifier log at level 1 would overflow its buffer. */
    struct plan_device devices[32] = {
        {.rule = {'c', 1, 3, DEV_RWM}},
        {.rule = {.type = 'a', .access = DEV_READ}, .node = (char *)"/dev/cpu_dma_latency"},
    };
    for (size_t i = 2; i < ARRAY_SIZE(devices); i++)
        devices[i].rule = (struct dev_rule){'c', 200, (uint32_t)i, DEV_READ | DEV_WRITE};
    struct cgroup_request req = {.devices = devices, .n_devices = ARRAY_SIZE(devices)};
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    struct congo_error e = {0};
    int attached = cgroup_device_attach(fd, &req, &e);
    close(fd);
    if (attached < 0) {
        rmdir(dir);
        fail_msg("%s", e.msg);
    }
    pid_t pid = fork();
    if (pid == 0) {
        _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dir);
        int p = open(procs, O_WRONLY | O_CLOEXEC);
        if (p < 0 || write(p, "0", 1) != 1)
            _exit(100);
        close(p);
        /* Each check a bit of the status: 0 when all hold. */
        int bad = 0;
        bad |= try_open("/dev/null", O_RDWR) != 0;                         /* c 1:3 rwm */
        bad |= (try_open("/dev/cpu_dma_latency", O_RDONLY) != 0) << 1;     /* its node, r */
        bad |= (try_open("/dev/cpu_dma_latency", O_WRONLY) != EPERM) << 2; /* but not w */
        bad |= (try_open("/dev/loop-control", O_RDONLY) != EPERM) << 3;    /* not listed */
        bad |= (try_open("/dev/zero", O_RDONLY) != EPERM) << 4;            /* nor congo's others */
        _exit(bad);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    /* The child is gone, and with it the only process in the cgroup; the program goes with it. */
    assert_int_equal(rmdir(dir), 0);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status))
        fail_msg("the device program let through or held back the wrong opens: %#x",
                 WEXITSTATUS(status));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_specs),
        cmocka_unit_test(test_program_shape),
        cmocka_unit_test(test_program_in_kernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
