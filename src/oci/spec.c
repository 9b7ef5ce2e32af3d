/*
 * congo-oci features and spec: what this runtime takes, and a config.json
 * to start from.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "oci/oci-internal.h"
#include "profile/seccomp-oci.h"
#include "runtime/hooks.h"
#include "util/names.h"
#include "util/util.h"

int oci_features(void)
{
    json_t *ns = json_pack("[s,s,s,s,s,s,s]", "cgroup", "ipc", "mount", "network", "pid", "user", "uts");
    /* Every flag word, its recursive form (the flag through a bind's tree), and the rest import takes. */
    json_t *mount_options = json_array();
    for (size_t i = 0; mount_flag_word_at(i); i++) {
        json_array_append_new(mount_options, json_string(mount_flag_word_at(i)));
        json_array_append_new(mount_options, json_sprintf("r%s", mount_flag_word_at(i)));
    }
    static const char *const other_opts[] = {"bind", "rbind", "private", "rprivate", "tmpcopyup",
                                             "idmap"};
    for (size_t i = 0; i < ARRAY_SIZE(other_opts); i++)
        json_array_append_new(mount_options, json_string(other_opts[i]));
    json_t *caps = json_array();
    for (int cap = 0; cap <= capability_last(); cap++) {
        _cleanup_free_ char *name = capability_name(cap);
        _cleanup_free_ char *full = xasprintf("CAP_%s", name);
        json_array_append_new(caps, json_string(full));
    }
    json_t *hooks = json_array();
    for (int s = 0; s < HOOK__MAX; s++)
        json_array_append_new(hooks, json_string(hook_stage_oci_names[s]));
    json_t *actions = json_array(), *operators = json_array(), *archs = json_array();
    json_t *flags = json_array();
    for (int a = 0; a < POLICY_ACT__MAX; a++)
        json_array_append_new(actions, json_string(seccomp_policy_action_name(a)));
    for (int op = 0; op < POLICY_OP__MAX; op++)
        json_array_append_new(operators, json_string(seccomp_policy_op_name(op)));
    /* The spec's architectures this libseccomp knows: a filter can cover no other. */
    for (unsigned i = 0; i < seccomp_policy_arch_count(); i++)
        if (seccomp_policy_arch_token(i))
            json_array_append_new(archs, json_string(seccomp_policy_arch_name(i)));
    json_t *supported = json_array();
    for (size_t i = 0; seccomp_policy_flag_name_at(i); i++) {
        const char *flag = seccomp_policy_flag_name_at(i);
        json_array_append_new(flags, json_string(flag));
        /* It concerns a seccomp agent (SCMP_ACT_NOTIFY), which congo does not run. */
        if (strcmp(flag, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") != 0)
            json_array_append_new(supported, json_string(flag));
    }
    const struct scmp_version *lib = seccomp_version();
    char libv[32] = "?";
    if (lib)
        snprintf(libv, sizeof(libv), "%u.%u.%u", lib->major, lib->minor, lib->micro);
    json_t *o = json_pack(
        "{s:s, s:s, s:o, s:o, s:{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, "
        "s:{s:b, s:o, s:o, s:o, s:o, s:o}, s:{s:b}, s:{s:b}, s:{s:b}, s:{s:{s:b}}}, "
        "s:{s:s, s:s}}",
        "ociVersionMin", "1.0.0", "ociVersionMax", "1.1.0", "hooks", hooks, "mountOptions",
        mount_options, "linux", "namespaces", ns, "capabilities", caps, "cgroup", "v1", 1, "v2", 1,
        "systemd", 0, "systemdUser", 0, "rdma", 0, "seccomp", "enabled", 1, "actions", actions,
        "operators", operators, "archs", archs, "knownFlags", flags, "supportedFlags", supported,
        "apparmor", "enabled", 0, "selinux", "enabled", 0, "intelRdt", "enabled", 0,
        "mountExtensions", "idmap", "enabled", 1, "annotations", "org.congo.version",
        PACKAGE_VERSION, "io.github.seccomp.libseccomp.version", libv);
    return oci_print_json(o);
}

/*
 * runc spec --rootless's changes, for a user other than root: a user
 * namespace of the caller's own ids alone and no network namespace (a
 * user cannot make one a network), the host's /sys bound in (sysfs
 * cannot be mounted without one), no gid= or uid= mount options (no such
 * ids are mapped) and no resources (no cgroup of the user's to hold them).
 */
static void spec_rootless(json_t *c)
{
    json_t *lx = json_object_get(c, "linux");
    json_object_del(lx, "resources");
    json_t *kept = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(lx, "namespaces"), i, v)
    {
        const char *type = json_string_value(json_object_get(v, "type"));
        if (strcmp(type, "network") != 0 && strcmp(type, "user") != 0)
            json_array_append(kept, v);
    }
    json_array_append_new(kept, json_pack("{s:s}", "type", "user"));
    json_object_set_new(lx, "namespaces", kept);
    json_object_set_new(lx, "uidMappings",
                        json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
                                  (json_int_t)geteuid(), "size", 1));
    json_object_set_new(lx, "gidMappings",
                        json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
                                  (json_int_t)getegid(), "size", 1));
    json_array_foreach(json_object_get(c, "mounts"), i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "destination")), "/sys") == 0) {
            json_object_set_new(v, "type", json_string("none"));
            json_object_set_new(v, "source", json_string("/sys"));
            json_object_set_new(v, "options", json_pack("[s,s,s,s,s]", "rbind", "nosuid",
                                                        "noexec", "nodev", "ro"));
            continue;
        }
        json_t *options = json_array();
        size_t k;
        json_t *o;
        json_array_foreach(json_object_get(v, "options"), k, o)
        {
            const char *text = json_string_value(o);
            if (strncmp(text, "gid=", 4) != 0 && strncmp(text, "uid=", 4) != 0)
                json_array_append(options, o);
        }
        json_object_set_new(v, "options", options);
    }
}

/* A config like `runc spec`'s: the busybox root in ./rootfs, a shell on a terminal. */
int oci_spec(const struct oci_args *a)
{
    static const char spec[] =
        "{\n"
        "  \"ociVersion\": \"" SPEC_VERSION "\",\n"
        "  \"process\": {\n"
        "    \"terminal\": true,\n"
        "    \"user\": {\"uid\": 0, \"gid\": 0},\n"
        "    \"args\": [\"sh\"],\n"
        "    \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", "
        "\"TERM=xterm\"],\n"
        "    \"cwd\": \"/\",\n"
        "    \"capabilities\": {\n"
        "      \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
        "      \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
        "      \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
        "    },\n"
        "    \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],\n"
        "    \"noNewPrivileges\": true\n"
        "  },\n"
        "  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
        "  \"hostname\": \"congo\",\n"
        "  \"mounts\": [\n"
        "    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
        "    {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
        "\"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
        "    {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", "
        "\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", "
        "\"mode=0620\", \"gid=5\"]},\n"
        "    {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", "
        "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
        "    {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", "
        "\"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
        "    {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", "
        "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n"
        "    {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", "
        "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}\n"
        "  ],\n"
        "  \"linux\": {\n"
        "    \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},\n"
        "    \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}, "
        "{\"type\": \"uts\"}, {\"type\": \"mount\"}],\n"
        "    \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", "
        "\"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\", "
        "\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],\n"
        "    \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", "
        "\"/proc/sysrq-trigger\"]\n"
        "  }\n"
        "}\n";
    _cleanup_free_ char *text = NULL;
    if (a->spec_rootless) {
        json_t *c = json_loads(spec, 0, NULL);
        spec_rootless(c);
        char *dumped = json_dumps(c, JSON_INDENT(2));
        json_decref(c);
        text = xasprintf("%s\n", dumped);
        free(dumped);
    }
    const char *out = text ? text : spec;
    size_t len = strlen(out);
    _cleanup_free_ char *path = xasprintf("%s/config.json", a->bundle ? a->bundle : ".");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return oci_fail("%s: %s", path, errno == EEXIST ? "exists already" : strerror(errno));
    bool ok = write(fd, out, len) == (ssize_t)len;
    if (close(fd) < 0 || !ok)
        return oci_fail("write %s: %s", path, strerror(errno));
    return 0;
}
