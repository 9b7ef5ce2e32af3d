/*
 * The key table: one row per key (keys.def) drives validation, merging,
 * defaults, --print, --print-cli, --print-schema, the positional front-end
 * and the man page's key list.
 */
#pragma once

#include <stdbool.h>

#include "diag.h"
#include "node.h"
#include "profile.h"
#include "util/names.h"
#include "util/units.h"

/* What text a key takes; value.h says how each type reads, merges and prints. */
enum key_type {
    TYPE_INCLUDE,    /* path or list of paths: handled by the stack */
    TYPE_RESET,      /* list of dotted keys */
    TYPE_NAME,       /* [A-Za-z0-9][A-Za-z0-9_.-]*, at most 64 */
    TYPE_PATH,       /* a host path, relative to the file that wrote it */
    TYPE_PATHS,      /* list of host paths */
    TYPE_UPPER,      /* a path, or tmpfs */
    TYPE_BOOL,       /* true / false */
    TYPE_HOSTNAME,   /* RFC 1123 */
    TYPE_USER,       /* NAME, UID, NAME:GROUP, UID:GID, ... */
    TYPE_ABSPATH,    /* an absolute path inside the container */
    TYPE_ENV,        /* map NAME: value, or list of NAME=value */
    TYPE_COMMAND,    /* list of strings, or one string */
    TYPE_PIDS,       /* integer in the row's range, or unlimited */
    TYPE_SIZE,       /* 512m, 2g, bytes, or unlimited */
    TYPE_INT,        /* integer in the row's range */
    TYPE_CPUS,       /* decimal, in the row's range of microseconds per period */
    TYPE_MOUNTS,     /* list of SRC:DEST[:ro] strings or maps */
    TYPE_NAMESPACES, /* map name: bool */
    TYPE_CGROUP,     /* an absolute cgroup path, or auto */
    TYPE_CAPS,       /* list of capability names, or ALL */
    TYPE_SECCOMP,    /* default, unconfined, or a seccomp file */
    TYPE_RLIMITS,    /* map NAME: limit, SOFT:HARD, or {soft, hard} */
    TYPE_CPATHS,     /* list of absolute paths inside the container */
    TYPE_DURATION,   /* seconds: 10, 10s, 1.5s, 500ms; kept in milliseconds */
    TYPE_UMASK,      /* octal digits, at most 0777 */
    TYPE_GROUPS,     /* list of group names or gids */
    TYPE_DOMAINNAME, /* printable ASCII characters but spaces, at most 64 */
    TYPE_SYSCTL,     /* map of kernel parameter NAME: value, or list of NAME=value */
    TYPE_ANNOTATIONS, /* map of KEY: value, or list of KEY=value */
    TYPE_USERNS,     /* host, auto, or id mappings */
    TYPE_NETWORK,    /* a mode, or a map of mode, bridge, subnet, address, ports, dns */
    TYPE_HOOKS,      /* a map of stages to lists of programs */
    TYPE_DEVICES,    /* HOST_PATH[:CONTAINER_PATH[:ACCESS]] strings */
    TYPE_DEVICE_RULES, /* TYPE MAJOR:MINOR ACCESS strings */
    TYPE__MAX,
};

/* What a row's offset points at in struct profile. */
enum value_kind {
    KIND_NONE,    /* not stored: include, reset */
    KIND_STRING,  /* char *; NULL stands for the row's default text */
    KIND_BOOL,    /* bool */
    KIND_INT,     /* int64_t */
    KIND_COMPLEX, /* the type's own: a list, a map, a set */
};

/* How a value is given on the command line of `run`. */
enum key_shape {
    SHAPE_SCALAR, /* --key VALUE; later wins */
    SHAPE_FLAG,   /* --key or --key=true|false */
    SHAPE_LIST,   /* --key a,b; repeated options append */
    SHAPE_MAP,    /* --key a=1,b=2; repeated options merge */
    SHAPE_MOUNT,  /* --mount one mount; repeated options append */
    SHAPE_NETWORK, /* --network MODE, or FIELD=VALUE,...; repeated options merge as layers do */
    SHAPE_HOOK,    /* --hook stage=S,path=P,...: one hook; repeated options append */
    SHAPE_NONE,   /* not an option (include, reset) */
};

/* A row of the key table (keys.def). */
struct key_def {
    enum key_id id;
    const char *name;   /* dotted: "limits.memory" */
    const char *option; /* run option without "--": "memory" */
    enum key_type type;
    enum key_shape shape;
    enum value_kind kind;
    size_t offset; /* of the value in struct profile */
    size_t aux;    /* complex values: of a companion field (a list's count) */
    struct {
        const char *s; /* what a NULL string stands for; NULL: no default */
        bool b;
        int64_t i;
    } def;
    const char *unset;  /* --print's comment for a default with no literal */
    int64_t min, max;   /* integers: the range, in the unit kept */
    enum key_id peer;   /* capabilities: the other set, which cancels this one; its own id: none */
    /* Container paths: congo's own, NULL-terminated, which an entry `!PATH` takes back. */
    const char *const *builtin;
    bool peer_wins;     /* in one layer, the peer's entries apply after this set's */
    const char *type_doc;    /* what a value looks like */
    const char *default_doc; /* the default, as printed */
    const char *merge_doc;   /* how a later file combines with an earlier one */
    const char *doc;         /* one sentence */
};

extern const struct key_def profile_keys[KEY__MAX];

const struct key_def *key_by_name(const char *dotted);
const struct key_def *key_by_option(const char *option);
/* Is name a group of dotted keys, like `limits` for `limits.memory`? */
bool key_is_group(const char *name);

/* The groups, in the table's order, and what each holds (for --print-schema). */
#define KEY_GROUPS 2
struct key_group {
    const char *name;
    const char *doc;
};
extern const struct key_group profile_groups[KEY_GROUPS];
/* The nearest known key to a misspelt one (within an edit distance of 2), or NULL. */
const char *key_suggest(const char *prefix, const char *misspelt);

/*
 * A value as the run path reads it, defaults decoded by the table: the
 * text of a key kept as a string (seccomp too), or its row's default text
 * when unset (NULL only for a key with no default, such as rootfs); the
 * value of a bool or an integer key.
 */
const char *profile_str(const struct profile *p, enum key_id id);
bool profile_bool(const struct profile *p, enum key_id id);
int64_t profile_int(const struct profile *p, enum key_id id);

/*
 * The namespace (NS_IPC, NS_NET) that isolates the kernel parameter name
 * (net.ipv4.ip_forward), which the sysctl key checked; -1 for one of none.
 */
int profile_sysctl_ns(const char *name);

/* Where a layer's relative paths start and how its origins are recorded. */
struct layer_ctx {
    struct profile *pool; /* interns origin file names */
    unsigned seq;         /* this layer's place in the stack */
};

/*
 * Turn one tree (a file, the run command line, or a --set value) into a
 * layer: a profile whose origins mark the keys it sets, and the keys its
 * `reset` names. `include` is left to the stack. Every key, type and range
 * error is recorded; returns -1 when there was any.
 */
int schema_apply_tree(struct profile *layer, char ***resets, const struct node *root,
                      const struct layer_ctx *ctx, struct diags *d);

/* Merge a layer onto the profile built so far, by each key's merge rule. */
void profile_merge(struct profile *into, const struct profile *layer);

/*
 * `reset` and --reset: return the dotted key (`env.FOO`, `limits`, `mounts`)
 * to its default. Returns -1 for an unknown key.
 */
int profile_reset_key(struct profile *p, const char *dotted);
/* Is this a key `reset` accepts? Fills a hint on failure. */
bool reset_key_valid(const char *dotted, char **hint);

/*
 * After the whole stack: defaults for unset keys that depend on others
 * (name from the top file), and checks across keys. `top` locates errors for
 * missing keys. Returns -1 on errors.
 */
int profile_finalize(struct profile *p, const char *default_name, const char *top, bool fragment,
                     struct diags *d);

/* Sizes, CPU quotas, durations and the kernel's names are in util/units.h and util/names.h. */
