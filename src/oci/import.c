/*
 * config.json to a profile tree; see import.h.
 *
 * The runtime spec (config.md, config-linux.md) is walked object by
 * object. Each object's fields are listed with what congo does with them:
 * map them onto profile keys, accept them for what congo already does, or
 * refuse them at their pointer. The values are checked only for their JSON
 * type here; ranges, paths, names and everything else the profile language
 * checks are left to the profile's own readers, which see nodes located at
 * the config's pointers.
 */
#include "oci/import.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/plan.h"
#include "profile/profile.h"
#include "profile/schema.h"
#include "profile/value.h"
#include "util/devices.h"
#include "util/names.h"
#include "util/idmap.h"
#include "oci/import-internal.h"
#include "util/util.h"

/* ---- root, hostname, annotations ---- */

static void import_root(struct import *im, const struct node *config)
{
    const struct node *root = im_object_field(im, config, "root");
    if (!root) {
        if (!im_field(config, "root"))
            im_fail(im, config,
                    "`root` is missing: the bundle's root file system, {\"path\": \"rootfs\"}");
        return;
    }
    static const struct spec_field fields[] = {{"path", NULL}, {"readonly", NULL}};
    CHECK_FIELDS(im, root, fields);
    const struct node *path = im_string_field(im, root, "path");
    if (path)
        im_put_copy(im, im->out, "rootfs", path);
    else if (!im_field(root, "path"))
        im_fail(im, root, "`path` is missing: the root file system's directory");
    /*
     * The engine prepared this root for this container: used as it is, no
     * overlay. Read-only, it is made so after the mounts, as runc does: their
     * targets (podman's /etc/hosts, say) may be missing from the image.
     */
    const struct node *ro = im_bool_field(im, root, "readonly");
    if (ro && strcmp(ro->text, "true") == 0)
        im_put_copy(im, im->out, "readonly_rootfs", ro);
    im_put(im->out, "upper", im_scalar_at(im, ro ? ro : root, PROFILE_UPPER_NONE, false));
}

/* ---- process ---- */

static void import_user(struct import *im, const struct node *proc)
{
    const struct node *user = im_object_field(im, proc, "user");
    if (!user) {
        if (!im_field(proc, "user"))
            im_fail(im, proc, "`user` is missing: {\"uid\": 0, \"gid\": 0}");
        return;
    }
    static const struct spec_field fields[] = {
        {"uid", NULL},
        {"gid", NULL},
        {"umask", NULL},
        {"additionalGids", NULL},
        {"username", "a Windows user name; give uid and gid"},
    };
    CHECK_FIELDS(im, user, fields);
    const struct node *uid = im_integer_field(im, user, "uid");
    const struct node *gid = im_integer_field(im, user, "gid");
    if (uid && gid) {
        _cleanup_free_ char *text = xasprintf("%s:%s", uid->text, gid->text);
        im_put(im->out, "user", im_scalar_at(im, uid, text, true));
    } else if (!im_field(user, "uid") || !im_field(user, "gid")) {
        im_fail(im, user, "needs both uid and gid");
    }
    const struct node *umask = im_integer_field(im, user, "umask");
    if (umask) {
        long long v = strtoll(umask->text, NULL, 10);
        if (v < 0 || v > 0777)
            im_fail(im, umask, "a umask is 0 to 0777 (511), got %s", umask->text);
        else {
            _cleanup_free_ char *text = xasprintf("%04llo", v);
            im_put(im->out, "umask", im_scalar_at(im, umask, text, true));
        }
    }
    /* The config's ids are all the process gets, as runc gives them. */
    im_put(im->out, "initgroups", im_scalar_at(im, user, "false", false));
    const struct node *groups = im_array_field(im, user, "additionalGids");
    if (groups && groups->n_items) {
        struct node *seq = im_container_at(im, NODE_SEQ, groups);
        for (size_t i = 0; i < groups->n_items; i++)
            if (im_want(im, groups->items[i], im_is_integer(groups->items[i]), "an integer"))
                node_seq_append(seq,
                                im_scalar_at(im, groups->items[i], groups->items[i]->text, false));
        im_put(im->out, "groups", seq);
    }
}

/* An array of strings as a list, each item located at its own. */
static struct node *strings_seq(struct import *im, const struct node *arr)
{
    struct node *seq = im_container_at(im, NODE_SEQ, arr);
    for (size_t i = 0; i < arr->n_items; i++)
        if (im_want(im, arr->items[i], im_is_string(arr->items[i]), "a string"))
            node_seq_append(seq, im_scalar_at(im, arr->items[i], arr->items[i]->text, true));
    return seq;
}

static void import_strings(struct import *im, const struct node *arr, const char *key)
{
    im_put(im->out, key, strings_seq(im, arr));
}

/* The name of an environment entry, NAME=value: its length, or 0 without a `=`. */
static size_t env_name_len(const struct node *n)
{
    const char *eq = im_is_string(n) ? strchr(n->text, '=') : NULL;
    return eq ? (size_t)(eq - n->text) : 0;
}

/*
 * process.env is an environ(7), which runc and crun set one entry after
 * the other: a name given twice has its last value. Engines count on it:
 * Slurm appends the job's environment (PATH, TERM, ...) to the one the
 * bundle gives. The profile takes a name once, so an entry whose name comes
 * again later is left out; anything else is for the profile to check.
 */
static void import_env(struct import *im, const struct node *arr)
{
    struct node *seq = im_container_at(im, NODE_SEQ, arr);
    for (size_t i = 0; i < arr->n_items; i++) {
        const struct node *v = arr->items[i];
        if (!im_want(im, v, im_is_string(v), "a string"))
            continue;
        size_t len = env_name_len(v);
        bool again = false;
        for (size_t j = i + 1; len > 0 && j < arr->n_items && !again; j++)
            again = env_name_len(arr->items[j]) == len &&
                    strncmp(arr->items[j]->text, v->text, len) == 0;
        if (!again)
            node_seq_append(seq, im_scalar_at(im, v, v->text, true));
    }
    im_put(im->out, "env", seq);
}

/* The capability bits of one set, each name checked; -1 bits on errors. */
static uint64_t cap_set(struct import *im, const struct node *set, bool *ok)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < set->n_items; i++) {
        const struct node *c = set->items[i];
        if (!im_want(im, c, im_is_string(c), "a capability name")) {
            *ok = false;
            continue;
        }
        int cap = capability_from_name(c->text);
        if (cap < 0) {
            im_fail(im, c, "`%s` is not a capability this congo knows", c->text);
            *ok = false;
            continue;
        }
        bits |= UINT64_C(1) << cap;
    }
    return bits;
}

static struct node *cap_list(struct import *im, uint64_t bits, const struct node *from)
{
    struct node *seq = im_container_at(im, NODE_SEQ, from);
    for (int cap = 0; cap <= capability_last(); cap++)
        if (bits & (UINT64_C(1) << cap)) {
            _cleanup_free_ char *name = capability_name(cap);
            node_seq_append(seq, im_scalar_at(im, from, name, true));
        }
    return seq;
}

/*
 * The five sets. congo gives a root command its bounding set as its
 * effective and permitted ones, and a command of another user only the
 * ambient set (what survives its execve in any runtime); so effective and
 * permitted must be the bounding set (or, for a user other than root,
 * empty), and inheritable, when given, the ambient set.
 */
static void import_capabilities(struct import *im, const struct node *proc)
{
    const struct node *caps = im_object_field(im, proc, "capabilities");
    static const char *const sets[] = {"bounding", "effective", "permitted", "inheritable",
                                       "ambient"};
    static const struct spec_field fields[] = {{"bounding", NULL},
                                               {"effective", NULL},
                                               {"permitted", NULL},
                                               {"inheritable", NULL},
                                               {"ambient", NULL}};
    uint64_t bits[ARRAY_SIZE(sets)] = {0};
    const struct node *at[ARRAY_SIZE(sets)] = {0};
    bool ok = true;
    if (caps) {
        CHECK_FIELDS(im, caps, fields);
        for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
            if ((at[i] = im_array_field(im, caps, sets[i])))
                bits[i] = cap_set(im, at[i], &ok);
            else if (im_field(caps, sets[i]))
                ok = false;
    }
    if (!ok)
        return;
    const struct node *from = caps ? caps : proc;
    for (size_t i = 1; i <= 2; i++)
        if (bits[i] && bits[i] != bits[0])
            im_fail(
                im, at[i],
                "congo gives a command the bounding set as its %s set (or none, to a user other "
                "than root); a different %s set is not supported",
                sets[i], sets[i]);
    if (bits[3] && bits[3] != bits[4])
        im_fail(
            im, at[3],
            "congo raises the ambient set in the inheritable one; an inheritable set other than "
            "the ambient one is not supported");
    struct node *c = im_submap(im, im->out, "capabilities", from);
    im_put(c, "add", cap_list(im, bits[0] & ~plan_default_caps, from));
    im_put(c, "drop", cap_list(im, plan_default_caps & ~bits[0], from));
    if (bits[4])
        im_put(c, "ambient", cap_list(im, bits[4], at[4]));
}

static void import_rlimits(struct import *im, const struct node *arr)
{
    struct node *m = im_container_at(im, NODE_MAP, arr);
    static const struct spec_field fields[] = {{"type", NULL}, {"soft", NULL}, {"hard", NULL}};
    for (size_t i = 0; i < arr->n_items; i++) {
        const struct node *r = arr->items[i];
        if (!im_want(im, r, r->kind == NODE_MAP, "an object"))
            continue;
        CHECK_FIELDS(im, r, fields);
        const struct node *type = im_string_field(im, r, "type");
        const struct node *soft = im_integer_field(im, r, "soft");
        const struct node *hard = im_integer_field(im, r, "hard");
        if (!type || !soft || !hard) {
            if (!im_field(r, "type") || !im_field(r, "soft") || !im_field(r, "hard"))
                im_fail(im, r, "an rlimit needs type, soft and hard");
            continue;
        }
        /* RLIMIT_NOFILE is the profile's nofile. */
        _cleanup_free_ char *name =
            xstrdup(strncmp(type->text, "RLIMIT_", 7) == 0 ? type->text + 7 : type->text);
        for (char *c = name; *c; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
        if (rlimit_from_name(name) < 0) {
            im_fail(im, type, "`%s` is not a resource limit of Linux", type->text);
            continue;
        }
        if (node_map_get(m, name)) {
            im_fail(im, type, "a second %s", type->text);
            continue;
        }
        struct node *v = im_container_at(im, NODE_MAP, r);
        im_put_copy(im, v, "soft", soft);
        im_put_copy(im, v, "hard", hard);
        im_put(m, name, v);
    }
    im_put(im->out, "rlimits", m);
}

static void import_process_object(struct import *im, const struct node *proc)
{
    static const struct spec_field fields[] = {
        /* congo gives the command a terminal of its own when its standard input is one. */
        {"terminal", NULL},
        {"consoleSize", NULL},
        {"cwd", NULL},
        {"env", NULL},
        {"args", NULL},
        {"commandLine", "a Windows command line; give args"},
        {"capabilities", NULL},
        {"rlimits", NULL},
        {"noNewPrivileges", NULL},
        {"apparmorProfile", NULL},
        {"oomScoreAdj", NULL},
        {"selinuxLabel", NULL},
        {"user", NULL},
        {"ioPriority", "an I/O priority class is not supported"},
        {"scheduler", "a scheduling policy is not supported"},
        {"execCPUAffinity", "a CPU affinity is not supported"},
    };
    CHECK_FIELDS(im, proc, fields);
    im_bool_field(im, proc, "terminal");
    const struct node *args = im_array_field(im, proc, "args");
    /* The spec asks at least one word of a process on Linux, as runc does. */
    if (args && args->n_items == 0)
        im_fail(im, args, "no command: `args` needs at least one word");
    else if (args)
        import_strings(im, args, "command");
    else if (!im_field(proc, "args"))
        im_fail(im, proc, "`args` is missing: the command, at least one word");
    const struct node *env = im_array_field(im, proc, "env");
    if (env)
        import_env(im, env);
    /* The config's environment is the whole of it (and HOME, as runc gives it). */
    im_put(im->out, "base_env", im_scalar_at(im, env ? env : proc, "false", false));
    const struct node *cwd = im_string_field(im, proc, "cwd");
    if (cwd)
        im_put_copy(im, im->out, "workdir", cwd);
    else if (!im_field(proc, "cwd"))
        im_fail(im, proc, "`cwd` is missing: the working directory, \"/\" for the root");
    import_user(im, proc);
    import_capabilities(im, proc);
    const struct node *rlimits = im_array_field(im, proc, "rlimits");
    if (rlimits)
        import_rlimits(im, rlimits);
    const struct node *nnp = im_bool_field(im, proc, "noNewPrivileges");
    im_put(im->out, "no_new_privileges",
           im_scalar_at(im, nnp ? nnp : proc, nnp ? nnp->text : "false", false));
    const struct node *oom = im_integer_field(im, proc, "oomScoreAdj");
    if (oom)
        im_put_copy(im, im->out, "oom_score_adj", oom);
    im_import_label(im, proc, "apparmorProfile", "apparmor");
    im_import_label(im, proc, "selinuxLabel", "selinux");
}

static void import_process(struct import *im, const struct node *config)
{
    const struct node *proc = im_object_field(im, config, "process");
    if (!proc)
        return; /* the profile's `command` check says what is missing when it runs */
    import_process_object(im, proc);
    /* The command is the container's first process: no init of congo's before it. */
    im_put(im->out, "init", im_scalar_at(im, proc, "false", false));
}

/* ---- mounts ---- */

/* Takes word out of the comma list in sb, where it is there. */
static void drop_word(struct strbuf *sb, const char *word)
{
    size_t n = strlen(word);
    for (char *w = sb->buf; w && *w;) {
        char *end = strchrnul(w, ',');
        if ((size_t)(end - w) == n && strncmp(w, word, n) == 0) {
            if (*end)
                memmove(w, end + 1, strlen(end + 1) + 1);
            else if (w > sb->buf)
                w[-1] = '\0'; /* the last word, and the comma before it */
            else
                *w = '\0';
            sb->len = strlen(sb->buf);
            return;
        }
        w = *end ? end + 1 : end;
    }
}

/*
 * A mount's options as the profile writes them, the bind words aside: a
 * comma list. runc's recursive flags (rro, rnosuid, ...: the flag through
 * every mount of the bind) are the flags themselves: congo sets a bind's
 * flags through its whole tree. private and rprivate go too: congo keeps
 * every mount of the container private, and engines (podman) write
 * rprivate on kernel file systems as well. A word said twice stands once,
 * where it was said last: runc applies the options in order, so of
 * `nosuid`, `suid`, `nosuid` the last one holds.
 */
static char *mount_options(struct import *im, const struct node *opts, bool *bind, bool *rbind,
                           bool *idmap)
{
    struct strbuf sb = {0};
    for (size_t i = 0; opts && i < opts->n_items; i++) {
        const struct node *o = opts->items[i];
        if (!im_want(im, o, im_is_string(o), "a string"))
            continue;
        const char *word = o->text;
        unsigned long flag;
        bool set;
        if (word[0] == 'r' && mount_flag_word(word + 1, strlen(word + 1), &flag, &set))
            word++;
        if (strcmp(word, "bind") == 0)
            *bind = true;
        else if (strcmp(word, "rbind") == 0)
            *rbind = true;
        else if (strcmp(word, "private") == 0 || strcmp(o->text, "rprivate") == 0)
            continue;
        else if (strcmp(o->text, "idmap") == 0)
            *idmap = true;
        else if (strcmp(o->text, "ridmap") == 0)
            im_fail(im, o,
                    "`ridmap` (the mounts below id-mapped too) is not supported: congo "
                    "id-maps the source's own mount alone; say `idmap`");
        else {
            drop_word(&sb, word);
            strbuf_printf(&sb, "%s%s", sb.len ? "," : "", word);
        }
    }
    return strbuf_steal(&sb);
}

/*
 * An id-mapped mount (runtime-spec 1.1: the idmap option, or mappings of
 * its own) is a bind with idmap: its mappings, if given, must be the
 * container's, which is all congo maps a mount to. -1 after an error.
 */
static int mount_mappings(struct import *im, const struct node *m, bool *idmap)
{
    if (!im_field(m, "uidMappings") && !im_field(m, "gidMappings"))
        return 0;
    *idmap = true;
    const struct node *at =
        im_field(m, "uidMappings") ? im_field(m, "uidMappings") : im_field(m, "gidMappings");
    _cleanup_free_ char *own = im_obj_mappings(im, m);
    static const struct node empty = {.kind = NODE_MAP};
    _cleanup_free_ char *container = im_obj_mappings(im, im->linux_ ? im->linux_ : &empty);
    if (!own || !container)
        return -1;
    struct idmap a, b;
    _cleanup_free_ char *why_a = NULL, *why_b = NULL;
    bool same = idmap_parse(own, &a, &why_a) == 0 && idmap_parse(container, &b, &why_b) == 0;
    if (same) {
        _cleanup_free_ char *fa = idmap_format(&a), *fb = idmap_format(&b);
        same = strcmp(fa, fb) == 0;
    }
    if (!same) {
        im_fail(im, at,
                "an id-mapped mount with mappings other than the container's user "
                "namespace's is not supported: congo maps a mount to the container's");
        return -1;
    }
    return 0;
}

static void import_mount(struct import *im, const struct node *m, struct node *seq)
{
    static const struct spec_field fields[] = {
        {"destination", NULL}, {"type", NULL},        {"source", NULL},
        {"options", NULL},     {"uidMappings", NULL}, {"gidMappings", NULL},
    };
    CHECK_FIELDS(im, m, fields);
    const struct node *dest = im_string_field(im, m, "destination");
    const struct node *type = im_string_field(im, m, "type");
    const struct node *source = im_string_field(im, m, "source");
    const struct node *opts = im_array_field(im, m, "options");
    if (!dest) {
        if (!im_field(m, "destination"))
            im_fail(im, m, "a mount needs a destination");
        return;
    }
    bool bind = false, rbind = false, idmap = false;
    _cleanup_free_ char *options = mount_options(im, opts, &bind, &rbind, &idmap);
    if (mount_mappings(im, m, &idmap) < 0)
        return;
    const char *t = type ? type->text : "";
    if (strcmp(t, "cgroup2") == 0)
        t = "cgroup";
    static const char *const kernel[] = {"tmpfs", "proc", "sysfs", "devpts", "mqueue", "cgroup"};
    bool is_kernel = false;
    for (size_t i = 0; i < ARRAY_SIZE(kernel) && !is_kernel; i++)
        is_kernel = strcmp(t, kernel[i]) == 0;
    /*
     * `runc spec --rootless` binds the host's /sys, read-only, where a user
     * namespace without a network namespace of its own may not mount sysfs:
     * congo's sysfs does just that by itself in that case.
     */
    if ((bind || rbind || strcmp(t, "bind") == 0) && source && strcmp(dest->text, "/sys") == 0 &&
        strcmp(source->text, "/sys") == 0) {
        t = "sysfs";
        is_kernel = true;
        bind = rbind = false;
    }
    struct node *e = im_container_at(im, NODE_MAP, m);
    im_put(e, "target", im_scalar_at(im, dest, dest->text, true));
    if (bind || rbind || strcmp(t, "bind") == 0 || (!type && source)) {
        if (!source) {
            im_fail(im, m, "a bind mount needs a source");
            node_free(e);
            return;
        }
        /*
         * A host device node: runc binds it and its device rules say what
         * opens; congo gives it as a device (im_import_device_binds), or
         * leaves it out where congo binds that node itself (congo's export
         * writes /dev/null and the like so).
         */
        struct stat st;
        if (source->text[0] == '/' && stat(source->text, &st) == 0 &&
            (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
            node_free(e);
            for (size_t i = 0; i < dev_n_own_nodes; i++)
                if (strcmp(dest->text, dev_own_nodes[i]) == 0 &&
                    strcmp(source->text, dev_own_nodes[i]) == 0)
                    return;
            im->device_binds =
                xrealloc(im->device_binds, (im->n_device_binds + 1) * sizeof(*im->device_binds));
            im->device_binds[im->n_device_binds++] = m;
            return;
        }
        im_put(e, "type", im_scalar_at(im, type ? type : m, "bind", false));
        im_put(e, "source", im_scalar_at(im, source, source->text, true));
        /*
         * runc adds no flag an option does not name: a bind without nosuid
         * keeps setuid bits working, where a profile's bind is nosuid
         * unless it says otherwise. Device nodes are another matter: under
         * runc the config's device cgroup (which must deny all, see
         * import_devices) keeps every node on a bind shut but those its
         * rules allow; congo gives those nodes as `devices`, bound alone,
         * so its binds stay nodev whatever the options say. A node made
         * through one (with CAP_MKNOD) opens nothing, as under runc.
         */
        unsigned long last = mount_flags_take(options, MS_NOSUID | MS_NODEV, NULL, NULL);
        const struct node *at = opts ? opts : m;
        im_put(e, "suid", im_scalar_at(im, at, last & MS_NOSUID ? "false" : "true", false));
        if (idmap)
            im_put(e, "idmap", im_scalar_at(im, at, "true", false));
        /* OCI's bind without rbind binds the source's own mount alone. */
        if (!rbind) {
            _cleanup_free_ char *with = xasprintf("bind%s%s", *options ? "," : "", options);
            free(options);
            options = steal_pointer(&with);
        }
    } else if (is_kernel) {
        im_put(e, "type", im_scalar_at(im, type ? type : m, t, false));
    } else {
        im_fail(im, type ? type : m,
                "congo mounts bind, tmpfs, proc, sysfs, devpts, mqueue and cgroup file systems; "
                "`%s` is not one of them",
                t);
        node_free(e);
        return;
    }
    if (*options)
        im_put(e, "options", im_scalar_at(im, opts ? opts : m, options, true));
    node_seq_append(seq, e);
}

/*
 * The config's mounts are all the container gets: congo's own at a target
 * the config leaves out are removed (type none); /proc and /dev it cannot
 * go without.
 */
static void import_mounts(struct import *im, const struct node *config)
{
    const struct node *arr = im_array_field(im, config, "mounts");
    const struct node *from = arr ? arr : config;
    struct node *seq = im_container_at(im, NODE_SEQ, from);
    for (size_t i = 0; arr && i < arr->n_items; i++)
        if (im_want(im, arr->items[i], arr->items[i]->kind == NODE_MAP, "an object"))
            import_mount(im, arr->items[i], seq);
    static const char *const builtin[] = {"/proc",       "/dev", "/dev/pts", "/dev/shm",
                                          "/dev/mqueue", "/tmp", "/sys",     "/sys/fs/cgroup"};
    for (size_t b = 0; b < ARRAY_SIZE(builtin); b++) {
        bool listed = false;
        for (size_t i = 0; i < seq->n_items && !listed; i++) {
            const struct node *target = node_map_get(seq->items[i], "target");
            _cleanup_free_ char *norm = path_normalize(target->text);
            listed = strcmp(norm, builtin[b]) == 0;
        }
        if (listed)
            continue;
        if (b < 2) {
            im_fail(im, from,
                    "no mount at %s: congo always gives a container %s; add {\"destination\": "
                    "\"%s\", \"type\": \"%s\"}",
                    builtin[b], builtin[b], builtin[b], b == 0 ? "proc" : "tmpfs");
            continue;
        }
        struct node *e = im_container_at(im, NODE_MAP, from);
        im_put(e, "target", im_scalar_at(im, from, builtin[b], true));
        im_put(e, "type", im_scalar_at(im, from, "none", false));
        node_seq_append(seq, e);
    }
    im_put(im->out, "mounts", seq);
}

/* ---- hooks ---- */

/*
 * /hooks: each stage's programs, as the hooks key has them. The stages
 * keep OCI's order whatever the config's; path, args and env are copied,
 * a timeout's seconds are the key's (a plain number is seconds). What the
 * key refuses (an env entry that is not NAME=VALUE, a timeout of 0) is
 * refused at the field's pointer.
 */
static void import_hooks(struct import *im, const struct node *config)
{
    const struct node *hooks = im_object_field(im, config, "hooks");
    if (!hooks)
        return;
    static const struct spec_field stages[] = {{"prestart", NULL},        {"createRuntime", NULL},
                                               {"createContainer", NULL}, {"startContainer", NULL},
                                               {"poststart", NULL},       {"poststop", NULL}};
    CHECK_FIELDS(im, hooks, stages);
    static const struct spec_field fields[] = {
        {"path", NULL}, {"args", NULL}, {"env", NULL}, {"timeout", NULL}};
    struct node *out = im_container_at(im, NODE_MAP, hooks);
    for (int s = 0; s < HOOK__MAX; s++) {
        const struct node *arr = im_array_field(im, hooks, hook_stage_oci_names[s]);
        if (!arr || !arr->n_items)
            continue;
        struct node *seq = im_container_at(im, NODE_SEQ, arr);
        for (size_t i = 0; i < arr->n_items; i++) {
            const struct node *h = arr->items[i];
            if (!im_want(im, h, h->kind == NODE_MAP, "an object"))
                continue;
            CHECK_FIELDS(im, h, fields);
            const struct node *path = im_string_field(im, h, "path");
            if (!path) {
                if (!im_field(h, "path"))
                    im_fail(im, h, "`path` is missing: the hook's program, an absolute path");
                continue;
            }
            if (path->text[0] != '/') {
                im_fail(im, path, "`%s` is not an absolute path (the runtime-spec asks for one)",
                        path->text);
                continue;
            }
            struct node *e = im_container_at(im, NODE_MAP, h);
            im_put_copy(im, e, "path", path);
            const struct node *args = im_array_field(im, h, "args");
            if (args && args->n_items)
                im_put(e, "args", strings_seq(im, args));
            const struct node *env = im_array_field(im, h, "env");
            if (env)
                im_put(e, "env", strings_seq(im, env));
            const struct node *timeout = im_integer_field(im, h, "timeout");
            if (timeout)
                im_put_copy(im, e, "timeout", timeout);
            node_seq_append(seq, e);
        }
        im_put(out, hook_stage_names[s], seq);
    }
    if (out->n_items)
        im_put(im->out, "hooks", out);
    else
        node_free(out);
}

/* ---- a process of its own: exec's process.json ---- */

struct node *oci_import_process(const struct node *process, struct diags *d)
{
    struct import im = {.d = d, .src = process->src};
    im.out = node_new(NODE_MAP, process->src, 0, 0);
    im.out->where = xstrdup("");
    if (im_want(&im, process, process->kind == NODE_MAP,
                "an object (the process of a config.json)"))
        import_process_object(&im, process);
    return im.out;
}

/* ---- the whole config ---- */

struct node *oci_import(const struct node *config, struct diags *d)
{
    struct import im = {.d = d, .src = config->src};
    im.out = node_new(NODE_MAP, config->src, 0, 0);
    im.out->where = xstrdup("");
    im.linux_ = im_field(config, "linux");
    if (im.linux_ && im.linux_->kind != NODE_MAP)
        im.linux_ = NULL;
    static const struct spec_field fields[] = {
        {"ociVersion", NULL},
        {"root", NULL},
        {"mounts", NULL},
        {"process", NULL},
        {"hostname", NULL},
        {"domainname", NULL},
        {"hooks", NULL},
        {"annotations", NULL},
        {"linux", NULL},
        {"windows", "congo runs Linux containers"},
        {"solaris", "congo runs Linux containers"},
        {"vm", "congo runs containers, not virtual machines"},
        {"zos", "congo runs Linux containers"},
    };
    CHECK_FIELDS(&im, config, fields);
    const struct node *version = im_string_field(&im, config, "ociVersion");
    if (version && strncmp(version->text, "1.", 2) != 0)
        im_fail(&im, version, "congo reads configs of the runtime spec 1.x, not `%s`",
                version->text);
    else if (!version && !im_field(config, "ociVersion"))
        im_fail(&im, config,
                "`ociVersion` is missing: is this an OCI bundle's config.json? (congo reads "
                "profiles as .yaml or .conf)");
    import_root(&im, config);
    import_process(&im, config);
    const struct node *hostname = im_string_field(&im, config, "hostname");
    if (hostname && *hostname->text)
        im_put_copy(&im, im.out, "hostname", hostname);
    const struct node *domainname = im_string_field(&im, config, "domainname");
    if (domainname && *domainname->text)
        im_put_copy(&im, im.out, "domainname", domainname);
    import_mounts(&im, config);
    import_hooks(&im, config);
    im_import_linux(&im, config);
    im_import_device_binds(&im);
    const struct node *annotations = im_object_field(&im, config, "annotations");
    if (annotations && annotations->n_items)
        im_import_strings_map(&im, annotations, "annotations");
    /* On errors too: the profile's own checks then report what else is wrong. */
    return im.out;
}
