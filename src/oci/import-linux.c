/* config.json's /linux; see import-internal.h. */
#include "oci/import-internal.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "plan/plan.h"
#include "profile/profile.h"
#include "profile/schema.h"
#include "profile/value.h"
#include "util/devices.h"
#include "util/idmap.h"
#include "util/names.h"

/* ---- linux ---- */

/* linux_ may be an empty stand-in; where: what an error about the whole list is located at. */
static void import_namespaces(struct import *im, const struct node *linux_,
                              const struct node *where, const struct node **userns)
{
    /* The spec's names, in congo's order of the profile's namespaces map. */
    static const struct {
        const char *oci, *profile;
    } names[] = {{"cgroup", "cgroup"}, {"ipc", "ipc"}, {"mount", "mount"},
                 {"network", "net"},   {"pid", "pid"}, {"uts", "uts"}};
    const struct node *arr = im_array_field(im, linux_, "namespaces");
    const struct node *from = arr ? arr : where;
    const struct node *given[ARRAY_SIZE(names)] = {0};
    static const struct spec_field fields[] = {{"type", NULL}, {"path", NULL}};
    for (size_t i = 0; arr && i < arr->n_items; i++) {
        const struct node *ns = arr->items[i];
        if (!im_want(im, ns, ns->kind == NODE_MAP, "an object"))
            continue;
        CHECK_FIELDS(im, ns, fields);
        const struct node *type = im_string_field(im, ns, "type");
        if (!type) {
            if (!im_field(ns, "type"))
                im_fail(im, ns, "a namespace needs a type");
            continue;
        }
        if (strcmp(type->text, "user") == 0) {
            const struct node *path = im_string_field(im, ns, "path");
            if (path && *path->text)
                im_fail(im, path,
                        "joining a user namespace by path is not supported; give "
                        "uidMappings and gidMappings for a new one");
            else if (*userns)
                im_fail(im, ns, "a second user namespace");
            *userns = ns;
            continue;
        }
        if (strcmp(type->text, "time") == 0) {
            im_fail(im, type, "time namespaces are not supported yet");
            continue;
        }
        size_t j = 0;
        while (j < ARRAY_SIZE(names) && strcmp(names[j].oci, type->text) != 0)
            j++;
        if (j == ARRAY_SIZE(names)) {
            im_fail(im, type, "`%s` is not a namespace type: cgroup, ipc, mount, network, pid, uts",
                    type->text);
        } else if (given[j]) {
            im_fail(im, ns, "a second %s namespace", type->text);
        } else {
            given[j] = ns;
            im_string_field(im, ns, "path");
        }
    }
    /* The spec's default, the runtime's own mount namespace, is the host's: congo needs its own. */
    if (!given[2] && (arr || !im_field(linux_, "namespaces")))
        im_fail(im, from,
                "no mount namespace in /linux/namespaces: congo makes the container's root in one "
                "of its "
                "own; add {\"type\": \"mount\"}");
    struct node *m = im_container_at(im, NODE_MAP, from);
    for (size_t j = 0; j < ARRAY_SIZE(names); j++) {
        const struct node *path = given[j] ? im_field(given[j], "path") : NULL;
        if (path && im_is_string(path))
            im_put(m, names[j].profile, im_scalar_at(im, path, path->text, true));
        else
            /*
             * Not listed: the runtime's own, which is the host's; the mount
             * namespace, refused above, is left on so as not to be refused twice.
             */
            im_put(m, names[j].profile,
                   im_scalar_at(im, given[j] ? given[j] : from,
                                given[j] || j == 2 ? "true" : "false", false));
    }
    im_put(im->out, "namespaces", m);
}

/*
 * A user namespace and its mappings: user_namespace's mappings, uid: and
 * gid: entries each (the profile's reader merges them where they agree and
 * checks ranges, at these pointers). No user namespace is the runtime's
 * own, the host's: user_namespace host, which only root may run.
 */
static void import_id_mappings(struct import *im, const struct node *linux_,
                               const struct node *userns, const struct node *where)
{
    const struct node *uids = im_array_field(im, linux_, "uidMappings");
    const struct node *gids = im_array_field(im, linux_, "gidMappings");
    struct strbuf text = {0};
    bool ok = im_mappings_text(im, uids, "uid", &text) & im_mappings_text(im, gids, "gid", &text);
    ok = ok && !(im_field(linux_, "uidMappings") && !uids) &&
         !(im_field(linux_, "gidMappings") && !gids);
    bool listed = (uids && uids->n_items) || (gids && gids->n_items);
    if (userns && ok && !listed)
        im_fail(im, userns, "a user namespace needs uidMappings and gidMappings");
    else if (!userns && listed)
        im_fail(im, uids && uids->n_items ? uids : gids,
                "mappings without a user namespace: add {\"type\": \"user\"} to /linux/namespaces");
    else if (userns && ok)
        im_put(im->out, "user_namespace",
               im_scalar_at(im, uids && uids->n_items ? uids : gids, text.buf, true));
    else if (!userns)
        im_put(im->out, "user_namespace", im_scalar_at(im, where, "host", false));
    strbuf_free(&text);
}

/* quota microseconds per period as CPUs, the profile's decimal with five places. */
static char *cpus_text(long long quota, long long period)
{
    long long per100k = (quota * 100000 + period / 2) / period;
    char *s = xasprintf("%lld.%05lld", per100k / 100000, per100k % 100000);
    size_t n = strlen(s);
    while (s[n - 1] == '0')
        s[--n] = '\0';
    if (s[n - 1] == '.')
        s[n - 1] = '\0';
    return s;
}

/* A limit where -1 (or any value below 1) means none. */
static void put_limit(struct import *im, struct node *limits, const char *key, const struct node *v)
{
    if (strtoll(v->text, NULL, 10) < 1)
        im_put(limits, key, im_scalar_at(im, v, "unlimited", false));
    else
        im_put_copy(im, limits, key, v);
}

/*
 * The device cgroup rules: a list that denies everything first (as runc
 * and podman write it), then allows. The allow rules are device_rules, so
 * that the container gets a device cgroup with those and congo's own nodes
 * (which a list that denies all and allows nothing leaves it, without
 * one: binds stay nodev, import_mount); a rule that allows no more than
 * one of congo's own nodes says nothing (congo's export writes those). A
 * deny after the first cannot be said as a profile's list of allowed
 * devices.
 */
static void import_devices(struct import *im, const struct node *arr)
{
    static const struct spec_field fields[] = {
        {"allow", NULL}, {"type", NULL}, {"major", NULL}, {"minor", NULL}, {"access", NULL}};
    struct node *rules = im_container_at(im, NODE_SEQ, arr);
    for (size_t i = 0; i < arr->n_items; i++) {
        const struct node *r = arr->items[i];
        if (!im_want(im, r, r->kind == NODE_MAP, "an object"))
            continue;
        CHECK_FIELDS(im, r, fields);
        const struct node *allow = im_bool_field(im, r, "allow");
        const struct node *type = im_string_field(im, r, "type");
        const struct node *major = im_integer_field(im, r, "major");
        const struct node *minor = im_integer_field(im, r, "minor");
        const struct node *access = im_string_field(im, r, "access");
        bool all = (!type || strcmp(type->text, "a") == 0) && !major && !minor &&
                   (!access || dev_access_parse(access->text) == DEV_RWM);
        bool allows = allow && strcmp(allow->text, "true") == 0;
        if (i == 0 && (allows || !all)) {
            im_fail(im, r,
                    "congo denies a container every device but its own /dev nodes and those it "
                    "is given; a device list must begin with the rule that denies all, "
                    "{\"allow\": false, \"access\": \"rwm\"}");
            continue;
        }
        if (i == 0)
            continue;
        if (!allows) {
            im_fail(im, r, "a deny rule after the first is not supported");
            continue;
        }
        _cleanup_free_ char *text =
            xasprintf("%s %s:%s %s", type ? type->text : "a", major ? major->text : "*",
                      minor ? minor->text : "*", access ? access->text : "rwm");
        struct dev_rule rule;
        _cleanup_free_ char *why = NULL;
        bool own = false;
        if (dev_rule_parse(text, &rule, &why) == 0)
            for (size_t k = 0; k < dev_n_own_rules && !own; k++)
                own = dev_rule_covers(&dev_own_rules[k], &rule);
        /* A malformed one goes on, for device_rules to refuse at its pointer. */
        if (!own)
            node_seq_append(rules, im_scalar_at(im, r, text, true));
    }
    if (rules->n_items)
        im_put(im->out, "device_rules", rules);
    else
        node_free(rules);
}

/* A host node of that type and those numbers: path itself, else one below /dev (depth 3). */
static char *find_node(const char *dir, const char *path, bool chr, unsigned maj, unsigned min,
                       int depth)
{
    struct stat st;
    if (path)
        return stat(path, &st) == 0 && (chr ? S_ISCHR(st.st_mode) : S_ISBLK(st.st_mode)) &&
                       major(st.st_rdev) == maj && minor(st.st_rdev) == min
                   ? xstrdup(path)
                   : find_node("/dev", NULL, chr, maj, min, 3);
    _cleanup_closedir_ DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, de->d_name);
        if (lstat(p, &st) < 0)
            continue;
        if ((chr ? S_ISCHR(st.st_mode) : S_ISBLK(st.st_mode)) && major(st.st_rdev) == maj &&
            minor(st.st_rdev) == min)
            return steal_pointer(&p);
        /* The container's kinds of /dev, not a host's devpts or shm. */
        if (S_ISDIR(st.st_mode) && depth > 1 && strcmp(de->d_name, "pts") != 0 &&
            strcmp(de->d_name, "shm") != 0 && strcmp(de->d_name, "mqueue") != 0) {
            char *found = find_node(p, NULL, chr, maj, min, depth - 1);
            if (found)
                return found;
        }
    }
    return NULL;
}

/*
 * The access the config's allow rules (device_rules, already imported)
 * give a node: OCI's linux.devices makes nodes, its rules say what of them
 * opens. None: m, which a bound node does nothing with.
 */
static unsigned rules_access(const struct import *im, char type, unsigned maj, unsigned min)
{
    const struct node *rules = node_map_get(im->out, "device_rules");
    unsigned access = 0;
    struct dev_rule node = {.type = type, .major = maj, .minor = min, .access = DEV_RWM};
    for (size_t i = 0; i < dev_n_own_rules; i++)
        if (dev_rule_covers(&dev_own_rules[i], &node))
            access |= dev_own_rules[i].access;
    for (size_t i = 0; rules && i < rules->n_items; i++) {
        struct dev_rule r;
        _cleanup_free_ char *why = NULL;
        if (dev_rule_parse(rules->items[i]->text, &r, &why) == 0 &&
            (r.type == 'a' || r.type == type) && (r.major == DEV_ANY || r.major == maj) &&
            (r.minor == DEV_ANY || r.minor == min))
            access |= r.access;
    }
    return access ? access : DEV_MKNOD;
}

void im_import_device_binds(struct import *im)
{
    if (!im->n_device_binds)
        return;
    struct node *seq = node_map_get(im->out, "devices");
    bool made = !seq;
    if (made)
        seq = im_container_at(im, NODE_SEQ, im->device_binds[0]);
    for (size_t i = 0; i < im->n_device_binds; i++) {
        const struct node *m = im->device_binds[i];
        const struct node *dest = im_field(m, "destination");
        const struct node *source = im_field(m, "source");
        struct stat st;
        if (stat(source->text, &st) < 0)
            continue;
        char access[4];
        dev_access_format(rules_access(im, S_ISCHR(st.st_mode) ? 'c' : 'b', major(st.st_rdev),
                                       minor(st.st_rdev)),
                          access);
        _cleanup_free_ char *spec = xasprintf("%s:%s:%s", source->text, dest->text, access);
        node_seq_append(seq, im_scalar_at(im, m, spec, true));
    }
    if (made)
        im_put(im->out, "devices", seq);
    free(im->device_binds);
    im->device_binds = NULL;
    im->n_device_binds = 0;
}

/*
 * linux.devices: nodes the container gets. runc makes them with mknod;
 * congo binds the host's node of the same type and numbers (the path
 * itself when it is one, as podman's --device gives it), so the node keeps
 * the host's mode and owner, which the config must not say otherwise.
 */
static void import_linux_devices(struct import *im, const struct node *arr)
{
    static const struct spec_field fields[] = {{"path", NULL},  {"type", NULL},
                                               {"major", NULL}, {"minor", NULL},
                                               {"fileMode", NULL}, {"uid", NULL},
                                               {"gid", NULL}};
    struct node *seq = im_container_at(im, NODE_SEQ, arr);
    for (size_t i = 0; i < arr->n_items; i++) {
        const struct node *dv = arr->items[i];
        if (!im_want(im, dv, dv->kind == NODE_MAP, "an object"))
            continue;
        CHECK_FIELDS(im, dv, fields);
        const struct node *path = im_string_field(im, dv, "path");
        const struct node *type = im_string_field(im, dv, "type");
        const struct node *maj = im_integer_field(im, dv, "major");
        const struct node *min = im_integer_field(im, dv, "minor");
        if (!path || !type) {
            if (!im_field(dv, !path ? "path" : "type"))
                im_fail(im, dv, "`%s` is missing", !path ? "path" : "type");
            continue;
        }
        const char *t = type->text;
        if (strcmp(t, "p") == 0) {
            im_fail(im, type, "a FIFO is not supported as a device; bind one with `mounts`");
            continue;
        }
        if (strcmp(t, "c") != 0 && strcmp(t, "u") != 0 && strcmp(t, "b") != 0) {
            im_fail(im, type, "`%s` is not a device type: c, u or b", t);
            continue;
        }
        if (!maj || !min) {
            if (!im_field(dv, !maj ? "major" : "minor"))
                im_fail(im, dv, "`%s` is missing: the %s number of a %s device",
                        !maj ? "major" : "minor", !maj ? "major" : "minor",
                        t[0] == 'b' ? "block" : "character");
            continue;
        }
        bool chr = t[0] != 'b';
        uint32_t ma, mi;
        if (!parse_u32(maj->text, strlen(maj->text), &ma) ||
            !parse_u32(min->text, strlen(min->text), &mi)) {
            im_fail(im, dv, "a major and a minor are numbers of 0 to 4294967295");
            continue;
        }
        _cleanup_free_ char *source = find_node(NULL, path->text, chr, ma, mi, 3);
        struct stat st;
        if (!source || stat(source, &st) < 0) {
            im_fail(im, dv,
                    "no %s device %u:%u on this host: congo binds the host's node, and makes "
                    "none",
                    chr ? "character" : "block", (unsigned)ma, (unsigned)mi);
            continue;
        }
        const struct node *mode = im_integer_field(im, dv, "fileMode");
        const struct node *uid = im_integer_field(im, dv, "uid");
        const struct node *gid = im_integer_field(im, dv, "gid");
        if (mode && (strtoul(mode->text, NULL, 10) & 07777) != (st.st_mode & 07777))
            im_fail(im, mode, "`%s`'s mode is 0%o on this host, and congo binds it as it is",
                    source, (unsigned)(st.st_mode & 07777));
        if ((uid && strtoul(uid->text, NULL, 10) != st.st_uid) ||
            (gid && strtoul(gid->text, NULL, 10) != st.st_gid))
            im_fail(im, uid ? uid : gid, "`%s` is %u:%u's on this host, and congo binds it as it is",
                    source, (unsigned)st.st_uid, (unsigned)st.st_gid);
        char access[4];
        dev_access_format(rules_access(im, chr ? 'c' : 'b', ma, mi), access);
        _cleanup_free_ char *spec = xasprintf("%s:%s:%s", source, path->text, access);
        node_seq_append(seq, im_scalar_at(im, path, spec, true));
    }
    if (seq->n_items)
        im_put(im->out, "devices", seq);
    else
        node_free(seq);
}

static void import_resources(struct import *im, const struct node *linux_)
{
    const struct node *res = im_object_field(im, linux_, "resources");
    if (!res)
        return;
    static const struct spec_field fields[] = {
        {"devices", NULL},
        {"memory", NULL},
        {"cpu", NULL},
        {"pids", NULL},
        {"blockIO", "block I/O limits are not supported"},
        {"hugepageLimits", "huge page limits are not supported"},
        {"network", "network class and priorities are not supported"},
        {"rdma", "RDMA limits are not supported"},
        {"unified", "raw cgroup v2 files are not supported; use the memory, cpu and pids limits"},
    };
    CHECK_FIELDS(im, res, fields);
    const struct node *devices = im_array_field(im, res, "devices");
    if (devices)
        import_devices(im, devices);
    struct node *limits = NULL;
    const struct node *memory = im_object_field(im, res, "memory");
    if (memory) {
        static const struct spec_field mem_fields[] = {
            {"limit", NULL},
            {"swap", NULL},
            {"reservation", "a memory reservation (soft limit) is not supported"},
            {"kernel", "a kernel memory limit is not supported (nor, in new kernels, by Linux)"},
            {"kernelTCP", "a kernel TCP memory limit is not supported"},
            {"swappiness", "swappiness is not supported"},
            {"disableOOMKiller", "turning the OOM killer off is not supported"},
            {"useHierarchy", "useHierarchy is not supported"},
            {"checkBeforeUpdate", NULL},
        };
        CHECK_FIELDS(im, memory, mem_fields);
        const struct node *limit = im_integer_field(im, memory, "limit");
        const struct node *swap = im_integer_field(im, memory, "swap");
        if (limit || swap)
            limits = im_submap(im, im->out, "limits", res);
        if (limit)
            put_limit(im, limits, "memory", limit);
        if (swap)
            put_limit(im, limits, "memory_swap", swap);
    }
    const struct node *cpu = im_object_field(im, res, "cpu");
    if (cpu) {
        static const struct spec_field cpu_fields[] = {
            {"shares", NULL},
            {"quota", NULL},
            {"period", NULL},
            {"burst", "a CPU burst is not supported"},
            {"realtimeRuntime", "real-time CPU time is not supported"},
            {"realtimePeriod", "real-time CPU time is not supported"},
            {"cpus", "cpusets are not supported"},
            {"mems", "cpusets are not supported"},
            {"idle", "SCHED_IDLE cgroups are not supported"},
        };
        CHECK_FIELDS(im, cpu, cpu_fields);
        const struct node *shares = im_integer_field(im, cpu, "shares");
        const struct node *quota = im_integer_field(im, cpu, "quota");
        const struct node *period = im_integer_field(im, cpu, "period");
        if (shares && strcmp(shares->text, "0") != 0)
            im_put_copy(im, limits = im_submap(im, im->out, "limits", res), "cpu_shares", shares);
        long long q = quota ? strtoll(quota->text, NULL, 10) : 0;
        long long p = period ? strtoll(period->text, NULL, 10) : 100000;
        if (p <= 0 || p > 1000000) {
            im_fail(im, period, "a CPU period is 1 to 1000000 microseconds");
        } else if (q > 0) {
            if (q > INT64_MAX / 100000)
                im_fail(im, quota, "a CPU quota this large means no limit; leave it out");
            else {
                _cleanup_free_ char *text = cpus_text(q, p);
                im_put(limits = im_submap(im, im->out, "limits", res), "cpus",
                       im_scalar_at(im, quota, text, false));
            }
        }
    }
    const struct node *pids = im_object_field(im, res, "pids");
    if (pids) {
        static const struct spec_field pids_fields[] = {{"limit", NULL}};
        CHECK_FIELDS(im, pids, pids_fields);
        const struct node *limit = im_integer_field(im, pids, "limit");
        if (limit)
            put_limit(im, im_submap(im, im->out, "limits", res), "pids", limit);
    }
}

/*
 * maskedPaths or readonlyPaths: the config's list is the whole list, so
 * congo's own ones it leaves out are taken back (!PATH).
 */
static void import_paths(struct import *im, const struct node *linux_, const char *oci_key,
                         enum key_id id)
{
    const struct node *arr = im_array_field(im, linux_, oci_key);
    if (!arr && im_field(linux_, oci_key))
        return;
    const struct node *from = arr ? arr : linux_;
    struct node *seq = im_container_at(im, NODE_SEQ, from);
    const char *const *builtin = profile_keys[id].builtin;
    for (size_t b = 0; builtin[b]; b++) {
        bool listed = false;
        for (size_t i = 0; arr && i < arr->n_items && !listed; i++)
            listed = im_is_string(arr->items[i]) && strcmp(arr->items[i]->text, builtin[b]) == 0;
        if (!listed) {
            _cleanup_free_ char *back = xasprintf("!%s", builtin[b]);
            node_seq_append(seq, im_scalar_at(im, from, back, true));
        }
    }
    for (size_t i = 0; arr && i < arr->n_items; i++) {
        const struct node *p = arr->items[i];
        if (!im_want(im, p, im_is_string(p), "a path"))
            continue;
        bool builtin_path = false;
        for (size_t b = 0; builtin[b] && !builtin_path; b++)
            builtin_path = strcmp(p->text, builtin[b]) == 0;
        if (!builtin_path)
            node_seq_append(seq, im_scalar_at(im, p, p->text, true));
    }
    im_put(im->out, profile_keys[id].name, seq);
}

void im_import_linux(struct import *im, const struct node *config)
{
    const struct node *linux_ = im_object_field(im, config, "linux");
    static const struct node empty = {.kind = NODE_MAP};
    const struct node *l = linux_ ? linux_ : &empty;
    if (linux_) {
        static const struct spec_field fields[] = {
            {"namespaces", NULL},
            {"uidMappings", NULL},
            {"gidMappings", NULL},
            {"timeOffsets", "time namespaces are not supported yet"},
            {"devices", NULL},
            {"cgroupsPath", NULL},
            {"rootfsPropagation", NULL},
            {"resources", NULL},
            {"sysctl", NULL},
            {"seccomp", NULL},
            {"maskedPaths", NULL},
            {"readonlyPaths", NULL},
            {"mountLabel", NULL},
            {"intelRdt", "Intel RDT is not supported"},
            {"personality", "an execution domain (personality) is not supported"},
            {"memoryPolicy", "a NUMA memory policy is not supported"},
            {"netDevices", "moving network devices into the container is not supported"},
        };
        CHECK_FIELDS(im, linux_, fields);
    }
    const struct node *userns = NULL;
    import_namespaces(im, l, linux_ ? linux_ : config, &userns);
    import_id_mappings(im, l, userns, linux_ ? linux_ : config);
    import_resources(im, l);
    const struct node *devices = im_array_field(im, l, "devices");
    if (devices)
        import_linux_devices(im, devices);
    const struct node *cgroups_path = im_string_field(im, l, "cgroupsPath");
    if (cgroups_path && *cgroups_path->text) {
        if (cgroups_path->text[0] != '/' && strchr(cgroups_path->text, ':'))
            im_fail(im, cgroups_path,
                    "`%s` is a systemd slice:prefix:name; congo manages cgroups itself "
                    "(cgroupfs): give an absolute cgroup path",
                    cgroups_path->text);
        else if (cgroups_path->text[0] != '/')
            im_fail(im, cgroups_path, "congo takes an absolute cgroupsPath, not `%s`",
                    cgroups_path->text);
        else
            im_put_copy(im, im->out, "cgroup_path", cgroups_path);
    }
    const struct node *prop = im_string_field(im, l, "rootfsPropagation");
    if (prop && *prop->text && strcmp(prop->text, "private") != 0 &&
        strcmp(prop->text, "rprivate") != 0)
        im_fail(im, prop, "congo keeps every mount of the container private; `%s` is not supported",
                prop->text);
    const struct node *sysctl = im_object_field(im, l, "sysctl");
    if (sysctl)
        im_import_strings_map(im, sysctl, "sysctl");
    const struct node *seccomp = im_object_field(im, l, "seccomp");
    if (seccomp) {
        /* The policy as it stands; the profile's seccomp reader checks it, at these pointers. */
        size_t budget = SIZE_MAX;
        struct node *copy = node_copy(seccomp, &budget);
        free(copy->where);
        copy->where = node_path(seccomp);
        im_put(im->out, "seccomp", copy);
    } else {
        im_put(im->out, "seccomp", im_scalar_at(im, l, "unconfined", false));
    }
    import_paths(im, l, "maskedPaths", KEY_MASKED_PATHS);
    import_paths(im, l, "readonlyPaths", KEY_READONLY_PATHS);
    im_import_label(im, l, "mountLabel", "selinux");
}
