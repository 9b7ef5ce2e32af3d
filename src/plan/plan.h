/*
 * The run plan: everything the engine needs to start one container,
 * resolved from a merged profile before anything is cloned.
 *
 *   text -> node tree -> struct profile -> plan_build -> struct run_plan -> engine
 *
 * plan_build is the only place the run path reads a profile: it decodes the
 * profile's defaults and sentinels (an unset workdir is `/`, seccomp
 * `default` is the built-in list, an unset name makes a cgroup called
 * congo-congo-...), compiles the seccomp filter, orders the mounts and
 * names the cgroup's limits. The engine (src/runtime/) takes a const plan
 * and nothing else, so a new front-end targets the profile, and a new
 * set-up step is a plan field and one runtime module.
 *
 * Nothing here depends on the host but what a plan must record of the
 * caller (TERM): the engine checks the host (paths exist, the launcher
 * holds the capabilities asked for, the cgroup controllers are there)
 * just before it clones, and --print-plan shows a plan without root.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/devices.h"
#include "util/names.h"
#include "util/netaddr.h"
#include "util/units.h"

/* The PATH a command gets unless the profile sets one (and exec searches without one). */
#define PLAN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct profile;
struct diags;
struct sock_filter;
struct seccomp_rules;
struct seccomp_policy;
struct idmap;

/*
 * The container's root: an overlay of layers over rootfs, with a writable
 * upper; or rootfs itself, written directly (direct: no layers, no upper).
 */
struct plan_root {
    char *rootfs;   /* absolute host path: the bottom layer */
    char **layers;  /* absolute host paths, bottom to top; NULL-terminated, may be NULL */
    char *upper;    /* a directory holding diff/ and work/; NULL: an ephemeral tmpfs */
    bool readonly;  /* the whole root read-only, with no upper */
    bool direct;    /* rootfs bound at / as it is: what the container writes lands there */
};

/* What the container's cgroup asks of the host. */
/*
 * One device a device cgroup allows: a rule, or a host node whose type and
 * numbers the engine reads when it writes the rule (rule.access is its).
 */
struct plan_device {
    struct dev_rule rule;
    char *node;      /* a host device node; NULL: the rule as it is */
    const char *key; /* "devices" or "device_rules", for messages; NULL: built in */
};

struct cgroup_request {
    char *name;          /* the container's name: the cgroup is congo-NAME-PID-STARTTIME */
    char *parent;        /* an absolute cgroup path, or NULL: auto, below the launcher's own */
    char *exact;         /* cgroup_path's last component: the cgroup's own name; else NULL */
    const char *parent_key; /* "cgroup_parent", or "cgroup_path" (for messages) */
    int64_t pids;        /* LIMIT_UNLIMITED, or >= 1 */
    int64_t memory;      /* bytes, or LIMIT_UNLIMITED */
    int64_t memory_swap; /* bytes of memory plus swap, or LIMIT_UNLIMITED */
    int64_t cpu_shares;  /* 2..262144; 0: unset */
    int64_t cpu_quota;   /* microseconds per CPU_PERIOD_US; 0: unset */
    /*
     * The controllers it needs beyond pids (always needed: its cgroup.procs
     * is how every leftover process is found), and the key that asked for
     * each, for the message when the host lacks one.
     */
    bool need_memory, need_cpu;
    const char *pids_key;   /* "limits.pids", or NULL when no limit is set */
    const char *memory_key; /* "limits.memory" or "limits.memory_swap" */
    const char *cpu_key;    /* "limits.cpu_shares" or "limits.cpus" */
    /*
     * A device cgroup's allow list (all else denied): congo's own nodes,
     * then the profile's devices and device_rules. None: no device cgroup.
     */
    struct plan_device *devices;
    size_t n_devices;
};

enum plan_mount_kind {
    PLAN_MOUNT_FS,       /* a new file system (proc, sysfs, tmpfs, devpts, mqueue) on a directory */
    PLAN_MOUNT_DEVICE,   /* a host device node bound onto a file */
    PLAN_MOUNT_BIND,     /* a host path bound in */
    PLAN_MOUNT_SYMLINK,  /* a symbolic link to source */
    PLAN_MOUNT_CGROUP,   /* the container's own cgroup (made by the engine) */
    PLAN_MOUNT_MASK,     /* /dev/null over a file, an empty read-only tmpfs over a directory */
    PLAN_MOUNT_READONLY, /* made read-only in place, with everything below it */
};

/* One step of assembling the root, after the overlay. */
struct plan_mount {
    enum plan_mount_kind kind;
    char *target;        /* absolute, inside the container */
    char *source;        /* BIND, DEVICE: an absolute host path; SYMLINK: the link's text;
                            FS: the device name the mount table shows */
    char *fstype;        /* FS: proc, sysfs, tmpfs, devpts, mqueue */
    unsigned long flags; /* FS, BIND: MS_* flags (BIND: the ones mount_setattr can set) */
    char *data;          /* FS: the file system's own options, or NULL */
    bool readonly;       /* BIND, CGROUP: read-only (BIND: through the whole subtree) */
    bool recursive;      /* BIND: with the mounts below the source (the default) */
    bool copy_up;        /* FS tmpfs: filled with what the directory under it holds (tmpcopyup) */
    bool idmap;          /* BIND: id-mapped to the container's user namespace by the launcher */
    const char *key;     /* the profile key that asked for it (messages); NULL: built in */
    char *origin;        /* "built-in", or FILE:LINE of the profile value, for --print-plan */
};

/* A namespace the container joins instead of making one (namespaces.net: /run/netns/blue). */
struct plan_ns_join {
    uint64_t flag; /* its type: CLONE_NEWNET, CLONE_NEWPID, ... */
    char *key;     /* "namespaces.net", for messages */
    char *path;    /* an absolute host path, checked to be such a namespace at run time */
    char *origin;  /* FILE:LINE of the profile value, for --print-plan */
};

/* A kernel parameter, written in the container's namespaces before its command runs. */
struct plan_sysctl {
    char *name; /* dotted, as written: net.ipv4.ip_forward */
    char *value;
    uint64_t ns;  /* the namespace that isolates it: CLONE_NEWNET or CLONE_NEWIPC */
    char *origin; /* FILE:LINE, for --print-plan */
};

/* Why a name of an OCI policy's rule adds nothing to the filter (--print-plan). */
enum plan_seccomp_why {
    PLAN_SECCOMP_UNKNOWN, /* not a system call this libseccomp knows */
    PLAN_SECCOMP_DEFAULT, /* the rule's action is the default one */
    PLAN_SECCOMP_DECIDED, /* an unconditional rule for the call came first */
};

struct plan_seccomp_note {
    size_t rule;      /* its index in the policy */
    const char *name; /* one of its names (the policy's own string); NULL: the whole rule */
    enum plan_seccomp_why why;
    size_t by; /* DECIDED: that rule */
};

struct plan_rlimit {
    int resource;        /* RLIMIT_* */
    uint64_t soft, hard; /* RLIM_INFINITY: unlimited */
};

/* What the container's network namespace holds, besides `lo`. */
enum plan_net {
    PLAN_NET_NONE,   /* loopback only; also the host's or a joined one (clone_flags says) */
    PLAN_NET_BRIDGE, /* a veth on a bridge of the host, NAT out, published ports in */
    PLAN_NET_PASTA,  /* pasta(1) connects it through the host's sockets */
};

struct plan_network {
    enum plan_net mode;
    char *bridge;          /* BRIDGE: the bridge's name */
    struct ipv4_net subnet; /* BRIDGE: the bridge's network; the gateway is its .1 */
    uint32_t address;      /* BRIDGE: the container's; 0: the first free one */
    struct port_map *ports; /* published host ports */
    size_t n_ports;
    char **dns; /* name servers of the container's /etc/resolv.conf; NULL: the host's */
    char *origin; /* FILE:LINE of the network key, for --print-plan */
};

/* Whose ids the container has. */
enum plan_userns {
    PLAN_USERNS_HOST,   /* the host's user namespace: root inside is root */
    PLAN_USERNS_CALLER, /* a caller's not root: its uid is root inside, its subordinate ids above */
    PLAN_USERNS_AUTO,   /* 65536 unprivileged ids the engine picks for this container alone */
    PLAN_USERNS_MAP,    /* the profile's mappings (idmap) */
};

/* A program of the hooks key, as the engine runs it. */
struct plan_hook {
    char *path;
    char **argv;        /* the args, or the path alone */
    char **env;         /* NULL: the stage's default (runtime/hooks.c) */
    int64_t timeout_ms; /* 0: none */
};

struct run_plan {
    char *name; /* the container's name: the profile's, or congo */

    enum plan_userns userns;
    struct idmap *idmap;   /* PLAN_USERNS_MAP: the mappings; else NULL */
    char *userns_origin;   /* FILE:LINE of user_namespace, or "default", for --print-plan */

    struct plan_root root;
    /* Every mount after the root's overlay, in the order they are made. */
    struct plan_mount *mounts;
    size_t n_mounts;

    uint64_t clone_flags; /* CLONE_NEWNS and the other CLONE_NEW* flags of the new namespaces */
    struct plan_ns_join *ns_joins; /* the namespaces joined instead, none in clone_flags */
    size_t n_ns_joins;
    struct plan_network net;
    struct plan_sysctl *sysctls; /* in the profile's order */
    size_t n_sysctls;
    struct cgroup_request cgroup;

    /* The process. */
    char *hostname;   /* NULL: the uts namespace is off, or joined and keeps its own */
    char *domainname; /* NULL: left as the uts namespace has it */
    char *user;     /* as the profile wrote it, resolved in the root; NULL: root */
    char *workdir;  /* absolute; never NULL */
    char **argv;    /* never empty */
    /*
     * The whole environment: PATH, HOME, HOSTNAME, TERM (the launcher's, as
     * the command's terminal is relayed to the caller's; only when it has
     * one), then the profile's env in order, a later name replacing an
     * earlier one in place. env[env_home] is the engine's to fill from the
     * container's /etc/passwd once the root is assembled; env[env_term] is
     * the caller's TERM (--print-plan says so rather than print it). Each
     * index is -1 when there is no such entry or the profile set it.
     */
    char **env;
    int env_home, env_term;
    bool init;
    int64_t stop_timeout_ms;
    mode_t umask;  /* the command's and --exec's: the profile's, never the caller's */
    char **groups; /* added to the user's: names (the container's /etc/group) or gids */
    bool initgroups; /* the user's memberships in /etc/group; false: its group and groups */
    /* oom_score_adj, for the init, the command and --exec's; unset: the launcher's. */
    bool oom_score_adj_set;
    int oom_score_adj;

    /* What a command running as root inside may do. */
    uint64_t caps;       /* the kept set: bounding, and effective and permitted for uid 0 */
    uint64_t caps_named; /* added by name: the launcher must hold these itself */
    bool caps_named_all; /* capabilities.add was ALL: whatever the launcher holds */
    bool no_new_privileges;
    struct plan_rlimit *rlimits;
    size_t n_rlimits;
    struct sock_filter *seccomp; /* compiled BPF, for the native architecture; NULL: unconfined */
    unsigned short seccomp_len;
    unsigned seccomp_flags; /* SECCOMP_FILTER_FLAG_* the filter is loaded with */
    /* "default", "unconfined", the seccomp file's path, or FILE:LINE of a policy written there */
    char *seccomp_source;
    struct seccomp_rules *seccomp_rules; /* what the filter denies, for --print-plan */
    /* Or the OCI policy it was compiled from, and what of its rules made nothing in it. */
    struct seccomp_policy *seccomp_policy;
    struct plan_seccomp_note *seccomp_notes;
    size_t n_seccomp_notes;

    char **annotations; /* KEY=value each, kept in the state entry and never read; or NULL */
    struct plan_hook *hooks[HOOK__MAX]; /* each stage's, in order */
    size_t n_hooks[HOOK__MAX];
    /* Raised in the inheritable and ambient sets: what a command keeps as any user; in caps. */
    uint64_t caps_ambient;
};

/*
 * Resolve p into plan. Errors are diagnostics located at the profile value
 * that caused them (unlocated ones print as `congo-launch: KEY: ...`);
 * returns -1 when there was any, with plan released.
 */
int plan_build(const struct profile *p, struct run_plan *plan, struct diags *d);
void plan_free(struct run_plan *plan);

/*
 * The capabilities a root command keeps unless the profile drops them
 * (docker's default set), bit N for capability N.
 */
extern const uint64_t plan_default_caps;

/*
 * The default seccomp filter compiled to BPF, as the build does once
 * (tools/gen-default-filter writes it into a header); main() hands it over
 * with plan_use_prebuilt_default, sparing every start libseccomp's compile.
 * The compile at run time stays for other architectures.
 */
int plan_default_filter(struct sock_filter **insns, unsigned short *len, struct diags *d);
void plan_use_prebuilt_default(const struct sock_filter *insns, unsigned short len, uint32_t arch);

/*
 * --print-plan: the plan as stable text, one step a line. cgroup_host, when
 * not NULL, is what the engine says of the cgroup on this host (the
 * directories and every file it writes), printed under the request.
 * Caller frees.
 */
char *plan_print(const struct run_plan *plan, const char *cgroup_host);
