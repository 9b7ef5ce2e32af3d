/*
 * Cgroups for one run: the host's layout is detected once (v1, v2, or a
 * hybrid of v1 controllers and a v2 mount without them), then each run makes
 * one cgroup `congo-NAME-PID-STARTTIME` per hierarchy it needs, writes the
 * limits, puts the container in before it execs, and removes it after.
 * crun's model: detection picks the host's manager (cgroup-v1.c for v1 and
 * hybrid hosts, cgroup-v2.c), a small table of operations the entry points
 * go through; both share the leaves of cgroup-util.c.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "util/error.h"

enum cgroup_mode {
    CGROUP_V1,     /* only v1 hierarchies */
    CGROUP_V2,     /* one unified hierarchy with controllers */
    CGROUP_HYBRID, /* v1 controllers, plus a v2 mount that holds none we use */
};

/*
 * What cgroupfs does that a plain directory tree does not; each returns 0
 * or -errno. The kernel's by default. A unit test brings a stand-in that
 * does the same over plain directories, so the module runs there unchanged.
 */
struct cgroup_fs {
    /* Make a cgroup: the kernel fills it with the control files of its controllers. */
    int (*mkdir)(const char *path);
    /* Remove a cgroup: -EBUSY while a process or a cgroup is still in it. */
    int (*rmdir)(const char *path);
    /* Read a control file: cgroup.procs lists only processes not yet dead (nor zombies). */
    int (*read)(const char *path, char **out);
};

/* A mounted v1 hierarchy. */
struct cgroup_hierarchy {
    char *controllers; /* "cpu,cpuacct", "memory", "name=systemd" */
    char *mount;       /* where it is mounted: /sys/fs/cgroup/memory */
    char *own;         /* the launcher's cgroup in it, from /proc/self/cgroup: "/user.slice" */
};

struct cgroup_manager;

struct cgroup_host {
    enum cgroup_mode mode;
    const struct cgroup_manager *manager; /* the mode's: decided once, here */
    /* v1 and hybrid: the hierarchies; v2: none. */
    struct cgroup_hierarchy *v1;
    size_t n_v1;
    /* v2 (and the unified mount of a hybrid host). */
    char *v2_mount;             /* /sys/fs/cgroup or /sys/fs/cgroup/unified; NULL if none */
    char *v2_own;               /* the launcher's v2 cgroup: "/" or "/user.slice/..." */
    char *proc;                 /* the proc root used for pids (tests: a fake); "/proc" */
    const struct cgroup_fs *fs; /* from the sources; never NULL */
};

/* Where the host's files are read: the real ones, or a fake tree in tests. */
struct cgroup_sources {
    const char *mountinfo;      /* /proc/self/mountinfo */
    const char *self_cgroup;    /* /proc/self/cgroup */
    const char *proc;           /* /proc */
    const struct cgroup_fs *fs; /* NULL: the kernel's */
};

/* One run's cgroup. cgroup_create initialises it, even when it fails. */
struct cgroup {
    enum cgroup_mode mode;
    const struct cgroup_manager *manager; /* the host's */
    const struct cgroup_fs *fs;           /* the host's */
    char *name;                           /* congo-NAME-PID-STARTTIME */
    /*
     * Every directory, NULL-terminated; for v1 one per hierarchy, the pids
     * hierarchy's first (its cgroup.procs is where leftovers are found).
     */
    char **paths;
    /* The ones of paths that hold the memory and the cpu controllers' files, or NULL. */
    const char *memory_path;
    const char *cpu_path; /* only when the run limits the CPU */
    const char *devices_path; /* v1: the devices controller's, when the request lists devices */
    size_t n_made;        /* how many of paths this run has made (cgroup_make) */
    int v2_fd;            /* v2: the cgroup's directory, for CLONE_INTO_CGROUP; else -1 */
    char *in_container;   /* v2: the cgroup's path below the v2 mount; v1: NULL, see paths */
};

int cgroup_detect(struct cgroup_host *h, const struct cgroup_sources *src, struct congo_error *e);
void cgroup_host_free(struct cgroup_host *h);

/*
 * Make the run's cgroup under req->parent (auto: below the launcher's own
 * cgroup; on v2 the nearest ancestor that may hold the controllers, up to
 * /congo) and write req's limits. A limit whose controller is missing is an
 * error that names the key and the controller. The run's own cgroup is not
 * left behind on failure; an explicit parent or /congo once made, and
 * controllers enabled in a parent's cgroup.subtree_control, stay, as they
 * would after a run.
 */
int cgroup_create(const struct cgroup_host *h, const struct cgroup_request *req, pid_t launcher,
                  unsigned long long starttime, struct cgroup *cg, struct congo_error *e);

/*
 * The name of a run's cgroup: congo-NAME-PID-STARTTIME, NAME being req's
 * name or "congo", PID and STARTTIME the launcher's (the stale collection
 * reads them back). NULL when they are unknown (launcher <= 0, starttime 0):
 * a name without them could never be told stale. A cgroup_path's own name
 * (req->exact) as it is. Caller frees.
 */
char *cgroup_name(const struct cgroup_request *req, pid_t launcher, unsigned long long starttime);

/*
 * cgroup_create in two halves, for a launcher that makes the directories
 * while its child already assembles the root. cgroup_plan names the cgroup
 * `name` and its directories in every mode (v2: picks the parent, without
 * making or enabling anything); a controller the request needs and the host
 * lacks is already an error here. cgroup_make makes them, enables the
 * controllers on the way (v2), writes the limits and, on v2, opens v2_fd;
 * on failure it leaves nothing and releases cg. A v2 cgroup must be made
 * before the clone that enters it (CLONE_INTO_CGROUP).
 */
int cgroup_plan(const struct cgroup_host *h, const struct cgroup_request *req, const char *name,
                struct cgroup *cg, struct congo_error *e);

/*
 * cgroup_plan for the caller: root's as cgroup_plan; anyone else's only in
 * a cgroup v2 subtree delegated to it. 1 with cg planned, 0 for none (no
 * limit asked, so the container runs without a cgroup), -1 with e filled
 * (a limit that nothing here would hold).
 */
int cgroup_plan_caller(const struct cgroup_host *h, const struct cgroup_request *req,
                       const char *name, struct cgroup *cg, struct congo_error *e);
int cgroup_make(const struct cgroup_host *h, const struct cgroup_request *req, struct cgroup *cg,
                struct congo_error *e);

/*
 * One write of a limit: value to dir/file. What a run writes is a list of
 * these, built before anything is made, so --print-plan can show every file
 * and value as cgroup_make will write them.
 */
struct cgroup_write {
    const char *dir;  /* one of the cgroup's paths */
    const char *file; /* "pids.max", "memory.memsw.limit_in_bytes", ... */
    char value[64];
    const char *key; /* the profile key it comes from, for messages: "limits.memory" */
    /*
     * Why a kernel may lack the file although it has the controller (swap
     * accounting is a boot option), for the message; NULL: it never does.
     */
    const char *absent;
};

/*
 * The writes of req's limits to the planned cg, in the order cgroup_make
 * makes them: the kernel checks some against others (v1 wants memsw >=
 * memory at every moment, a quota is checked against the period). Fills
 * out[0..max) and returns how many there are, as snprintf does: a call with
 * max 0 counts them.
 */
size_t cgroup_writes(const struct cgroup *cg, const struct cgroup_request *req,
                     struct cgroup_write *out, size_t max);

/* Move pid in (when the child was not cloned straight into it). */
int cgroup_attach(const struct cgroup *cg, pid_t pid, struct congo_error *e);

/*
 * v1: the `tasks` files of every directory made, opened by the parent for
 * the child, which moves itself in with cgroup_attach_self before it is
 * released. Moving by pid takes a global lock and waits out an RCU grace
 * period (milliseconds); a single thread moving itself does not. Returns how
 * many fds were opened (at most max), 0 when there are no such files (v2,
 * a test's plain directories) and the parent must attach by pid, -1 on error.
 */
int cgroup_open_attach_fds(const struct cgroup *cg, int *fds, int max, struct congo_error *e);
int cgroup_attach_self(const int *fds, int n, struct congo_error *e);

/*
 * How many times the memory limit killed something (v2 memory.events
 * oom_kill; v1 memory.oom_control oom_kill). 0 and *count, or -1 when there
 * is no count: no memory controller on the cgroup, or v1 before Linux 4.13.
 */
int cgroup_oom_kills(const struct cgroup *cg, uint64_t *count);

/*
 * Kill whatever is left in it and remove every directory made. Goes on past
 * errors and frees cg whatever happens; the first error is reported.
 */
int cgroup_destroy(struct cgroup *cg, struct congo_error *e);

/* Free cg and remove nothing: a created container's cgroup outlives its launcher. */
void cgroup_leave(struct cgroup *cg);

/*
 * cgroup_destroy for a cgroup another process made and left (a created
 * container's, at its delete): its directories, the pids hierarchy's first,
 * as the state directory recorded them.
 */
int cgroup_destroy_dirs(const struct cgroup_host *h, char *const *paths, struct congo_error *e);

/*
 * Remove cgroups of earlier runs whose launcher is gone: a `congo-*` cgroup
 * under the parent this run uses, whose PID is not alive with the recorded
 * start time. Returns how many were removed, or -1 with e filled when one
 * could not be (after trying them all).
 */
int cgroup_collect_stale(const struct cgroup_host *h, const struct cgroup_request *req,
                         struct congo_error *e);

/* The start time (field 22 of /proc/PID/stat) of a process; 0 when gone. */
unsigned long long proc_starttime(const char *proc, pid_t pid);
