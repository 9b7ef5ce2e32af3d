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
#include <unistd.h>

#include "plan/plan.h"
#include "profile/profile.h"
#include "profile/schema.h"
#include "profile/value.h"
#include "util/names.h"
#include "util/idmap.h"
#include "util/util.h"

struct import {
    struct diags *d;
    struct node *out; /* the profile tree being written */
    const struct source *src;
    const struct node *linux_; /* the config's /linux, or NULL */
};

/* ---- reading the config ---- */

static void fail(struct import *im, const struct node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct import *im, const struct node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    diags_node(im->d, DIAG_ERROR, at, "%s", msg);
}

static const char *json_type(const struct node *n)
{
    if (n->kind == NODE_MAP)
        return "an object";
    if (n->kind == NODE_SEQ)
        return "an array";
    if (n->flags & NODE_NULL)
        return "null";
    if (n->flags & NODE_QUOTED)
        return "a string";
    if (strcmp(n->text, "true") == 0 || strcmp(n->text, "false") == 0)
        return "a boolean";
    return "a number";
}

static bool is_string(const struct node *n)
{
    return n->kind == NODE_SCALAR && (n->flags & NODE_QUOTED);
}

static bool is_bool(const struct node *n)
{
    return n->kind == NODE_SCALAR && !(n->flags & (NODE_QUOTED | NODE_NULL)) &&
           (strcmp(n->text, "true") == 0 || strcmp(n->text, "false") == 0);
}

static bool is_number(const struct node *n)
{
    return n->kind == NODE_SCALAR && !(n->flags & (NODE_QUOTED | NODE_NULL)) && !is_bool(n);
}

static bool is_integer(const struct node *n)
{
    return is_number(n) && strspn(n->text + (n->text[0] == '-'), "0123456789") ==
                               strlen(n->text + (n->text[0] == '-'));
}

/* The field, or NULL when it is absent or null (which the spec treats alike). */
static const struct node *field(const struct node *obj, const char *name)
{
    const struct node *n = node_map_get(obj, name);
    return n && !(n->kind == NODE_SCALAR && (n->flags & NODE_NULL)) ? n : NULL;
}

static bool want(struct import *im, const struct node *n, bool ok, const char *what)
{
    if (!ok)
        fail(im, n, "expected %s, got %s", what, json_type(n));
    return ok;
}

static const struct node *string_field(struct import *im, const struct node *obj,
                                       const char *name)
{
    const struct node *n = field(obj, name);
    return n && want(im, n, is_string(n), "a string") ? n : NULL;
}

static const struct node *object_field(struct import *im, const struct node *obj, const char *name)
{
    const struct node *n = field(obj, name);
    return n && want(im, n, n->kind == NODE_MAP, "an object") ? n : NULL;
}

static const struct node *array_field(struct import *im, const struct node *obj, const char *name)
{
    const struct node *n = field(obj, name);
    return n && want(im, n, n->kind == NODE_SEQ, "an array") ? n : NULL;
}

static const struct node *integer_field(struct import *im, const struct node *obj,
                                        const char *name)
{
    const struct node *n = field(obj, name);
    return n && want(im, n, is_integer(n), "an integer") ? n : NULL;
}

static const struct node *bool_field(struct import *im, const struct node *obj, const char *name)
{
    const struct node *n = field(obj, name);
    return n && want(im, n, is_bool(n), "true or false") ? n : NULL;
}

/* A value that says nothing: null, "", [], {}, false. */
static bool says_nothing(const struct node *n)
{
    if (n->kind != NODE_SCALAR)
        return n->n_items == 0;
    return (n->flags & NODE_NULL) || (is_string(n) && !*n->text) ||
           (is_bool(n) && strcmp(n->text, "false") == 0);
}

/*
 * What congo does with each field of an object: read it (a handler of the
 * caller's looks at it), or refuse it with why (unless it says nothing).
 * Fields the spec does not define are noted and ignored.
 */
struct spec_field {
    const char *name;
    const char *refused; /* NULL: congo reads it */
};

static void check_fields(struct import *im, const struct node *obj, const struct spec_field *f,
                         size_t n)
{
    for (size_t i = 0; i < obj->n_items; i++) {
        const struct node *item = obj->items[i];
        size_t j = 0;
        while (j < n && strcmp(f[j].name, item->key) != 0)
            j++;
        if (j == n)
            diags_key(im->d, DIAG_NOTE, item,
                      "not a field of the OCI runtime spec; ignored, as the spec asks");
        else if (f[j].refused && !says_nothing(item))
            fail(im, item, "%s", f[j].refused);
    }
}

#define CHECK_FIELDS(im, obj, table) check_fields(im, obj, table, ARRAY_SIZE(table))

/* ---- writing the profile ---- */

/* A scalar located at the config's value it came from. */
static struct node *scalar_at(struct import *im, const struct node *from, const char *text,
                              bool quoted)
{
    struct node *n = node_new_scalar(im->src, 0, 0, text, strlen(text), quoted ? NODE_QUOTED : 0);
    n->where = node_path(from);
    return n;
}

static struct node *container_at(struct import *im, enum node_kind kind, const struct node *from)
{
    struct node *n = node_new(kind, im->src, 0, 0);
    n->where = node_path(from);
    return n;
}

static void put(struct node *map, const char *key, struct node *value)
{
    node_map_append(map, key, 0, 0, value);
}

/* The map under key in map (`limits`, `capabilities`), made at from when missing. */
static struct node *submap(struct import *im, struct node *map, const char *key,
                           const struct node *from)
{
    struct node *m = node_map_get(map, key);
    if (!m) {
        m = container_at(im, NODE_MAP, from);
        put(map, key, m);
    }
    return m;
}

/* A copy of a config value (a string, a number or a bool) as the value of key. */
static void put_copy(struct import *im, struct node *map, const char *key, const struct node *from)
{
    put(map, key, scalar_at(im, from, from->text, is_string(from)));
}

/* ---- root, hostname, annotations ---- */

static void import_root(struct import *im, const struct node *config)
{
    const struct node *root = object_field(im, config, "root");
    if (!root) {
        if (!field(config, "root"))
            fail(im, config, "`root` is missing: the bundle's root file system, {\"path\": \"rootfs\"}");
        return;
    }
    static const struct spec_field fields[] = {{"path", NULL}, {"readonly", NULL}};
    CHECK_FIELDS(im, root, fields);
    const struct node *path = string_field(im, root, "path");
    if (path)
        put_copy(im, im->out, "rootfs", path);
    else if (!field(root, "path"))
        fail(im, root, "`path` is missing: the root file system's directory");
    /*
     * The engine prepared this root for this container: used as it is, no
     * overlay. Read-only, it is made so after the mounts, as runc does: their
     * targets (podman's /etc/hosts, say) may be missing from the image.
     */
    const struct node *ro = bool_field(im, root, "readonly");
    if (ro && strcmp(ro->text, "true") == 0)
        put_copy(im, im->out, "readonly_rootfs", ro);
    put(im->out, "upper", scalar_at(im, ro ? ro : root, PROFILE_UPPER_NONE, false));
}

static void import_strings_map(struct import *im, const struct node *obj, const char *key)
{
    struct node *m = container_at(im, NODE_MAP, obj);
    for (size_t i = 0; i < obj->n_items; i++) {
        const struct node *v = obj->items[i];
        if (want(im, v, is_string(v), "a string"))
            put(m, v->key, scalar_at(im, v, v->text, true));
    }
    put(im->out, key, m);
}

/* ---- process ---- */

static void import_user(struct import *im, const struct node *proc)
{
    const struct node *user = object_field(im, proc, "user");
    if (!user) {
        if (!field(proc, "user"))
            fail(im, proc, "`user` is missing: {\"uid\": 0, \"gid\": 0}");
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
    const struct node *uid = integer_field(im, user, "uid");
    const struct node *gid = integer_field(im, user, "gid");
    if (uid && gid) {
        _cleanup_free_ char *text = xasprintf("%s:%s", uid->text, gid->text);
        put(im->out, "user", scalar_at(im, uid, text, true));
    } else if (!field(user, "uid") || !field(user, "gid")) {
        fail(im, user, "needs both uid and gid");
    }
    const struct node *umask = integer_field(im, user, "umask");
    if (umask) {
        long long v = strtoll(umask->text, NULL, 10);
        if (v < 0 || v > 0777)
            fail(im, umask, "a umask is 0 to 0777 (511), got %s", umask->text);
        else {
            _cleanup_free_ char *text = xasprintf("%04llo", v);
            put(im->out, "umask", scalar_at(im, umask, text, true));
        }
    }
    /* The config's ids are all the process gets, as runc gives them. */
    put(im->out, "initgroups", scalar_at(im, user, "false", false));
    const struct node *groups = array_field(im, user, "additionalGids");
    if (groups && groups->n_items) {
        struct node *seq = container_at(im, NODE_SEQ, groups);
        for (size_t i = 0; i < groups->n_items; i++)
            if (want(im, groups->items[i], is_integer(groups->items[i]), "an integer"))
                node_seq_append(seq, scalar_at(im, groups->items[i], groups->items[i]->text, false));
        put(im->out, "groups", seq);
    }
}

static void import_strings(struct import *im, const struct node *arr, const char *key)
{
    struct node *seq = container_at(im, NODE_SEQ, arr);
    for (size_t i = 0; i < arr->n_items; i++)
        if (want(im, arr->items[i], is_string(arr->items[i]), "a string"))
            node_seq_append(seq, scalar_at(im, arr->items[i], arr->items[i]->text, true));
    put(im->out, key, seq);
}

/* The name of an environment entry, NAME=value: its length, or 0 without a `=`. */
static size_t env_name_len(const struct node *n)
{
    const char *eq = is_string(n) ? strchr(n->text, '=') : NULL;
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
    struct node *seq = container_at(im, NODE_SEQ, arr);
    for (size_t i = 0; i < arr->n_items; i++) {
        const struct node *v = arr->items[i];
        if (!want(im, v, is_string(v), "a string"))
            continue;
        size_t len = env_name_len(v);
        bool again = false;
        for (size_t j = i + 1; len > 0 && j < arr->n_items && !again; j++)
            again = env_name_len(arr->items[j]) == len &&
                    strncmp(arr->items[j]->text, v->text, len) == 0;
        if (!again)
            node_seq_append(seq, scalar_at(im, v, v->text, true));
    }
    put(im->out, "env", seq);
}

/* The capability bits of one set, each name checked; -1 bits on errors. */
static uint64_t cap_set(struct import *im, const struct node *set, bool *ok)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < set->n_items; i++) {
        const struct node *c = set->items[i];
        if (!want(im, c, is_string(c), "a capability name")) {
            *ok = false;
            continue;
        }
        int cap = capability_from_name(c->text);
        if (cap < 0) {
            fail(im, c, "`%s` is not a capability this congo knows", c->text);
            *ok = false;
            continue;
        }
        bits |= UINT64_C(1) << cap;
    }
    return bits;
}

static struct node *cap_list(struct import *im, uint64_t bits, const struct node *from)
{
    struct node *seq = container_at(im, NODE_SEQ, from);
    for (int cap = 0; cap <= capability_last(); cap++)
        if (bits & (UINT64_C(1) << cap)) {
            _cleanup_free_ char *name = capability_name(cap);
            node_seq_append(seq, scalar_at(im, from, name, true));
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
    const struct node *caps = object_field(im, proc, "capabilities");
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
            if ((at[i] = array_field(im, caps, sets[i])))
                bits[i] = cap_set(im, at[i], &ok);
            else if (field(caps, sets[i]))
                ok = false;
    }
    if (!ok)
        return;
    const struct node *from = caps ? caps : proc;
    for (size_t i = 1; i <= 2; i++)
        if (bits[i] && bits[i] != bits[0])
            fail(im, at[i],
                 "congo gives a command the bounding set as its %s set (or none, to a user other "
                 "than root); a different %s set is not supported",
                 sets[i], sets[i]);
    if (bits[3] && bits[3] != bits[4])
        fail(im, at[3],
             "congo raises the ambient set in the inheritable one; an inheritable set other than "
             "the ambient one is not supported");
    struct node *c = submap(im, im->out, "capabilities", from);
    put(c, "add", cap_list(im, bits[0] & ~plan_default_caps, from));
    put(c, "drop", cap_list(im, plan_default_caps & ~bits[0], from));
    if (bits[4])
        put(c, "ambient", cap_list(im, bits[4], at[4]));
}

static void import_rlimits(struct import *im, const struct node *arr)
{
    struct node *m = container_at(im, NODE_MAP, arr);
    static const struct spec_field fields[] = {{"type", NULL}, {"soft", NULL}, {"hard", NULL}};
    for (size_t i = 0; i < arr->n_items; i++) {
        const struct node *r = arr->items[i];
        if (!want(im, r, r->kind == NODE_MAP, "an object"))
            continue;
        CHECK_FIELDS(im, r, fields);
        const struct node *type = string_field(im, r, "type");
        const struct node *soft = integer_field(im, r, "soft");
        const struct node *hard = integer_field(im, r, "hard");
        if (!type || !soft || !hard) {
            if (!field(r, "type") || !field(r, "soft") || !field(r, "hard"))
                fail(im, r, "an rlimit needs type, soft and hard");
            continue;
        }
        /* RLIMIT_NOFILE is the profile's nofile. */
        _cleanup_free_ char *name = xstrdup(strncmp(type->text, "RLIMIT_", 7) == 0 ? type->text + 7
                                                                                    : type->text);
        for (char *c = name; *c; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
        if (rlimit_from_name(name) < 0) {
            fail(im, type, "`%s` is not a resource limit of Linux", type->text);
            continue;
        }
        if (node_map_get(m, name)) {
            fail(im, type, "a second %s", type->text);
            continue;
        }
        struct node *v = container_at(im, NODE_MAP, r);
        put_copy(im, v, "soft", soft);
        put_copy(im, v, "hard", hard);
        put(m, name, v);
    }
    put(im->out, "rlimits", m);
}

/* Is the kernel enforcing a security module that a config's label would be for? */
static bool lsm_enabled(const char *name)
{
    if (strcmp(name, "selinux") == 0)
        return access("/sys/fs/selinux/enforce", F_OK) == 0;
    _cleanup_free_ char *text = NULL;
    size_t len;
    return read_file_max("/sys/module/apparmor/parameters/enabled", 16, &text, &len) == 0 &&
           len > 0 && text[0] == 'Y';
}

/* An AppArmor profile or SELinux label: what runc does with it on a host without the module. */
static void import_label(struct import *im, const struct node *obj, const char *key,
                         const char *lsm)
{
    const struct node *label = string_field(im, obj, key);
    if (label && *label->text && lsm_enabled(lsm))
        fail(im, label,
             "congo does not apply %s labels, and this host enforces %s: refused rather than run "
             "without it",
             strcmp(lsm, "selinux") == 0 ? "SELinux" : "AppArmor",
             strcmp(lsm, "selinux") == 0 ? "SELinux" : "AppArmor");
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
    bool_field(im, proc, "terminal");
    const struct node *args = array_field(im, proc, "args");
    /* The spec asks at least one word of a process on Linux, as runc does. */
    if (args && args->n_items == 0)
        fail(im, args, "no command: `args` needs at least one word");
    else if (args)
        import_strings(im, args, "command");
    else if (!field(proc, "args"))
        fail(im, proc, "`args` is missing: the command, at least one word");
    const struct node *env = array_field(im, proc, "env");
    if (env)
        import_env(im, env);
    /* The config's environment is the whole of it (and HOME, as runc gives it). */
    put(im->out, "base_env", scalar_at(im, env ? env : proc, "false", false));
    const struct node *cwd = string_field(im, proc, "cwd");
    if (cwd)
        put_copy(im, im->out, "workdir", cwd);
    else if (!field(proc, "cwd"))
        fail(im, proc, "`cwd` is missing: the working directory, \"/\" for the root");
    import_user(im, proc);
    import_capabilities(im, proc);
    const struct node *rlimits = array_field(im, proc, "rlimits");
    if (rlimits)
        import_rlimits(im, rlimits);
    const struct node *nnp = bool_field(im, proc, "noNewPrivileges");
    put(im->out, "no_new_privileges", scalar_at(im, nnp ? nnp : proc, nnp ? nnp->text : "false", false));
    const struct node *oom = integer_field(im, proc, "oomScoreAdj");
    if (oom)
        put_copy(im, im->out, "oom_score_adj", oom);
    import_label(im, proc, "apparmorProfile", "apparmor");
    import_label(im, proc, "selinuxLabel", "selinux");
}

static void import_process(struct import *im, const struct node *config)
{
    const struct node *proc = object_field(im, config, "process");
    if (!proc)
        return; /* the profile's `command` check says what is missing when it runs */
    import_process_object(im, proc);
    /* The command is the container's first process: no init of congo's before it. */
    put(im->out, "init", scalar_at(im, proc, "false", false));
}

/*
 * A mappings array ({containerID, hostID, size} each) as user_namespace's
 * entries of kind ("uid" or "gid") appended to text; false where one is not
 * such an object, with the error made.
 */
static bool mappings_text(struct import *im, const struct node *arr, const char *kind,
                          struct strbuf *text)
{
    bool ok = true;
    for (size_t i = 0; arr && i < arr->n_items; i++) {
        const struct node *m = arr->items[i];
        if (!want(im, m, m->kind == NODE_MAP, "an object")) {
            ok = false;
            continue;
        }
        static const struct spec_field fields[] = {
            {"containerID", NULL}, {"hostID", NULL}, {"size", NULL}};
        CHECK_FIELDS(im, m, fields);
        const struct node *v[3] = {integer_field(im, m, "containerID"),
                                   integer_field(im, m, "hostID"), integer_field(im, m, "size")};
        for (int j = 0; j < 3; j++) {
            if (!v[j]) {
                if (!field(m, fields[j].name))
                    fail(im, m, "a mapping needs containerID, hostID and size");
                ok = false;
            } else if (v[j]->text[0] == '-') {
                fail(im, v[j], "expected an id from 0 to 4294967295");
                ok = false;
            }
        }
        if (v[0] && v[1] && v[2])
            strbuf_printf(text, "%s%s:%s:%s:%s", text->len ? "," : "", kind, v[0]->text,
                          v[1]->text, v[2]->text);
    }
    return ok;
}

/* user_namespace's text of the uid and gid mappings of obj; NULL where they are not well-formed. */
static char *obj_mappings(struct import *im, const struct node *obj)
{
    struct strbuf text = {0};
    bool ok = mappings_text(im, array_field(im, obj, "uidMappings"), "uid", &text) &
              mappings_text(im, array_field(im, obj, "gidMappings"), "gid", &text);
    if (!ok || (field(obj, "uidMappings") && !array_field(im, obj, "uidMappings")) ||
        (field(obj, "gidMappings") && !array_field(im, obj, "gidMappings"))) {
        strbuf_free(&text);
        return NULL;
    }
    return strbuf_steal(&text);
}

/* ---- linux ---- */

/* linux_ may be an empty stand-in; where: what an error about the whole list is located at. */
static void import_namespaces(struct import *im, const struct node *linux_, const struct node *where,
                              const struct node **userns)
{
    /* The spec's names, in congo's order of the profile's namespaces map. */
    static const struct {
        const char *oci, *profile;
    } names[] = {{"cgroup", "cgroup"}, {"ipc", "ipc"}, {"mount", "mount"},
                 {"network", "net"},   {"pid", "pid"}, {"uts", "uts"}};
    const struct node *arr = array_field(im, linux_, "namespaces");
    const struct node *from = arr ? arr : where;
    const struct node *given[ARRAY_SIZE(names)] = {0};
    static const struct spec_field fields[] = {{"type", NULL}, {"path", NULL}};
    for (size_t i = 0; arr && i < arr->n_items; i++) {
        const struct node *ns = arr->items[i];
        if (!want(im, ns, ns->kind == NODE_MAP, "an object"))
            continue;
        CHECK_FIELDS(im, ns, fields);
        const struct node *type = string_field(im, ns, "type");
        if (!type) {
            if (!field(ns, "type"))
                fail(im, ns, "a namespace needs a type");
            continue;
        }
        if (strcmp(type->text, "user") == 0) {
            const struct node *path = string_field(im, ns, "path");
            if (path && *path->text)
                fail(im, path, "joining a user namespace by path is not supported; give "
                               "uidMappings and gidMappings for a new one");
            else if (*userns)
                fail(im, ns, "a second user namespace");
            *userns = ns;
            continue;
        }
        if (strcmp(type->text, "time") == 0) {
            fail(im, type, "time namespaces are not supported yet");
            continue;
        }
        size_t j = 0;
        while (j < ARRAY_SIZE(names) && strcmp(names[j].oci, type->text) != 0)
            j++;
        if (j == ARRAY_SIZE(names)) {
            fail(im, type, "`%s` is not a namespace type: cgroup, ipc, mount, network, pid, uts",
                 type->text);
        } else if (given[j]) {
            fail(im, ns, "a second %s namespace", type->text);
        } else {
            given[j] = ns;
            string_field(im, ns, "path");
        }
    }
    /* The spec's default, the runtime's own mount namespace, is the host's: congo needs its own. */
    if (!given[2] && (arr || !field(linux_, "namespaces")))
        fail(im, from,
             "no mount namespace in /linux/namespaces: congo makes the container's root in one of its "
             "own; add {\"type\": \"mount\"}");
    struct node *m = container_at(im, NODE_MAP, from);
    for (size_t j = 0; j < ARRAY_SIZE(names); j++) {
        const struct node *path = given[j] ? field(given[j], "path") : NULL;
        if (path && is_string(path))
            put(m, names[j].profile, scalar_at(im, path, path->text, true));
        else
            /*
             * Not listed: the runtime's own, which is the host's; the mount
             * namespace, refused above, is left on so as not to be refused twice.
             */
            put(m, names[j].profile, scalar_at(im, given[j] ? given[j] : from,
                                               given[j] || j == 2 ? "true" : "false", false));
    }
    put(im->out, "namespaces", m);
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
    const struct node *uids = array_field(im, linux_, "uidMappings");
    const struct node *gids = array_field(im, linux_, "gidMappings");
    struct strbuf text = {0};
    bool ok = mappings_text(im, uids, "uid", &text) & mappings_text(im, gids, "gid", &text);
    ok = ok && !(field(linux_, "uidMappings") && !uids) && !(field(linux_, "gidMappings") && !gids);
    bool listed = (uids && uids->n_items) || (gids && gids->n_items);
    if (userns && ok && !listed)
        fail(im, userns, "a user namespace needs uidMappings and gidMappings");
    else if (!userns && listed)
        fail(im, uids && uids->n_items ? uids : gids,
             "mappings without a user namespace: add {\"type\": \"user\"} to /linux/namespaces");
    else if (userns && ok)
        put(im->out, "user_namespace",
            scalar_at(im, uids && uids->n_items ? uids : gids, text.buf, true));
    else if (!userns)
        put(im->out, "user_namespace", scalar_at(im, where, "host", false));
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
static void put_limit(struct import *im, struct node *limits, const char *key,
                      const struct node *v)
{
    if (strtoll(v->text, NULL, 10) < 1)
        put(limits, key, scalar_at(im, v, "unlimited", false));
    else
        put_copy(im, limits, key, v);
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
        if (!want(im, r, r->kind == NODE_MAP, "an object"))
            continue;
        CHECK_FIELDS(im, r, fields);
        const struct node *allow = bool_field(im, r, "allow");
        const struct node *type = string_field(im, r, "type");
        bool all = (!type || strcmp(type->text, "a") == 0) && !field(r, "major") &&
                   !field(r, "minor");
        if (i == 0 && (!allow || strcmp(allow->text, "false") != 0 || !all))
            fail(im, r,
                 "congo denies a container every device but its own /dev nodes; a device list "
                 "must begin with the rule that denies all, {\"allow\": false, \"access\": \"rwm\"}");
        else if (i > 0 && allow && strcmp(allow->text, "false") == 0)
            fail(im, r, "a deny rule after the first is not supported");
    }
}

static void import_resources(struct import *im, const struct node *linux_)
{
    const struct node *res = object_field(im, linux_, "resources");
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
    const struct node *devices = array_field(im, res, "devices");
    if (devices)
        import_devices(im, devices);
    struct node *limits = NULL;
    const struct node *memory = object_field(im, res, "memory");
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
        const struct node *limit = integer_field(im, memory, "limit");
        const struct node *swap = integer_field(im, memory, "swap");
        if (limit || swap)
            limits = submap(im, im->out, "limits", res);
        if (limit)
            put_limit(im, limits, "memory", limit);
        if (swap)
            put_limit(im, limits, "memory_swap", swap);
    }
    const struct node *cpu = object_field(im, res, "cpu");
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
        const struct node *shares = integer_field(im, cpu, "shares");
        const struct node *quota = integer_field(im, cpu, "quota");
        const struct node *period = integer_field(im, cpu, "period");
        if (shares && strcmp(shares->text, "0") != 0)
            put_copy(im, limits = submap(im, im->out, "limits", res), "cpu_shares", shares);
        long long q = quota ? strtoll(quota->text, NULL, 10) : 0;
        long long p = period ? strtoll(period->text, NULL, 10) : 100000;
        if (p <= 0 || p > 1000000) {
            fail(im, period, "a CPU period is 1 to 1000000 microseconds");
        } else if (q > 0) {
            if (q > INT64_MAX / 100000)
                fail(im, quota, "a CPU quota this large means no limit; leave it out");
            else {
                _cleanup_free_ char *text = cpus_text(q, p);
                put(limits = submap(im, im->out, "limits", res), "cpus",
                    scalar_at(im, quota, text, false));
            }
        }
    }
    const struct node *pids = object_field(im, res, "pids");
    if (pids) {
        static const struct spec_field pids_fields[] = {{"limit", NULL}};
        CHECK_FIELDS(im, pids, pids_fields);
        const struct node *limit = integer_field(im, pids, "limit");
        if (limit)
            put_limit(im, submap(im, im->out, "limits", res), "pids", limit);
    }
}

/*
 * maskedPaths or readonlyPaths: the config's list is the whole list, so
 * congo's own ones it leaves out are taken back (!PATH).
 */
static void import_paths(struct import *im, const struct node *linux_, const char *oci_key,
                         enum key_id id)
{
    const struct node *arr = array_field(im, linux_, oci_key);
    if (!arr && field(linux_, oci_key))
        return;
    const struct node *from = arr ? arr : linux_;
    struct node *seq = container_at(im, NODE_SEQ, from);
    const char *const *builtin = profile_keys[id].builtin;
    for (size_t b = 0; builtin[b]; b++) {
        bool listed = false;
        for (size_t i = 0; arr && i < arr->n_items && !listed; i++)
            listed = is_string(arr->items[i]) && strcmp(arr->items[i]->text, builtin[b]) == 0;
        if (!listed) {
            _cleanup_free_ char *back = xasprintf("!%s", builtin[b]);
            node_seq_append(seq, scalar_at(im, from, back, true));
        }
    }
    for (size_t i = 0; arr && i < arr->n_items; i++) {
        const struct node *p = arr->items[i];
        if (!want(im, p, is_string(p), "a path"))
            continue;
        bool builtin_path = false;
        for (size_t b = 0; builtin[b] && !builtin_path; b++)
            builtin_path = strcmp(p->text, builtin[b]) == 0;
        if (!builtin_path)
            node_seq_append(seq, scalar_at(im, p, p->text, true));
    }
    put(im->out, profile_keys[id].name, seq);
}

static void import_linux(struct import *im, const struct node *config)
{
    const struct node *linux_ = object_field(im, config, "linux");
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
    const struct node *cgroups_path = string_field(im, l, "cgroupsPath");
    if (cgroups_path && *cgroups_path->text) {
        if (cgroups_path->text[0] != '/' && strchr(cgroups_path->text, ':'))
            fail(im, cgroups_path,
                 "`%s` is a systemd slice:prefix:name; congo manages cgroups itself "
                 "(cgroupfs): give an absolute cgroup path",
                 cgroups_path->text);
        else if (cgroups_path->text[0] != '/')
            fail(im, cgroups_path, "congo takes an absolute cgroupsPath, not `%s`",
                 cgroups_path->text);
        else
            put_copy(im, im->out, "cgroup_path", cgroups_path);
    }
    const struct node *prop = string_field(im, l, "rootfsPropagation");
    if (prop && *prop->text && strcmp(prop->text, "private") != 0 &&
        strcmp(prop->text, "rprivate") != 0)
        fail(im, prop, "congo keeps every mount of the container private; `%s` is not supported",
             prop->text);
    const struct node *sysctl = object_field(im, l, "sysctl");
    if (sysctl)
        import_strings_map(im, sysctl, "sysctl");
    const struct node *seccomp = object_field(im, l, "seccomp");
    if (seccomp) {
        /* The policy as it stands; the profile's seccomp reader checks it, at these pointers. */
        size_t budget = SIZE_MAX;
        struct node *copy = node_copy(seccomp, &budget);
        free(copy->where);
        copy->where = node_path(seccomp);
        put(im->out, "seccomp", copy);
    } else {
        put(im->out, "seccomp", scalar_at(im, l, "unconfined", false));
    }
    import_paths(im, l, "maskedPaths", KEY_MASKED_PATHS);
    import_paths(im, l, "readonlyPaths", KEY_READONLY_PATHS);
    import_label(im, l, "mountLabel", "selinux");
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
        if (!want(im, o, is_string(o), "a string"))
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
            fail(im, o, "`ridmap` (the mounts below id-mapped too) is not supported: congo "
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
    if (!field(m, "uidMappings") && !field(m, "gidMappings"))
        return 0;
    *idmap = true;
    const struct node *at = field(m, "uidMappings") ? field(m, "uidMappings") : field(m, "gidMappings");
    _cleanup_free_ char *own = obj_mappings(im, m);
    static const struct node empty = {.kind = NODE_MAP};
    _cleanup_free_ char *container = obj_mappings(im, im->linux_ ? im->linux_ : &empty);
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
        fail(im, at, "an id-mapped mount with mappings other than the container's user "
                     "namespace's is not supported: congo maps a mount to the container's");
        return -1;
    }
    return 0;
}

static void import_mount(struct import *im, const struct node *m, struct node *seq)
{
    static const struct spec_field fields[] = {
        {"destination", NULL},
        {"type", NULL},
        {"source", NULL},
        {"options", NULL},
        {"uidMappings", NULL},
        {"gidMappings", NULL},
    };
    CHECK_FIELDS(im, m, fields);
    const struct node *dest = string_field(im, m, "destination");
    const struct node *type = string_field(im, m, "type");
    const struct node *source = string_field(im, m, "source");
    const struct node *opts = array_field(im, m, "options");
    if (!dest) {
        if (!field(m, "destination"))
            fail(im, m, "a mount needs a destination");
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
    struct node *e = container_at(im, NODE_MAP, m);
    put(e, "target", scalar_at(im, dest, dest->text, true));
    if (bind || rbind || strcmp(t, "bind") == 0 || (!type && source)) {
        if (!source) {
            fail(im, m, "a bind mount needs a source");
            node_free(e);
            return;
        }
        put(e, "type", scalar_at(im, type ? type : m, "bind", false));
        put(e, "source", scalar_at(im, source, source->text, true));
        /*
         * runc adds no flag an option does not name: a bind without nosuid
         * keeps setuid bits working, where a profile's bind is nosuid
         * unless it says otherwise. Device nodes are another matter: under
         * runc the config's device cgroup (which must deny all, see
         * import_devices) keeps every node on a bind shut, and congo has no
         * device cgroup, so its binds stay nodev whatever the options say.
         * A node made through one (with CAP_MKNOD) opens nothing, as under
         * runc.
         */
        unsigned long last = mount_flags_take(options, MS_NOSUID | MS_NODEV, NULL, NULL);
        const struct node *at = opts ? opts : m;
        put(e, "suid", scalar_at(im, at, last & MS_NOSUID ? "false" : "true", false));
        if (idmap)
            put(e, "idmap", scalar_at(im, at, "true", false));
        /* OCI's bind without rbind binds the source's own mount alone. */
        if (!rbind) {
            _cleanup_free_ char *with = xasprintf("bind%s%s", *options ? "," : "", options);
            free(options);
            options = steal_pointer(&with);
        }
    } else if (is_kernel) {
        put(e, "type", scalar_at(im, type ? type : m, t, false));
    } else {
        fail(im, type ? type : m,
             "congo mounts bind, tmpfs, proc, sysfs, devpts, mqueue and cgroup file systems; "
             "`%s` is not one of them",
             t);
        node_free(e);
        return;
    }
    if (*options)
        put(e, "options", scalar_at(im, opts ? opts : m, options, true));
    node_seq_append(seq, e);
}

/*
 * The config's mounts are all the container gets: congo's own at a target
 * the config leaves out are removed (type none); /proc and /dev it cannot
 * go without.
 */
static void import_mounts(struct import *im, const struct node *config)
{
    const struct node *arr = array_field(im, config, "mounts");
    const struct node *from = arr ? arr : config;
    struct node *seq = container_at(im, NODE_SEQ, from);
    for (size_t i = 0; arr && i < arr->n_items; i++)
        if (want(im, arr->items[i], arr->items[i]->kind == NODE_MAP, "an object"))
            import_mount(im, arr->items[i], seq);
    static const char *const builtin[] = {"/proc",       "/dev", "/dev/pts",      "/dev/shm",
                                          "/dev/mqueue", "/tmp", "/sys", "/sys/fs/cgroup"};
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
            fail(im, from,
                 "no mount at %s: congo always gives a container %s; add {\"destination\": "
                 "\"%s\", \"type\": \"%s\"}",
                 builtin[b], builtin[b], builtin[b], b == 0 ? "proc" : "tmpfs");
            continue;
        }
        struct node *e = container_at(im, NODE_MAP, from);
        put(e, "target", scalar_at(im, from, builtin[b], true));
        put(e, "type", scalar_at(im, from, "none", false));
        node_seq_append(seq, e);
    }
    put(im->out, "mounts", seq);
}

/* ---- a process of its own: exec's process.json ---- */

struct node *oci_import_process(const struct node *process, struct diags *d)
{
    struct import im = {.d = d, .src = process->src};
    im.out = node_new(NODE_MAP, process->src, 0, 0);
    im.out->where = xstrdup("");
    if (want(&im, process, process->kind == NODE_MAP, "an object (the process of a config.json)"))
        import_process_object(&im, process);
    return im.out;
}

/* ---- the whole config ---- */

struct node *oci_import(const struct node *config, struct diags *d)
{
    struct import im = {.d = d, .src = config->src};
    im.out = node_new(NODE_MAP, config->src, 0, 0);
    im.out->where = xstrdup("");
    im.linux_ = field(config, "linux");
    if (im.linux_ && im.linux_->kind != NODE_MAP)
        im.linux_ = NULL;
    static const struct spec_field fields[] = {
        {"ociVersion", NULL},
        {"root", NULL},
        {"mounts", NULL},
        {"process", NULL},
        {"hostname", NULL},
        {"domainname", NULL},
        {"hooks", "hooks are not supported yet"},
        {"annotations", NULL},
        {"linux", NULL},
        {"windows", "congo runs Linux containers"},
        {"solaris", "congo runs Linux containers"},
        {"vm", "congo runs containers, not virtual machines"},
        {"zos", "congo runs Linux containers"},
    };
    CHECK_FIELDS(&im, config, fields);
    const struct node *version = string_field(&im, config, "ociVersion");
    if (version && strncmp(version->text, "1.", 2) != 0)
        fail(&im, version, "congo reads configs of the runtime spec 1.x, not `%s`", version->text);
    else if (!version && !field(config, "ociVersion"))
        fail(&im, config,
             "`ociVersion` is missing: is this an OCI bundle's config.json? (congo reads "
             "profiles as .yaml or .conf)");
    import_root(&im, config);
    import_process(&im, config);
    const struct node *hostname = string_field(&im, config, "hostname");
    if (hostname && *hostname->text)
        put_copy(&im, im.out, "hostname", hostname);
    const struct node *domainname = string_field(&im, config, "domainname");
    if (domainname && *domainname->text)
        put_copy(&im, im.out, "domainname", domainname);
    import_mounts(&im, config);
    import_linux(&im, config);
    const struct node *annotations = object_field(&im, config, "annotations");
    if (annotations && annotations->n_items)
        import_strings_map(&im, annotations, "annotations");
    /* On errors too: the profile's own checks then report what else is wrong. */
    return im.out;
}
