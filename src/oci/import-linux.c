/* config.json's /linux; see import-internal.h. */
#include "oci/import-internal.h"

#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "profile/profile.h"
#include "profile/schema.h"
#include "profile/value.h"
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
 * The device cgroup rules: congo binds only its own /dev nodes in and
 * mounts every file system nodev, so a container opens no other device
 * node whatever it makes. A list that denies everything first and then
 * allows (any allow rule gives nothing beyond that) says the same, and
 * binds stay nodev (import_mount) for it.
 */
static void import_devices(struct import *im, const struct node *arr)
{
    static const struct spec_field fields[] = {
        {"allow", NULL}, {"type", NULL}, {"major", NULL}, {"minor", NULL}, {"access", NULL}};
    for (size_t i = 0; i < arr->n_items; i++) {
        const struct node *r = arr->items[i];
        if (!im_want(im, r, r->kind == NODE_MAP, "an object"))
            continue;
        CHECK_FIELDS(im, r, fields);
        const struct node *allow = im_bool_field(im, r, "allow");
        const struct node *type = im_string_field(im, r, "type");
        bool all = (!type || strcmp(type->text, "a") == 0) && !im_field(r, "major") &&
                   !im_field(r, "minor");
        if (i == 0 && (!allow || strcmp(allow->text, "false") != 0 || !all))
            im_fail(im, r,
                    "congo denies a container every device but its own /dev nodes; a device list "
                    "must begin with the rule that denies all, {\"allow\": false, \"access\": "
                    "\"rwm\"}");
        else if (i > 0 && allow && strcmp(allow->text, "false") == 0)
            im_fail(im, r, "a deny rule after the first is not supported");
    }
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
            {"devices", "device nodes of the host are not supported yet; congo gives a "
                        "container null, zero, full, random, urandom, tty and its own pts"},
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
