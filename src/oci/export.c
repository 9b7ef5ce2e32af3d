/*
 * config.json from a run plan: what congo does, said in runtime-spec's
 * words so that runc 1.1 does the same. The mapping, key by key, and what
 * cannot be said are in congo-launch(1), OCI BUNDLES; the comments here
 * say why a field is written the way it is.
 */
#include "oci/export.h"
#include "oci/export-seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <jansson.h>
#include <mntent.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "profile/schema.h"
#include "runtime/user.h"
#include "util/names.h"
#include "util/idmap.h"
#include "util/util.h"

/*
 * runtime-spec 1.0.2 with one later field, seccomp's errnoRet: without it
 * every denied call would fail with EPERM, and clone3 must fail with ENOSYS
 * for glibc to fall back to clone. runc has read it since 1.0.0-rc93, and
 * calls the version it implements 1.0.2-dev.
 */
#define OCI_VERSION "1.0.2-dev"

/*
 * jansson's integers are signed 64-bit; an rlimit is a uint64 whose
 * RLIM_INFINITY is 2^64 - 1. The tree holds this stand-in, which no other
 * field can take (every other number written is >= 0), and the text gets
 * the real number.
 */
#define RLIM_STAND_IN "-9223372036854775808"
#define RLIM_INFINITY_TEXT "18446744073709551615"

/* ---- messages at the key that asked ---- */

static void vat_key(struct diags *d, enum diag_level level, const struct origin *o,
                    const char *key, const char *fmt, va_list ap)
{
    _cleanup_free_ char *msg = xvasprintf(fmt, ap);
    if (o && o->file) {
        diags_add(d, level, o->file, o->line, 0, origin_key(o, key), "%s", msg);
        return;
    }
    /* A default: no file to point at, so the message names the key itself. */
    if (level == DIAG_NOTE)
        diags_add(d, level, NULL, 0, 0, NULL, "note: %s%s%s", key ? key : "", key ? ": " : "",
                  msg);
    else
        diags_add(d, level, NULL, 0, 0, key, "%s", msg);
}

static void refuse(struct diags *d, const struct origin *o, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void refuse(struct diags *d, const struct origin *o, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vat_key(d, DIAG_ERROR, o, key, fmt, ap);
    va_end(ap);
}

static void note(struct diags *d, const struct origin *o, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void note(struct diags *d, const struct origin *o, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vat_key(d, DIAG_NOTE, o, key, fmt, ap);
    va_end(ap);
}

/* Where the profile set the mount, masked or read-only path the plan made at target. */
static const struct origin *mount_origin(const struct profile *p, const struct plan_mount *m)
{
    if (!m->key)
        return NULL;
    for (size_t i = 0; i < p->n_mounts; i++)
        if (strcmp(p->mounts[i].target, m->target) == 0)
            return &p->mounts[i].origin;
    const struct profile_layer *list = m->kind == PLAN_MOUNT_MASK ? p->masked_paths
                                                                  : p->readonly_paths;
    size_t n = m->kind == PLAN_MOUNT_MASK ? p->n_masked_paths : p->n_readonly_paths;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].path, m->target) == 0)
            return &list[i].origin;
    return NULL;
}

/* ---- paths inside the container ---- */

/* path is dir or below it. */
static bool path_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/*
 * The mount among the plan's first n that path lies in (the last one made
 * at it or at a parent), or NULL: the root itself.
 */
static const struct plan_mount *covering_mount(const struct run_plan *plan, size_t n,
                                               const char *path)
{
    const struct plan_mount *found = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct plan_mount *m = &plan->mounts[i];
        if (m->kind != PLAN_MOUNT_SYMLINK && m->kind != PLAN_MOUNT_READONLY &&
            path_within(path, m->target))
            found = m;
    }
    return found;
}

/* Whether path exists in the root, resolved as the container resolves it. */
static bool exists_in_root(int rootfd, const char *path)
{
    struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    while (*path == '/')
        path++;
    if (!*path)
        return true;
    int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/*
 * A read-only root can have nothing made in it. congo fails when a mount
 * target or the workdir is missing there; runc would make it in root.path
 * (the profile's own rootfs, in place) before it turns the root read-only.
 * Either way the bundle would not be the container congo runs, so the
 * export stops where congo would.
 */
static void check_readonly_root(const struct profile *p, const struct run_plan *plan,
                                const struct oci_root *root, struct diags *d)
{
    const struct origin *ro = &p->origin[KEY_READONLY_ROOTFS];
    for (size_t i = 0; i < plan->n_mounts; i++) {
        const struct plan_mount *m = &plan->mounts[i];
        if (m->kind == PLAN_MOUNT_SYMLINK || m->kind == PLAN_MOUNT_MASK ||
            m->kind == PLAN_MOUNT_READONLY)
            continue;
        if (covering_mount(plan, i, m->target) || exists_in_root(root->fd, m->target))
            continue;
        if (m->key)
            refuse(d, mount_origin(p, m), m->key,
                   "target `%s` does not exist in the read-only root, and neither congo nor runc "
                   "may make it there: make it in rootfs or a layer",
                   m->target);
        else
            refuse(d, ro, "readonly_rootfs",
                   "`%s` does not exist in the root, and a read-only root cannot have it made: "
                   "make it in rootfs or a layer",
                   m->target);
    }
    const struct plan_mount *m = covering_mount(plan, plan->n_mounts, plan->workdir);
    bool exists;
    if (!m) {
        exists = exists_in_root(root->fd, plan->workdir);
    } else if (m->kind == PLAN_MOUNT_BIND) {
        _cleanup_free_ char *host =
            xasprintf("%s%s", m->source, plan->workdir + strlen(m->target));
        exists = access(host, F_OK) == 0;
    } else {
        exists = strcmp(m->target, plan->workdir) == 0;
    }
    if (!exists)
        refuse(d, &p->origin[KEY_WORKDIR], "workdir",
               "`%s` does not exist, and readonly_rootfs forbids making it", plan->workdir);
}

/* ---- process ---- */

static json_t *string_array(char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *cap_array(uint64_t set)
{
    json_t *a = json_array();
    for (int c = 0; c < 64; c++) {
        if (!(set & (UINT64_C(1) << c)))
            continue;
        _cleanup_free_ char *name = capability_name(c);
        _cleanup_free_ char *cap = xasprintf("CAP_%s", name);
        json_array_append_new(a, json_string(cap));
    }
    return a;
}

static json_t *rlimit_value(uint64_t v)
{
    /* Every other value fits: the profile's readers keep limits below 2^63. */
    return json_integer(v == RLIM_INFINITY ? INT64_MIN : (json_int_t)v);
}

/*
 * The user as numbers, looked up where congo looks it up when it runs: the
 * root's own /etc/passwd and /etc/group (src/runtime/user.c). A mount over
 * /etc, /etc/passwd or /etc/group would change what congo reads there, and
 * the export cannot know what it will hold: refused.
 */
static int resolve_user(const struct profile *p, const struct run_plan *plan,
                        const struct oci_root *root, struct user_ids *u, struct diags *d)
{
    static const char *const files[] = {"/etc/passwd", "/etc/group"};
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        const struct plan_mount *m = covering_mount(plan, plan->n_mounts, files[i]);
        if (!m)
            continue;
        refuse(d, mount_origin(p, m), m->key ? m->key : "mounts",
               "`%s` covers the container's `%s`, where congo looks up `user` as it starts; a "
               "bundle names the user by number, looked up in the root alone",
               m->target, files[i]);
        return -1;
    }
    struct congo_error e = {0};
    if (user_resolve(root->fd, plan->user, u, &e) < 0) {
        refuse(d, &p->origin[KEY_USER], "user", "%s", e.msg);
        error_clear(&e);
        return -1;
    }
    /* The profile's groups after the user's own (none without initgroups), as child.c does. */
    if (!plan->initgroups)
        user_drop_memberships(u);
    if (user_add_groups(root->fd, plan->groups, u, &e) < 0) {
        const struct origin *o = p->n_groups ? &p->groups[0].origin : NULL;
        refuse(d, o, "groups", "%s", e.msg);
        error_clear(&e);
        user_ids_free(u);
        return -1;
    }
    return 0;
}

static json_t *process_json(const struct profile *p, const struct run_plan *plan,
                            const struct user_ids *u, struct diags *d)
{
    json_t *user = json_pack("{s:I, s:I, s:I}", "uid", (json_int_t)u->uid, "gid",
                             (json_int_t)u->gid, "umask", (json_int_t)plan->umask);
    /* All of them, the primary first: congo's setgroups list, which runc sets as it is. */
    json_t *gids = json_array();
    for (size_t i = 0; i < u->n_groups; i++)
        json_array_append_new(gids, json_integer((json_int_t)u->groups[i]));
    json_object_set_new(user, "additionalGids", gids);

    _cleanup_strv_ char **env = user_env(plan, u->home);
    if (plan->env_term >= 0) {
        /* The bundle runs later, for another caller: the exporter's TERM means nothing there. */
        size_t n = strv_len(env), at = (size_t)plan->env_term;
        note(d, NULL, "TERM",
             "congo passes its caller's TERM to the command; a bundle's environment is fixed, "
             "so `%s` is left out (set TERM in `env` to keep one)",
             env[at]);
        free(env[at]);
        memmove(env + at, env + at + 1, (n - at) * sizeof(*env));
    }

    /*
     * congo gives a root command the kept set as bounding, effective and
     * permitted, and any other user nothing but the bounding set: runc keeps
     * what the sets say across its setuid, so another user's are empty.
     */
    /*
     * The ambient capabilities are also inheritable (src/runtime/security.c).
     * runc raises them after its setuid, from a permitted set that must hold
     * them: there the kept set, which the command's execve as another user
     * than root reduces to the ambient set alone, as congo's does.
     */
    uint64_t held = u->uid == 0 || plan->caps_ambient ? plan->caps : 0;
    json_t *caps = json_pack("{s:o, s:o, s:o, s:o, s:o}", "bounding", cap_array(plan->caps),
                             "effective", cap_array(held), "inheritable",
                             cap_array(plan->caps_ambient), "permitted", cap_array(held),
                             "ambient", cap_array(plan->caps_ambient));

    json_t *process = json_pack("{s:b, s:o, s:o, s:o, s:s, s:o}", "terminal", 0, "user", user,
                                "args", string_array(plan->argv), "env", string_array(env),
                                "cwd", plan->workdir, "capabilities", caps);
    if (plan->n_rlimits) {
        json_t *rlimits = json_array();
        for (size_t i = 0; i < plan->n_rlimits; i++) {
            const struct plan_rlimit *l = &plan->rlimits[i];
            _cleanup_free_ char *type = xasprintf("RLIMIT_%s", rlimit_name(l->resource));
            for (char *c = type; *c; c++)
                *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
            json_array_append_new(rlimits, json_pack("{s:s, s:o, s:o}", "type", type, "hard",
                                                     rlimit_value(l->hard), "soft",
                                                     rlimit_value(l->soft)));
        }
        json_object_set_new(process, "rlimits", rlimits);
    }
    json_object_set_new(process, "noNewPrivileges", json_boolean(plan->no_new_privileges));
    if (plan->oom_score_adj_set)
        json_object_set_new(process, "oomScoreAdj", json_integer(plan->oom_score_adj));

    if (plan->init)
        note(d, &p->origin[KEY_INIT], "init",
             "runc starts no init: the command is the container's PID 1 itself, which ignores "
             "the signals it has no handler for and must reap its own children; put one in "
             "`command` (tini, dumb-init), or set `init: false`");
    if (plan->stop_timeout_ms != profile_keys[KEY_STOP_TIMEOUT].def.i)
        note(d, &p->origin[KEY_STOP_TIMEOUT], "stop_timeout",
             "a bundle has no stop timeout: the engine that stops the container decides when "
             "SIGKILL follows SIGTERM");
    return process;
}

/* ---- mounts ---- */

/* Mount flags as OCI options; the same bits as statvfs's ST_* flags. */
static const struct {
    unsigned long flag;
    const char *name;
} flag_options[] = {
    {MS_RDONLY, "ro"},          {MS_NOSUID, "nosuid"},         {MS_NODEV, "nodev"},
    {MS_NOEXEC, "noexec"},      {MS_SYNCHRONOUS, "sync"},      {MS_DIRSYNC, "dirsync"},
    {MS_NOATIME, "noatime"},    {MS_NODIRATIME, "nodiratime"}, {MS_RELATIME, "relatime"},
    {MS_STRICTATIME, "strictatime"},
};

/* The options for flags; *rest gets the flags no option names. */
static void put_flags(json_t *options, unsigned long flags, unsigned long *rest)
{
    for (size_t i = 0; i < ARRAY_SIZE(flag_options); i++) {
        if (!(flags & flag_options[i].flag))
            continue;
        json_array_append_new(options, json_string(flag_options[i].name));
        flags &= ~flag_options[i].flag;
    }
    if (rest)
        *rest = flags;
}

static json_t *mount_json(const char *target, const char *type, const char *source,
                          json_t *options)
{
    return json_pack("{s:s, s:s, s:s, s:o}", "destination", target, "type", type, "source",
                     source, "options", options);
}

/* Whether a read-only path made after mount i covers its target (congo's applies to what is below). */
static bool under_readonly_path(const struct run_plan *plan, size_t i)
{
    for (size_t j = i + 1; j < plan->n_mounts; j++)
        if (plan->mounts[j].kind == PLAN_MOUNT_READONLY &&
            path_within(plan->mounts[i].target, plan->mounts[j].target))
            return true;
    return false;
}

/* A new file system, with its MS_* flags and its own options. */
static json_t *fs_mount(const struct plan_mount *m, bool readonly, struct diags *d)
{
    json_t *options = json_array();
    unsigned long rest;
    put_flags(options, m->flags | (readonly ? MS_RDONLY : 0), &rest);
    if (rest)
        refuse(d, NULL, m->key,
               "the mount of %s at `%s` has flags %#lx, which runtime-spec has no option for",
               m->fstype, m->target, rest);
    for (const char *o = m->data; o && *o;) {
        const char *end = strchrnul(o, ',');
        json_array_append_new(options, json_stringn(o, (size_t)(end - o)));
        o = *end ? end + 1 : end;
    }
    return mount_json(m->target, m->fstype, m->source, options);
}

/*
 * A host path bound in as congo binds it: with what is mounted below it
 * (rbind) unless its options say `bind`. congo sets the flags its options
 * name on the copy, through the whole tree, and keeps the source's others
 * (mount_setattr, AT_RECURSIVE). runc remounts the bind with exactly the
 * flags its options name, which would clear the source's ro, nosuid,
 * nodev and noexec: so those are named too (statvfs's ST_ bits are the
 * MS_ ones), and each flag again as runc's
 * recursive option (`rro`, `rnosuid`: runc 1.1, Linux 5.12) for what is
 * mounted below. Without flags runc remounts nothing, as congo sets none.
 */
static json_t *bind_mount(const struct profile *p, const struct plan_mount *m, bool readonly,
                          struct diags *d)
{
    json_t *options = json_array();
    json_array_append_new(options, json_string(m->recursive ? "rbind" : "bind"));
    unsigned long flags = m->flags | (readonly ? MS_RDONLY : 0);
    if (!flags)
        return mount_json(m->target, "bind", m->source, options);
    struct statvfs sv;
    if (statvfs(m->source, &sv) < 0) {
        refuse(d, mount_origin(p, m), m->key ? m->key : "mounts", "source `%s` for `%s`: %s",
               m->source, m->target, strerror(errno));
        return mount_json(m->target, "bind", m->source, options);
    }
    /* (A remount keeps the atime mode unless it names one: those need no copy.) */
    unsigned long source = sv.f_flag & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC);
    put_flags(options, source | flags, NULL);
    if (m->recursive)
        for (size_t i = 0; i < ARRAY_SIZE(flag_options); i++)
            if ((flags & flag_options[i].flag) &&
                !(flag_options[i].flag & (MS_SYNCHRONOUS | MS_DIRSYNC))) {
                _cleanup_free_ char *r = xasprintf("r%s", flag_options[i].name);
                json_array_append_new(options, json_string(r));
            }
    return mount_json(m->target, "bind", m->source, options);
}

/*
 * The /dev links congo makes are those runc makes itself in a /dev of its
 * own (and it adds /dev/core): a link that is not among them could not be
 * said in config.json.
 */
static bool runc_makes_link(const struct plan_mount *m)
{
    static const char *const links[][2] = {
        {"/dev/ptmx", "pts/ptmx"},          {"/dev/fd", "/proc/self/fd"},
        {"/dev/stdin", "/proc/self/fd/0"},  {"/dev/stdout", "/proc/self/fd/1"},
        {"/dev/stderr", "/proc/self/fd/2"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(links); i++)
        if (strcmp(m->target, links[i][0]) == 0 && strcmp(m->source, links[i][1]) == 0)
            return true;
    return false;
}

/*
 * The device cgroup: congo makes one only for devices and device_rules,
 * and otherwise mounts every writable file system nodev (a bind too,
 * unless it says `dev: true`), so the only nodes that open are those it
 * binds from the host (and the container's own devpts). runc makes nodes
 * with mknod and guards them with the device cgroup: deny everything,
 * then allow those (with the access the profile's devices give them).
 */
static void allow_device(json_t *devices, const char *path, const char *access, bool *ok)
{
    struct stat st;
    if (stat(path, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
        *ok = false;
        return;
    }
    json_array_append_new(devices, json_pack("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type",
                                             S_ISCHR(st.st_mode) ? "c" : "b", "major",
                                             (json_int_t)major(st.st_rdev), "minor",
                                             (json_int_t)minor(st.st_rdev), "access", access));
}

/* The access the profile's devices give a node (its plan_device's), as text into out. */
static void device_access(const struct run_plan *plan, const struct plan_mount *m, char out[4])
{
    unsigned access = DEV_RWM;
    for (size_t i = 0; m->key && i < plan->cgroup.n_devices; i++)
        if (str_eq(plan->cgroup.devices[i].node, m->source))
            access = plan->cgroup.devices[i].rule.access;
    dev_access_format(access, out);
}

/* device_rules, after what the mounts allow: OCI's rules as they are. */
static void allow_rules(json_t *devices, const struct run_plan *plan)
{
    for (size_t i = 0; i < plan->cgroup.n_devices; i++) {
        const struct plan_device *d = &plan->cgroup.devices[i];
        if (!str_eq(d->key, "device_rules"))
            continue;
        char access[4];
        dev_access_format(d->rule.access, access);
        json_t *r = json_pack("{s:b, s:s}", "allow", 1, "access", access);
        if (d->rule.type != 'a')
            json_object_set_new(r, "type", json_stringn(&d->rule.type, 1));
        if (d->rule.major != DEV_ANY)
            json_object_set_new(r, "major", json_integer(d->rule.major));
        if (d->rule.minor != DEV_ANY)
            json_object_set_new(r, "minor", json_integer(d->rule.minor));
        json_array_append_new(devices, r);
    }
}

/*
 * runc mounts the container's root (and /proc, /dev, ... on it) before the
 * binds, so a bind whose source holds the bundle shows all that below its
 * target too, where congo's shows the source alone.
 */
static void note_bundle_inside(const struct profile *p, const struct plan_mount *m,
                               const char *bundle, struct diags *d)
{
    _cleanup_free_ char *source = bundle ? realpath(m->source, NULL) : NULL;
    if (!source || !path_within(bundle, source))
        return;
    note(d, mount_origin(p, m), m->key ? m->key : "mounts",
         "`%s` holds the bundle, so under runc `%s` also shows the container's own root and "
         "what runc mounts on it; a bundle kept elsewhere does not",
         m->source, m->target);
}

struct mounts_out {
    json_t *mounts, *masked, *readonly, *devices;
    json_t *nodes; /* linux.devices: the profile's devices */
};

static json_t *mappings_json(const struct idmap_range *r, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:I, s:I, s:I}", "containerID", (json_int_t)r[i].inside,
                                           "hostID", (json_int_t)r[i].outside, "size",
                                           (json_int_t)r[i].count));
    return a;
}

static void mounts_json(const struct profile *p, const struct run_plan *plan, const char *bundle,
                        struct mounts_out *out, struct diags *d)
{
    out->mounts = json_array();
    out->masked = json_array();
    out->readonly = json_array();
    out->devices = json_array();
    out->nodes = json_array();
    json_array_append_new(out->devices, json_pack("{s:b, s:s}", "allow", 0, "access", "rwm"));
    for (size_t i = 0; i < plan->n_mounts; i++) {
        const struct plan_mount *m = &plan->mounts[i];
        bool ro = under_readonly_path(plan, i);
        bool ok = true;
        switch (m->kind) {
        case PLAN_MOUNT_FS:
            json_array_append_new(out->mounts, fs_mount(m, ro, d));
            if (strcmp(m->fstype, "devpts") == 0) {
                /* Its terminals (UNIX98 ptys, major 136) and its own ptmx. */
                json_array_append_new(out->devices,
                                      json_pack("{s:b, s:s, s:I, s:s}", "allow", 1, "type", "c",
                                                "major", (json_int_t)136, "access", "rwm"));
                json_array_append_new(out->devices,
                                      json_pack("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type",
                                                "c", "major", (json_int_t)5, "minor",
                                                (json_int_t)2, "access", "rwm"));
            }
            break;
        case PLAN_MOUNT_DEVICE: {
            char access[4];
            device_access(plan, m, access);
            allow_device(out->devices, m->source, access, &ok);
            if (!ok) {
                refuse(d, NULL, NULL, "`%s` is not a device node on this host", m->source);
                break;
            }
            if (m->key) {
                /*
                 * The profile's devices are linux.devices, with the host
                 * node's numbers, mode and owner: runc makes them with
                 * mknod, and congo, reading the bundle, binds the host's.
                 */
                struct stat st;
                stat(m->source, &st);
                json_array_append_new(
                    out->nodes,
                    json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "path", m->target, "type",
                              S_ISCHR(st.st_mode) ? "c" : "b", "major",
                              (json_int_t)major(st.st_rdev), "minor",
                              (json_int_t)minor(st.st_rdev), "fileMode",
                              (json_int_t)(st.st_mode & 07777), "uid", (json_int_t)st.st_uid,
                              "gid", (json_int_t)st.st_gid));
                break;
            }
            /*
             * congo's own: bound as congo binds them, so /dev can stay
             * nodev; runc's own mknod of the same node then finds it there
             * and keeps it.
             */
            json_array_append_new(out->mounts,
                                  mount_json(m->target, "bind", m->source,
                                             json_pack("[s]", "bind")));
            break;
        }
        case PLAN_MOUNT_BIND: {
            json_t *bm = bind_mount(p, m, m->readonly || ro, d);
            /*
             * runtime-spec 1.1's id-mapped mount, to the container's own
             * mappings (those of user_namespace, which checked it has some).
             */
            if (m->idmap && plan->idmap) {
                json_array_append_new(json_object_get(bm, "options"), json_string("idmap"));
                json_object_set_new(bm, "uidMappings",
                                    mappings_json(plan->idmap->uid, plan->idmap->n_uid));
                json_object_set_new(bm, "gidMappings",
                                    mappings_json(plan->idmap->gid, plan->idmap->n_gid));
                note(d, mount_origin(p, m), m->key ? m->key : "mounts",
                     "`%s` is id-mapped, which runc before 1.2 does not do: the bind's files keep "
                     "their host owners there",
                     m->target);
            }
            json_array_append_new(out->mounts, bm);
            note_bundle_inside(p, m, bundle, d);
            struct stat st;
            if (stat(m->source, &st) < 0)
                break;
            if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                allow_device(out->devices, m->source, "rwm", &ok);
            else if (!(m->flags & MS_NODEV) && S_ISDIR(st.st_mode))
                note(d, mount_origin(p, m), m->key ? m->key : "mounts",
                     "`%s` is bound with `dev: true`: a device node in it opens under congo, "
                     "which has no device cgroup, but under runc only when "
                     "linux.resources.devices allows it",
                     m->target);
            break;
        }
        case PLAN_MOUNT_SYMLINK:
            if (!runc_makes_link(m))
                refuse(d, NULL, NULL,
                       "the link `%s` -> `%s` cannot be said in config.json, and runc does not "
                       "make it",
                       m->target, m->source);
            break;
        case PLAN_MOUNT_CGROUP: {
            /* congo's own (read-only), or the profile's `type: cgroup` with its `ro`. */
            json_t *options = json_pack("[s, s, s]", "nosuid", "noexec", "nodev");
            if (m->readonly || ro)
                json_array_append_new(options, json_string("ro"));
            json_array_append_new(out->mounts, mount_json(m->target, "cgroup", "cgroup", options));
            break;
        }
        case PLAN_MOUNT_MASK:
            json_array_append_new(out->masked, json_string(m->target));
            break;
        case PLAN_MOUNT_READONLY:
            json_array_append_new(out->readonly, json_string(m->target));
            break;
        }
    }
    allow_rules(out->devices, plan);
}

/* ---- linux ---- */

static json_t *namespaces_json(const struct run_plan *plan)
{
    uint64_t flags = plan->clone_flags;
    static const struct {
        uint64_t flag;
        const char *type;
    } ns[] = {
        {CLONE_NEWPID, "pid"}, {CLONE_NEWNET, "network"}, {CLONE_NEWIPC, "ipc"},
        {CLONE_NEWUTS, "uts"}, {CLONE_NEWNS, "mount"},    {CLONE_NEWCGROUP, "cgroup"},
    };
    json_t *a = json_array();
    for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
        if (flags & ns[i].flag)
            json_array_append_new(a, json_pack("{s:s}", "type", ns[i].type));
        /* A namespace joined: runc setns()es into the path as congo does. */
        for (size_t j = 0; j < plan->n_ns_joins; j++)
            if (plan->ns_joins[j].flag == ns[i].flag)
                json_array_append_new(a, json_pack("{s:s, s:s}", "type", ns[i].type, "path",
                                                   plan->ns_joins[j].path));
    }
    return a;
}


/*
 * Mappings are OCI's own; auto is a range the engine leases when the
 * container starts, which a bundle cannot hold. runc id-maps nothing
 * unless told, so the image's files look owned by nobody in its container.
 */
static void userns_json(const struct profile *p, const struct run_plan *plan, json_t *l,
                        struct diags *d)
{
    const struct origin *o = &p->origin[KEY_USER_NAMESPACE];
    if (str_eq(p->user_namespace, "auto")) {
        refuse(d, o, "user_namespace",
               "auto leases its ids when the container starts, which config.json cannot say; "
               "give mappings, as in \"0:100000:65536\"");
        return;
    }
    if (plan->userns != PLAN_USERNS_MAP)
        return;
    json_array_append_new(json_object_get(l, "namespaces"), json_pack("{s:s}", "type", "user"));
    json_object_set_new(l, "uidMappings", mappings_json(plan->idmap->uid, plan->idmap->n_uid));
    json_object_set_new(l, "gidMappings", mappings_json(plan->idmap->gid, plan->idmap->n_gid));
    note(d, o, "user_namespace",
         "runc 1.1 does not id-map rootfs as congo does: give it a root owned by the mapped ids");
}

static json_t *resources_json(const struct profile *p, const struct cgroup_request *c,
                              json_t *devices, struct diags *d)
{
    json_t *r = json_pack("{s:o}", "devices", devices);
    if (c->memory != LIMIT_UNLIMITED) {
        json_t *memory = json_pack("{s:I}", "limit", (json_int_t)c->memory);
        /* OCI's swap is memory plus swap, as congo's memory_swap is. */
        if (c->memory_swap != LIMIT_UNLIMITED)
            json_object_set_new(memory, "swap", json_integer(c->memory_swap));
        json_object_set_new(r, "memory", memory);
    }
    if (c->cpu_shares > 0 || c->cpu_quota > 0) {
        json_t *cpu = json_object();
        if (c->cpu_shares > 0) {
            json_object_set_new(cpu, "shares", json_integer(c->cpu_shares));
            note(d, &p->origin[KEY_CPU_SHARES], "limits.cpu_shares",
                 "where cgroup v2 has cpu.weight in place of cpu.shares, runc 1.1 writes "
                 "1 + (shares - 2) * 9999 / 262142 there (%lld for %lld), where congo writes crun's "
                 "mapping (100 for 1024, the v2 default)",
                 (long long)(1 + (c->cpu_shares - 2) * 9999 / 262142), (long long)c->cpu_shares);
        }
        if (c->cpu_quota > 0) {
            json_object_set_new(cpu, "quota", json_integer(c->cpu_quota));
            json_object_set_new(cpu, "period", json_integer(CPU_PERIOD_US));
        }
        json_object_set_new(r, "cpu", cpu);
    }
    if (c->pids != LIMIT_UNLIMITED)
        json_object_set_new(r, "pids", json_pack("{s:I}", "limit", (json_int_t)c->pids));
    return r;
}

static json_t *linux_json(const struct profile *p, const struct run_plan *plan,
                          const struct mounts_out *m, struct diags *d)
{
    json_t *l = json_pack("{s:o, s:o}", "namespaces", namespaces_json(plan),
                          "resources", resources_json(p, &plan->cgroup, m->devices, d));
    userns_json(p, plan, l, d);
    /*
     * auto (below the launcher's own cgroup) is what runc does without a
     * path: a cgroup named after the container's id, below its own. A
     * parent is absolute in every hierarchy, as runc takes the path; congo
     * names the cgroup congo-NAME-PID-STARTTIME below it, which a bundle run
     * later cannot know, so congo-NAME stands for it. cgroup_path is the
     * cgroup itself, exactly.
     */
    const struct cgroup_request *c = &plan->cgroup;
    if (c->parent) {
        bool root = strcmp(c->parent, "/") == 0;
        _cleanup_free_ char *path =
            c->exact ? xasprintf("%s/%s", root ? "" : c->parent, c->exact)
                     : xasprintf("%s/congo-%s", root ? "" : c->parent, c->name);
        json_object_set_new(l, "cgroupsPath", json_string(path));
    }
    if (plan->n_sysctls) {
        json_t *sysctl = json_object();
        for (size_t i = 0; i < plan->n_sysctls; i++)
            json_object_set_new(sysctl, plan->sysctls[i].name,
                                json_string(plan->sysctls[i].value));
        json_object_set_new(l, "sysctl", sysctl);
    }
    /* congo makes the whole tree private: nothing propagates either way. */
    json_object_set_new(l, "rootfsPropagation", json_string("rprivate"));
    if (json_array_size(m->nodes))
        json_object_set_new(l, "devices", json_incref(m->nodes));
    json_decref(m->nodes);
    json_object_set_new(l, "maskedPaths", m->masked);
    json_object_set_new(l, "readonlyPaths", m->readonly);
    json_t *seccomp = oci_export_seccomp(plan, d);
    if (seccomp)
        json_object_set_new(l, "seccomp", seccomp);
    return l;
}

/* ---- the document ---- */

/* The text of doc, with the stand-in of RLIM_INFINITY replaced. */
static char *dump(json_t *doc)
{
    _cleanup_free_ char *text = json_dumps(doc, JSON_INDENT(2));
    struct strbuf sb = {0};
    const char *s = text;
    for (const char *hit; (hit = strstr(s, RLIM_STAND_IN)); s = hit + strlen(RLIM_STAND_IN)) {
        strbuf_add(&sb, s, (size_t)(hit - s));
        strbuf_puts(&sb, RLIM_INFINITY_TEXT);
    }
    strbuf_puts(&sb, s);
    strbuf_putc(&sb, '\n');
    return strbuf_steal(&sb);
}

/*
 * hooks: OCI's, stage by stage. A timeout is whole seconds there; a
 * create_container hook's working directory is runc's own, not the
 * container's root as under congo.
 */
static json_t *hooks_json(const struct profile *p, struct diags *d)
{
    json_t *hooks = json_object();
    size_t at = 0; /* in its stage */
    for (size_t i = 0; i < p->n_hooks; i++) {
        const struct profile_hook *h = &p->hooks[i];
        at = i > 0 && p->hooks[i - 1].stage == h->stage ? at + 1 : 0;
        _cleanup_free_ char *key = xasprintf("hooks.%s[%zu]", hook_stage_names[h->stage], at);
        json_t *one = json_pack("{s:s}", "path", h->path);
        if (h->args)
            json_object_set_new(one, "args", string_array(h->args));
        if (h->env)
            json_object_set_new(one, "env", string_array(h->env));
        if (h->timeout_ms % 1000)
            refuse(d, &h->origin, key,
                   "a timeout of %lld ms: config.json's timeout is whole seconds; write %llds",
                   (long long)h->timeout_ms, (long long)(h->timeout_ms + 999) / 1000);
        else if (h->timeout_ms)
            json_object_set_new(one, "timeout", json_integer(h->timeout_ms / 1000));
        if (h->stage == HOOK_CREATE_CONTAINER)
            note(d, &h->origin, key,
                 "under runc a createContainer hook's working directory is runc's, not the "
                 "container's root");
        const char *stage = hook_stage_oci_names[h->stage];
        json_t *list = json_object_get(hooks, stage);
        if (!list) {
            list = json_array();
            json_object_set_new(hooks, stage, list);
        }
        json_array_append_new(list, one);
    }
    return hooks;
}

char *oci_config(const struct profile *p, const struct run_plan *plan, const struct oci_root *root,
                 struct diags *d)
{
    size_t before = d->n_errors;
    if (plan->root.readonly)
        check_readonly_root(p, plan, root, d);
    struct user_ids u = {0};
    if (resolve_user(p, plan, root, &u, d) < 0)
        return NULL;
    json_t *process = process_json(p, plan, &u, d);
    user_ids_free(&u);

    struct mounts_out m;
    mounts_json(p, plan, root->bundle, &m, d);
    json_t *doc = json_pack("{s:s, s:o, s:{s:s, s:b}}", "ociVersion", OCI_VERSION, "process",
                            process, "root", "path", root->path, "readonly",
                            plan->root.readonly);
    if (plan->hostname)
        json_object_set_new(doc, "hostname", json_string(plan->hostname));
    if (plan->domainname) {
        json_object_set_new(doc, "domainname", json_string(plan->domainname));
        note(d, &p->origin[KEY_DOMAINNAME], "domainname",
             "runc before 1.2 ignores config.json's domainname: under it the container keeps "
             "the NIS domain name its new uts namespace starts with (the host's); crun and "
             "later runc set it");
    }
    if (plan->annotations) {
        /* Kept and never read, by congo as by runc (its state.json). */
        json_t *a = json_object();
        for (size_t i = 0; plan->annotations[i]; i++) {
            const char *eq = strchr(plan->annotations[i], '=');
            _cleanup_free_ char *key = xstrndup(plan->annotations[i],
                                                (size_t)(eq - plan->annotations[i]));
            json_object_set_new(a, key, json_string(eq + 1));
        }
        json_object_set_new(doc, "annotations", a);
    }
    if (p->n_hooks)
        json_object_set_new(doc, "hooks", hooks_json(p, d));
    json_object_set_new(doc, "mounts", m.mounts);
    json_object_set_new(doc, "linux", linux_json(p, plan, &m, d));
    char *text = d->n_errors > before ? NULL : dump(doc);
    json_decref(doc);
    return text;
}

/* ---- --print --format oci ---- */

char *oci_mounted_below(const char *path)
{
    _cleanup_fclose_ FILE *f = setmntent("/proc/self/mounts", "re");
    if (!f)
        return NULL;
    struct mntent ent;
    char buf[8192];
    bool top = strcmp(path, "/") == 0;
    while (getmntent_r(f, &ent, buf, sizeof(buf)))
        if (strcmp(ent.mnt_dir, path) != 0 && (top || path_within(ent.mnt_dir, path)))
            return xstrdup(ent.mnt_dir);
    return NULL;
}

/*
 * A bridge or pasta network is set up by congo itself, around the
 * container's namespace; config.json has only the namespace. An engine
 * that runs a bundle sets its network up its own way (podman --network,
 * a CNI plugin under containerd), so the export is refused rather than
 * made into a container without the network its profile asks for.
 */
int oci_check_network(const struct profile *p, struct diags *d)
{
    const struct profile_network *net = &p->network;
    if (net->mode != NET_BRIDGE && net->mode != NET_PASTA)
        return 0;
    refuse(d, &net->mode_origin, "network",
           "network %s is set up by congo when the container starts, which config.json cannot "
           "say: give the bundle's engine its network (podman --network, a CNI plugin), and "
           "export network none (a network namespace of its own) or host",
           net_mode_names[net->mode]);
    return -1;
}

/*
 * runc binds root.path recursively and writes into it: only a read-only
 * root without layers, with nothing mounted below it, is the same root
 * as congo's overlay; and `upper: none`, where congo too binds rootfs
 * (recursively) and writes into it. Everything else is refused with what
 * to do instead.
 */
char *oci_print(const struct profile *p, const struct run_plan *plan, struct diags *d)
{
    const struct plan_root *r = &plan->root;
    const char *bundle = "or use --bundle DIR, which gives the bundle a root of its own";
    if (oci_check_network(p, d) < 0)
        return NULL;
    if (r->layers) {
        const struct profile_layer *first = &p->layers[0];
        refuse(d, &first->origin, "layers",
               "runc mounts one directory as the root and cannot stack layers over it; use "
               "--bundle DIR, which assembles them into the bundle's rootfs");
        return NULL;
    }
    if (r->upper) {
        refuse(d, &p->origin[KEY_UPPER], "upper",
               "runc keeps no upper layer: the container's writes would reach rootfs `%s` "
               "itself; set `readonly_rootfs: true`, %s",
               r->rootfs, bundle);
        return NULL;
    }
    if (!r->readonly && !r->direct) {
        bool set = p->origin[KEY_READONLY_ROOTFS].file != NULL;
        refuse(d, set ? &p->origin[KEY_READONLY_ROOTFS] : &p->origin[KEY_ROOTFS],
               set ? "readonly_rootfs" : "rootfs",
               "the root is writable, and runc writes into root.path itself: the container's "
               "writes would reach `%s`; set `readonly_rootfs: true`, %s",
               r->rootfs, bundle);
        return NULL;
    }
    _cleanup_free_ char *real = realpath(r->rootfs, NULL);
    if (!real) {
        refuse(d, &p->origin[KEY_ROOTFS], "rootfs", "`%s`: %s", r->rootfs, strerror(errno));
        return NULL;
    }
    /* upper: none binds rootfs with what is mounted below it, as runc does. */
    _cleanup_free_ char *below = r->direct ? NULL : oci_mounted_below(real);
    if (below) {
        refuse(d, &p->origin[KEY_ROOTFS], "rootfs",
               "a file system is mounted below `%s` (at `%s`); runc would bind it into the "
               "container with the root, where congo shows the root's own file system alone: "
               "use --bundle DIR, which copies that",
               real, below);
        return NULL;
    }
    _cleanup_close_ int fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        refuse(d, &p->origin[KEY_ROOTFS], "rootfs", "`%s`: %s", real, strerror(errno));
        return NULL;
    }
    struct oci_root root = {.path = real, .fd = fd};
    return oci_config(p, plan, &root, d);
}
