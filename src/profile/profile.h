/*
 * The in-memory profile: what every front-end and every stack of files
 * comes down to, and all the engine reads.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"
#include "node.h"
#include "util/names.h"
#include "util/netaddr.h"
#include "util/units.h"

struct seccomp_rules;
struct seccomp_policy;

/* One per key of the profile language (keys.def); the order is the print order. */
enum key_id {
#define KEY(id, ...) KEY_##id,
#include "keys.def"
#undef KEY
    KEY__MAX,
};

/* Where a value was set. file == NULL: a default. */
struct origin {
    const char *file; /* interned in the profile; "<command line>" for options */
    int line;
    unsigned seq; /* which layer of the stack set it: later layers count higher */
    const char *where; /* a config.json's: the JSON pointer of the field, interned; else NULL */
};

/* What a message about a key names: the config.json field it came from, else the key. */
static inline const char *origin_key(const struct origin *o, const char *key)
{
    return o && o->where ? o->where : key;
}

enum mount_type {
    MOUNT_BIND,
    MOUNT_TMPFS,
    MOUNT_NONE, /* removes an inherited mount, or a built-in one, at the same target */
    /* The kernel's own file systems, each at its one place, in place of congo's built-in one. */
    MOUNT_PROC,   /* /proc */
    MOUNT_SYSFS,  /* /sys */
    MOUNT_DEVPTS, /* /dev/pts */
    MOUNT_MQUEUE, /* /dev/mqueue */
    MOUNT_CGROUP, /* /sys/fs/cgroup: the container's own cgroup */
};

struct profile_mount {
    char *target; /* absolute, normalised */
    enum mount_type type;
    char *source; /* bind: absolute host path */
    bool readonly;
    /* bind: setuid bits and device nodes honoured (else nosuid, nodev); the options say neither */
    bool suid, dev;
    /* bind: id-mapped to the container's user namespace (root's, auto or mappings) */
    bool idmap;
    /* Mount flags (nosuid, noexec, ro, ...) and the file system's own: "size=64m,mode=1777". */
    char *options;
    struct origin origin;
};

/* One NAME=value entry of a map of strings: env, sysctl, annotations. */
struct profile_env {
    char *name;
    char *value;
    struct origin origin;
};

struct profile_layer {
    char *path; /* absolute; in `groups`, a group name or gid as written */
    struct origin origin;
};

struct profile_rlimit {
    int resource;        /* RLIMIT_* */
    uint64_t soft, hard; /* RLIM_INFINITY: unlimited */
    struct origin origin;
};

enum ns_id {
    NS_CGROUP,
    NS_IPC,
    NS_MOUNT,
    NS_NET,
    NS_PID,
    NS_UTS,
    NS__MAX,
};

/* The container's network (the network key). */
enum net_mode {
    NET_NONE,   /* loopback only, in a namespace of its own */
    NET_HOST,   /* the host's namespace: namespaces.net false */
    NET_BRIDGE, /* a veth on a bridge of the host, NAT out, published ports in */
    NET_PASTA,  /* user-mode networking by pasta(1) */
    NET__MAX,
};

extern const char *const net_mode_names[NET__MAX];

/* One of network.ports: [HOST_ADDRESS:]HOST_PORT:CONTAINER_PORT[/udp]. */
struct profile_port {
    struct port_map map;
    struct origin origin;
};

#define NET_BRIDGE_DEFAULT "congo0"
#define NET_SUBNET_DEFAULT "10.89.0.0/24"

struct profile_network {
    enum net_mode mode;
    char *bridge;  /* NULL: NET_BRIDGE_DEFAULT */
    char *subnet;  /* NULL: NET_SUBNET_DEFAULT; else a network as ipv4_net_parse takes it */
    char *address; /* NULL: auto, the first free address of the subnet */
    struct profile_port *ports;
    size_t n_ports;
    char **dns; /* NULL: the host's name servers but loopback ones; else a NULL-ended list */
    struct origin mode_origin, bridge_origin, subnet_origin, address_origin, dns_origin;
};

/* One of the hooks key's programs. */
struct profile_hook {
    enum hook_stage stage;
    char *path;         /* absolute: on the host, or in the container for start_container */
    char **args;        /* argv, argv[0] included; NULL: the path alone */
    char **env;         /* NULL-ended KEY=VALUE; NULL: see congo-profile(5) */
    int64_t timeout_ms; /* 0: none; else killed and failed after it */
    struct origin origin;
};

/* oom_score_adj when the profile sets none: the container keeps the launcher's. */
#define OOM_SCORE_ADJ_UNSET INT64_MIN


struct profile {
    char *name;
    char *rootfs;
    struct profile_layer *layers;
    size_t n_layers;
    char *upper; /* NULL: an ephemeral tmpfs; PROFILE_UPPER_NONE: rootfs written directly */
    bool readonly_rootfs;
    char *hostname; /* NULL: derived from name */
    char *domainname; /* NULL: left as the uts namespace has it */
    /* host, auto, or id mappings as idmap_format writes them; NULL: host for root, else the caller's */
    char *user_namespace;
    char *user;     /* NULL: root */
    int64_t umask;  /* 0 ... 0777 */
    struct profile_layer *groups; /* supplementary groups added to the user's */
    size_t n_groups;
    bool initgroups; /* the user's memberships in the container's /etc/group */
    char *workdir;  /* NULL: "/" */
    struct profile_env *env;
    size_t n_env;
    bool base_env; /* PATH, HOSTNAME and TERM under env (HOME is always there) */
    char **command;     /* argv, or NULL */
    bool command_shell; /* written as one string: argv is /bin/sh -c STRING */
    int64_t pids;        /* LIMIT_UNLIMITED or >= 1 */
    int64_t memory;      /* bytes, or LIMIT_UNLIMITED */
    int64_t memory_swap; /* bytes, or LIMIT_UNLIMITED */
    int64_t cpu_shares;  /* 0: unset */
    int64_t cpu_quota;   /* microseconds per CPU_PERIOD_US; 0: unset */
    struct profile_mount *mounts;
    size_t n_mounts;
    bool ns[NS__MAX]; /* not the host's: a new namespace, or the one ns_path names */
    struct origin ns_origin[NS__MAX];
    char *ns_path[NS__MAX]; /* a namespace file to join instead of making one; else NULL */
    struct profile_network network;
    struct profile_env *sysctl; /* by their dotted names: net.ipv4.ip_forward */
    size_t n_sysctl;
    bool init;
    char *cgroup_parent; /* NULL: auto */
    char *cgroup_path;   /* NULL: auto, congo-NAME-PID-STARTTIME below cgroup_parent */
    uint64_t cap_add;    /* capabilities added to the default set (bit N: capability N) */
    uint64_t cap_drop;   /* and dropped from it; a bit is never in both */
    uint64_t cap_ambient; /* raised in the inheritable and ambient sets too */
    char *seccomp;       /* NULL: the default list; "unconfined"; "inline"; else an absolute path */
    /* That file's rules, read once with the profile, for the filter and --print-plan; else NULL. */
    struct seccomp_rules *seccomp_rules;
    /* An OCI policy, written inline or in a .json file, read once likewise; else NULL. */
    struct seccomp_policy *seccomp_policy;
    struct profile_rlimit *rlimits;
    size_t n_rlimits;
    bool no_new_privileges;
    int64_t oom_score_adj; /* -1000 ... 1000, or OOM_SCORE_ADJ_UNSET */
    struct profile_layer *masked_paths; /* added to the built-in masked paths */
    size_t n_masked_paths;
    struct profile_layer *readonly_paths; /* added to the built-in read-only paths */
    size_t n_readonly_paths;
    int64_t stop_timeout_ms; /* SIGTERM to SIGKILL, when the launcher is told to stop */
    struct profile_env *annotations; /* kept with the running container, never read */
    size_t n_annotations;
    struct profile_layer *devices; /* HOST[:CONTAINER[:ACCESS]], as dev_spec_format writes it */
    size_t n_devices;
    struct profile_layer *device_rules; /* TYPE MAJOR:MINOR ACCESS, as dev_rule_format writes it */
    size_t n_device_rules;
    struct profile_hook *hooks; /* by stage, each stage's in the order they run */
    size_t n_hooks;

    struct origin origin[KEY__MAX]; /* for lists and maps: the last file that set any entry */
    char **strings;                 /* interned origin file names */
};

extern const char *const ns_names[NS__MAX];

/* upper: none, the root is rootfs itself (never a path: those are absolute). */
#define PROFILE_UPPER_NONE "none"

void profile_init(struct profile *p);
void profile_free(struct profile *p);
/* Interned copy of s owned by p: origins point here. */
const char *profile_intern(struct profile *p, const char *s);
/* Same values (origins ignored). */
bool profile_equal(const struct profile *a, const struct profile *b);
/* "bind", "tmpfs", "proc", ... */
const char *profile_mount_type_name(enum mount_type t);
/* Is target where congo mounts something of its own (/proc, /dev, /tmp, ...)? */
bool profile_mount_target_is_builtin(const char *target);
/*
 * The host name a run sets: hostname, or name with '_' as '-', cut to 63;
 * NULL without the uts namespace, or in a joined one with no hostname.
 */
char *profile_effective_hostname(const struct profile *p);
