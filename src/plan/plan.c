/*
 * plan_build: a merged profile resolved into what the engine does. The
 * mounts and the security settings have files of their own; this one does
 * the root, the process, the namespaces (new or joined, and their kernel
 * parameters) and the cgroup request.
 */
#include "plan/plan.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan/plan-internal.h"
#include "profile/schema.h"
#include "util/idmap.h"
#include "util/util.h"


char *plan_origin_text(const struct origin *o)
{
    if (!o || !o->file)
        return xstrdup("built-in");
    if (strcmp(o->file, "<command line>") == 0)
        return xstrdup("command line");
    if (o->line > 0)
        return xasprintf("%s:%d", o->file, o->line);
    if (o->where)
        return xasprintf("%s:%s", o->file, o->where);
    return xstrdup(o->file);
}

/* NAME=value in place of an existing NAME, else at the end: the order is stable. */
static size_t env_set(char ***env, const char *name, const char *value)
{
    size_t n = strlen(name), i = 0;
    char *entry = xasprintf("%s=%s", name, value);
    for (char **p = *env; p && *p; p++, i++) {
        if (strncmp(*p, name, n) == 0 && (*p)[n] == '=') {
            free(*p);
            *p = entry;
            return i;
        }
    }
    strv_push(env, entry);
    return i;
}

/*
 * Built from scratch rather than edited from environ: nothing of the
 * launcher's environment (LD_PRELOAD, SSH_AUTH_SOCK, proxies, ...) reaches
 * the container unless the profile says so. TERM is the exception: the
 * command's terminal is relayed to the caller's, which it describes. HOME
 * is a placeholder the engine fills. base_env: false (an OCI config's
 * environment is the whole of it) leaves out all but HOME.
 */
static void plan_env(const struct profile *p, struct run_plan *plan)
{
    plan->env = xcalloc(1, sizeof(char *));
    bool base = profile_bool(p, KEY_BASE_ENV);
    if (base)
        env_set(&plan->env, "PATH", PLAN_DEFAULT_PATH);
    /* HOME always, as every runtime gives it: without it many programs misbehave. */
    plan->env_home = (int)env_set(&plan->env, "HOME", "/");
    if (base && plan->hostname)
        env_set(&plan->env, "HOSTNAME", plan->hostname);
    const char *term = getenv("TERM");
    if (base && term)
        plan->env_term = (int)env_set(&plan->env, "TERM", term);
    for (size_t i = 0; i < p->n_env; i++) {
        const struct profile_env *e = &p->env[i];
        int at = (int)env_set(&plan->env, e->name, e->value ? e->value : "");
        /* The profile's own HOME or TERM stands. */
        if (at == plan->env_home)
            plan->env_home = -1;
        if (at == plan->env_term)
            plan->env_term = -1;
    }
}

static const uint64_t ns_flags[NS__MAX] = {
    [NS_CGROUP] = CLONE_NEWCGROUP, [NS_IPC] = CLONE_NEWIPC, [NS_MOUNT] = CLONE_NEWNS,
    [NS_NET] = CLONE_NEWNET,       [NS_PID] = CLONE_NEWPID, [NS_UTS] = CLONE_NEWUTS,
};

/* The namespaces made new; one the profile names by path is joined instead. */
static uint64_t clone_flags(const struct profile *p)
{
    /* The root lives in a mount namespace: it is never off (the profile refuses that too). */
    uint64_t flags = CLONE_NEWNS;
    for (int i = 0; i < NS__MAX; i++)
        if (p->ns[i] && !p->ns_path[i])
            flags |= ns_flags[i];
    return flags;
}

static void plan_ns_joins(const struct profile *p, struct run_plan *plan)
{
    for (int i = 0; i < NS__MAX; i++) {
        if (!p->ns_path[i])
            continue;
        plan->ns_joins = xrealloc(plan->ns_joins, (plan->n_ns_joins + 1) * sizeof(*plan->ns_joins));
        plan->ns_joins[plan->n_ns_joins++] = (struct plan_ns_join){
            .flag = ns_flags[i],
            .key = xasprintf("namespaces.%s", ns_names[i]),
            .path = xstrdup(p->ns_path[i]),
            .origin = plan_origin_text(&p->ns_origin[i]),
        };
    }
}

static void plan_sysctls(const struct profile *p, struct run_plan *plan)
{
    if (p->n_sysctl)
        plan->sysctls = xcalloc(p->n_sysctl, sizeof(*plan->sysctls));
    for (size_t i = 0; i < p->n_sysctl; i++) {
        /* The profile has checked the name: its namespace is one the container has. */
        int ns = profile_sysctl_ns(p->sysctl[i].name);
        plan->sysctls[plan->n_sysctls++] = (struct plan_sysctl){
            .name = xstrdup(p->sysctl[i].name),
            .value = xstrdup(p->sysctl[i].value),
            .ns = ns < 0 ? 0 : ns_flags[ns],
            .origin = plan_origin_text(&p->sysctl[i].origin),
        };
    }
}

/* The profile has checked the texts: they parse. */
static void plan_network(const struct profile *p, struct run_plan *plan)
{
    const struct profile_network *pn = &p->network;
    struct plan_network *n = &plan->net;
    n->mode = pn->mode == NET_BRIDGE ? PLAN_NET_BRIDGE
            : pn->mode == NET_PASTA  ? PLAN_NET_PASTA
                                     : PLAN_NET_NONE;
    if (n->mode == PLAN_NET_NONE)
        return;
    n->origin = plan_origin_text(&pn->mode_origin);
    _cleanup_free_ char *why = NULL;
    if (n->mode == PLAN_NET_BRIDGE) {
        n->bridge = xstrdup(pn->bridge ? pn->bridge : NET_BRIDGE_DEFAULT);
        ipv4_net_parse(pn->subnet ? pn->subnet : NET_SUBNET_DEFAULT, &n->subnet, &why);
        if (pn->address)
            ipv4_parse(pn->address, &n->address, &why);
    }
    if (pn->n_ports)
        n->ports = xcalloc(pn->n_ports, sizeof(*n->ports));
    for (size_t i = 0; i < pn->n_ports; i++)
        n->ports[n->n_ports++] = pn->ports[i].map;
    n->dns = pn->dns ? strv_copy(pn->dns) : NULL;
}

static void plan_cgroup(const struct profile *p, struct cgroup_request *c)
{
    c->name = xstrdup(profile_str(p, KEY_NAME));
    c->parent = p->cgroup_parent ? xstrdup(p->cgroup_parent) : NULL;
    c->parent_key = "cgroup_parent";
    if (p->cgroup_path) {
        /* The profile's reader made it absolute and normalised: /a/b, never / alone. */
        const char *slash = strrchr(p->cgroup_path, '/');
        c->parent = slash == p->cgroup_path ? xstrdup("/")
                                            : xstrndup(p->cgroup_path, (size_t)(slash - p->cgroup_path));
        c->exact = xstrdup(slash + 1);
        c->parent_key = "cgroup_path";
    }
    c->pids = p->pids;
    c->memory = p->memory;
    c->memory_swap = p->memory_swap;
    c->cpu_shares = p->cpu_shares;
    c->cpu_quota = p->cpu_quota;
    c->pids_key = p->pids != LIMIT_UNLIMITED ? "limits.pids" : NULL;
    c->need_memory = p->memory != LIMIT_UNLIMITED || p->memory_swap != LIMIT_UNLIMITED;
    c->memory_key = p->memory != LIMIT_UNLIMITED ? "limits.memory" : "limits.memory_swap";
    c->need_cpu = p->cpu_shares > 0 || p->cpu_quota > 0;
    c->cpu_key = p->cpu_shares > 0 ? "limits.cpu_shares" : "limits.cpus";
}

static void add_device(struct cgroup_request *c, struct dev_rule rule, const char *node,
                       const char *key)
{
    c->devices = xrealloc(c->devices, (c->n_devices + 1) * sizeof(*c->devices));
    c->devices[c->n_devices++] =
        (struct plan_device){.rule = rule, .node = node ? xstrdup(node) : NULL, .key = key};
}

/*
 * A container given devices gets a device cgroup: congo's own nodes, its
 * devices and its device_rules, nothing else. Without either, nodev on
 * every mount but the bound nodes' keeps the rest shut already.
 */
static void plan_devices(const struct profile *p, struct cgroup_request *c)
{
    if (!p->n_devices && !p->n_device_rules)
        return;
    for (size_t i = 0; i < dev_n_own_rules; i++)
        add_device(c, dev_own_rules[i], NULL, NULL);
    for (size_t i = 0; i < p->n_devices; i++) {
        struct dev_spec spec;
        _cleanup_free_ char *why = NULL;
        if (dev_spec_parse(p->devices[i].path, &spec, &why) < 0)
            continue; /* checked as the profile was read */
        add_device(c, (struct dev_rule){.type = 'a', .access = spec.access}, spec.source,
                   "devices");
        dev_spec_clear(&spec);
    }
    for (size_t i = 0; i < p->n_device_rules; i++) {
        struct dev_rule rule;
        _cleanup_free_ char *why = NULL;
        if (dev_rule_parse(p->device_rules[i].path, &rule, &why) < 0)
            continue; /* checked as the profile was read */
        /*
         * v1's devices controller reads an `a` rule as all or nothing (a
         * *:* m would allow every device): as each type, it means what it
         * says everywhere.
         */
        if (rule.type == 'a' && rule.access != DEV_RWM) {
            rule.type = 'c';
            add_device(c, rule, NULL, "device_rules");
            rule.type = 'b';
        }
        add_device(c, rule, NULL, "device_rules");
    }
}

/*
 * No user_namespace: root's containers share the host's ids, as before;
 * anyone else's get a user namespace, as nothing else lets them run one.
 * auto by such a caller is the same: its own subordinate ids are all it has.
 */
static int plan_userns(const struct profile *p, struct run_plan *plan, struct diags *d)
{
    const char *v = p->user_namespace;
    bool root = geteuid() == 0;
    plan->userns_origin = v ? plan_origin_text(&p->origin[KEY_USER_NAMESPACE]) : xstrdup("default");
    if (!v)
        plan->userns = root ? PLAN_USERNS_HOST : PLAN_USERNS_CALLER;
    else if (str_eq(v, "host"))
        plan->userns = PLAN_USERNS_HOST;
    else if (str_eq(v, "auto"))
        plan->userns = root ? PLAN_USERNS_AUTO : PLAN_USERNS_CALLER;
    else {
        plan->userns = PLAN_USERNS_MAP;
        plan->idmap = xcalloc(1, sizeof(*plan->idmap));
        _cleanup_free_ char *why = NULL;
        /* The profile's reader has checked the text. */
        if (idmap_parse(v, plan->idmap, &why) < 0)
            abort();
    }
    int r = 0;
    /* Only root's user namespaces have a launcher that may id-map a mount for them. */
    for (size_t i = 0; i < p->n_mounts; i++) {
        const struct profile_mount *m = &p->mounts[i];
        if (!m->idmap || plan->userns == PLAN_USERNS_AUTO || plan->userns == PLAN_USERNS_MAP)
            continue;
        diags_add(d, DIAG_ERROR, m->origin.file, m->origin.line, 0, origin_key(&m->origin, "mounts"),
                  "`%s`: idmap maps a bind to the container's user namespace, and %s", m->target,
                  plan->userns == PLAN_USERNS_HOST
                      ? "it has none: set user_namespace to auto or mappings"
                      : "only root may id-map a mount (a user other than root's own files are "
                        "already its container's root's)");
        r = -1;
    }
    if (plan->userns == PLAN_USERNS_HOST)
        return r;
    plan->clone_flags |= CLONE_NEWUSER;
    /*
     * /proc and /dev/mqueue are mounted by the container's root, which a
     * user namespace lets mount them only for namespaces it owns.
     */
    static const struct {
        int ns;
        const char *key, *what;
    } owned[] = {{NS_PID, "namespaces.pid", "/proc for the pid namespace"},
                 {NS_IPC, "namespaces.ipc", "/dev/mqueue for the ipc namespace"}};
    for (size_t i = 0; i < ARRAY_SIZE(owned); i++) {
        if (p->ns[owned[i].ns] && !p->ns_path[owned[i].ns])
            continue;
        const struct origin *o = &p->ns_origin[owned[i].ns];
        diags_add(d, DIAG_ERROR, o->file, o->line, 0, origin_key(o, owned[i].key),
                  "a container with a user namespace (user_namespace: %s) cannot mount %s it "
                  "%s; give it a new one",
                  v ? v : "the default for a user other than root", owned[i].what,
                  p->ns_path[owned[i].ns] ? "joins" : "shares with the host");
        r = -1;
    }
    /*
     * The others the container's root may share with the host, but not
     * join by path: the launcher's clone made its user namespace first, and
     * a namespace of another owner then refuses it (as of Linux 6.x).
     */
    static const int joined[] = {NS_NET, NS_UTS, NS_CGROUP};
    for (size_t i = 0; i < ARRAY_SIZE(joined); i++) {
        if (!p->ns_path[joined[i]])
            continue;
        const struct origin *o = &p->ns_origin[joined[i]];
        _cleanup_free_ char *key = xasprintf("namespaces.%s", ns_names[joined[i]]);
        diags_add(d, DIAG_ERROR, o->file, o->line, 0, origin_key(o, key),
                  "joining a namespace by path with a user namespace of the container's own "
                  "(user_namespace: %s) is not supported: it belongs to another user namespace",
                  v ? v : "the default for a user other than root");
        r = -1;
    }
    return r;
}

int plan_build(const struct profile *p, struct run_plan *plan, struct diags *d)
{
    memset(plan, 0, sizeof(*plan));
    plan->env_home = plan->env_term = -1;
    size_t before = d->n_errors;
    /* Unlocated: no file set the key, and the remedy is on the command line. */
    if (!p->command)
        diags_add(d, DIAG_ERROR, NULL, 0, 0, NULL,
                  "no command: the profile has none; give one after `--`");
    if (!p->rootfs)
        diags_add(d, DIAG_ERROR, NULL, 0, 0, "rootfs", "required key is missing");
    if (d->n_errors > before)
        return -1;

    plan->name = xstrdup(profile_str(p, KEY_NAME));
    plan->root.rootfs = xstrdup(p->rootfs);
    for (size_t i = 0; i < p->n_layers; i++)
        strv_push(&plan->root.layers, xstrdup(p->layers[i].path));
    plan->root.direct = str_eq(p->upper, PROFILE_UPPER_NONE);
    plan->root.upper = p->upper && !plan->root.direct ? xstrdup(p->upper) : NULL;
    plan->root.readonly = p->readonly_rootfs;

    plan->clone_flags = clone_flags(p);
    if (plan_userns(p, plan, d) < 0) {
        plan_free(plan);
        return -1;
    }
    plan_ns_joins(p, plan);
    plan_sysctls(p, plan);
    plan_network(p, plan);
    plan_cgroup(p, &plan->cgroup);
    plan_devices(p, &plan->cgroup);

    plan->hostname = profile_effective_hostname(p);
    plan->domainname = p->domainname ? xstrdup(p->domainname) : NULL;
    plan->user = p->user ? xstrdup(p->user) : NULL;
    plan->workdir = xstrdup(profile_str(p, KEY_WORKDIR));
    plan->argv = strv_copy(p->command);
    plan_env(p, plan);
    plan->init = p->init;
    plan->stop_timeout_ms = p->stop_timeout_ms;
    for (size_t i = 0; i < p->n_annotations; i++)
        strv_push(&plan->annotations,
                  xasprintf("%s=%s", p->annotations[i].name, p->annotations[i].value));
    for (size_t i = 0; i < p->n_hooks; i++) {
        const struct profile_hook *h = &p->hooks[i];
        size_t *n = &plan->n_hooks[h->stage];
        plan->hooks[h->stage] =
            xrealloc(plan->hooks[h->stage], (*n + 1) * sizeof(struct plan_hook));
        plan->hooks[h->stage][(*n)++] = (struct plan_hook){
            .path = xstrdup(h->path),
            .argv = h->args ? strv_copy(h->args) : strv_copy((char *const[]){h->path, NULL}),
            .env = strv_copy(h->env),
            .timeout_ms = h->timeout_ms,
        };
    }
    plan->umask = (mode_t)p->umask;
    plan->initgroups = p->initgroups;
    for (size_t i = 0; i < p->n_groups; i++)
        strv_push(&plan->groups, xstrdup(p->groups[i].path));
    plan->oom_score_adj_set = p->oom_score_adj != OOM_SCORE_ADJ_UNSET;
    plan->oom_score_adj = plan->oom_score_adj_set ? (int)p->oom_score_adj : 0;

    if (plan_mounts_build(p, plan, d) < 0 || plan_security_build(p, plan, d) < 0) {
        plan_free(plan);
        return -1;
    }
    return 0;
}

void plan_free(struct run_plan *plan)
{
    free(plan->name);
    free(plan->idmap);
    free(plan->userns_origin);
    free(plan->root.rootfs);
    strv_free(plan->root.layers);
    free(plan->root.upper);
    for (size_t i = 0; i < plan->n_mounts; i++)
        plan_mount_clear(&plan->mounts[i]);
    free(plan->mounts);
    for (size_t i = 0; i < plan->n_ns_joins; i++) {
        free(plan->ns_joins[i].key);
        free(plan->ns_joins[i].path);
        free(plan->ns_joins[i].origin);
    }
    free(plan->ns_joins);
    for (size_t i = 0; i < plan->n_sysctls; i++) {
        free(plan->sysctls[i].name);
        free(plan->sysctls[i].value);
        free(plan->sysctls[i].origin);
    }
    free(plan->sysctls);
    free(plan->net.bridge);
    free(plan->net.ports);
    strv_free(plan->net.dns);
    free(plan->net.origin);
    free(plan->cgroup.name);
    free(plan->cgroup.parent);
    free(plan->cgroup.exact);
    for (size_t i = 0; i < plan->cgroup.n_devices; i++)
        free(plan->cgroup.devices[i].node);
    free(plan->cgroup.devices);
    free(plan->hostname);
    free(plan->domainname);
    free(plan->user);
    free(plan->workdir);
    strv_free(plan->argv);
    strv_free(plan->env);
    strv_free(plan->groups);
    free(plan->rlimits);
    free(plan->seccomp);
    free(plan->seccomp_source);
    plan_seccomp_free(plan);
    strv_free(plan->annotations);
    for (int s = 0; s < HOOK__MAX; s++) {
        for (size_t i = 0; i < plan->n_hooks[s]; i++) {
            free(plan->hooks[s][i].path);
            strv_free(plan->hooks[s][i].argv);
            strv_free(plan->hooks[s][i].env);
        }
        free(plan->hooks[s]);
    }
    memset(plan, 0, sizeof(*plan));
    plan->env_home = plan->env_term = -1;
}
