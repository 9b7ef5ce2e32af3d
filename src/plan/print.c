/*
 * --print-plan: what a run of the profile does, in the order it does it,
 * as stable text a reviewer can diff. Every value is the resolved one: the
 * defaults spelled out, relative paths made absolute, the mounts in the
 * order they are made, the seccomp rules in force.
 */
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "plan/plan-internal.h"
#include "profile/seccomp-file.h"
#include "profile/seccomp-oci.h"
#include "util/names.h"
#include "util/idmap.h"
#include "util/util.h"

static void put_flags(struct strbuf *sb, unsigned long flags)
{
    static const struct {
        unsigned long flag;
        const char *name;
    } names[] = {
        {MS_RDONLY, "ro"},           {MS_NOSUID, "nosuid"},     {MS_NODEV, "nodev"},
        {MS_NOEXEC, "noexec"},       {MS_NOATIME, "noatime"},   {MS_NODIRATIME, "nodiratime"},
        {MS_RELATIME, "relatime"},   {MS_STRICTATIME, "strictatime"},
    };
    const char *sep = "";
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (flags & names[i].flag) {
            strbuf_printf(sb, "%s%s", sep, names[i].name);
            sep = ",";
        }
    if (!*sep)
        strbuf_puts(sb, "rw");
}

static void put_origin(struct strbuf *sb, const char *origin)
{
    if (origin && strcmp(origin, "built-in") != 0)
        strbuf_printf(sb, "  # %s", origin);
    strbuf_putc(sb, '\n');
}

static void put_root(struct strbuf *sb, const struct plan_root *r)
{
    if (r->direct) {
        strbuf_printf(sb, "root: rootfs itself at /, %s (upper: none)\n  rootfs %s\n",
                      r->readonly ? "read-only once the mounts' targets are made in it"
                                  : "written directly",
                      r->rootfs);
        return;
    }
    strbuf_puts(sb, "root: an overlay at /, nothing written reaches its lower layers\n");
    size_t n = strv_len(r->layers);
    for (size_t i = n; i > 0; i--)
        strbuf_printf(sb, "  layer  %s\n", r->layers[i - 1]);
    strbuf_printf(sb, "  rootfs %s\n", r->rootfs);
    if (r->readonly)
        strbuf_puts(sb, "  upper  none: the root is read-only\n");
    else if (r->upper)
        strbuf_printf(sb, "  upper  %s/diff (work: %s/work), kept after the run\n", r->upper,
                      r->upper);
    else
        strbuf_puts(sb, "  upper  tmpfs, gone with the container\n");
}

static void put_mount(struct strbuf *sb, const struct plan_mount *m)
{
    switch (m->kind) {
    case PLAN_MOUNT_FS:
        strbuf_printf(sb, "  %-8s %s (", m->fstype, m->target);
        put_flags(sb, m->flags);
        if (m->data && *m->data)
            strbuf_printf(sb, "; %s", m->data);
        strbuf_putc(sb, ')');
        if (m->copy_up)
            strbuf_puts(sb, ", filled with what the directory under it holds");
        if (strcmp(m->fstype, "sysfs") == 0)
            strbuf_puts(sb, ", or the host's /sys bound read-only where a new one is refused");
        break;
    case PLAN_MOUNT_DEVICE:
        if (!m->key) {
            strbuf_printf(sb, "  device   %s, the host's node\n", m->target);
            return;
        }
        /* The profile's: its access is the device cgroup's, below. */
        strbuf_printf(sb, "  device   %s, the host's %s", m->target, m->source);
        break;
    case PLAN_MOUNT_BIND: {
        /* suid and dev spelt out either way: a bind is nosuid,nodev unless the profile says. */
        strbuf_printf(sb, "  bind     %s from the host's %s (%s%s; %s,%s", m->target, m->source,
                      m->readonly ? "read-only" : "read-write",
                      m->recursive ? ", recursive" : ", without the mounts below it",
                      m->flags & MS_NOSUID ? "nosuid" : "suid",
                      m->flags & MS_NODEV ? "nodev" : "dev");
        unsigned long rest = m->flags & ~(unsigned long)(MS_RDONLY | MS_NOSUID | MS_NODEV);
        if (rest) {
            strbuf_putc(sb, ',');
            put_flags(sb, rest);
        }
        strbuf_putc(sb, ')');
        if (m->idmap)
            strbuf_puts(sb, ", id-mapped: its owners as the container's user namespace maps them");
        break;
    }
    case PLAN_MOUNT_SYMLINK:
        strbuf_printf(sb, "  symlink  %s -> %s\n", m->target, m->source);
        return;
    case PLAN_MOUNT_CGROUP:
        strbuf_printf(sb, "  cgroup   %s, the container's own cgroup, %s", m->target,
                      m->readonly ? "read-only" : "writable");
        break;
    case PLAN_MOUNT_MASK:
        strbuf_printf(sb, "  mask     %s (if it exists)", m->target);
        break;
    case PLAN_MOUNT_READONLY:
        strbuf_printf(sb, "  readonly %s (if it exists)", m->target);
        break;
    }
    put_origin(sb, m->origin);
}

/* A word of a shell command: bare when nothing in it is special, else in double quotes. */
static void put_word(struct strbuf *sb, const char *w)
{
    bool plain = *w != '\0';
    for (const char *c = w; *c && plain; c++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_+=:,./-",
                       *c) != NULL;
    if (plain) {
        strbuf_puts(sb, w);
        return;
    }
    strbuf_putc(sb, '"');
    for (const char *c = w; *c; c++) {
        if (strchr("\"\\$`", *c))
            strbuf_putc(sb, '\\');
        if ((unsigned char)*c < 0x20)
            strbuf_printf(sb, "\\x%02x", (unsigned char)*c);
        else
            strbuf_putc(sb, *c);
    }
    strbuf_putc(sb, '"');
}

/* The types of namespace, in the order --print-plan lists them. */
static const uint64_t ns_kinds[] = {
    CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWUTS,
};

static void put_idmap(struct strbuf *sb, const char *kind, const struct idmap_range *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        strbuf_printf(sb, "  %s %u-%u -> host %u-%u\n", kind, r[i].inside,
                      (unsigned)((uint64_t)r[i].inside + r[i].count - 1), r[i].outside,
                      (unsigned)((uint64_t)r[i].outside + r[i].count - 1));
}

static void put_userns(struct strbuf *sb, const struct run_plan *plan)
{
    switch (plan->userns) {
    case PLAN_USERNS_HOST:
        strbuf_puts(sb, "user namespace: the host's (root inside is root)");
        break;
    case PLAN_USERNS_CALLER:
        strbuf_puts(sb, "user namespace: new; the caller's uid and gid are 0 inside, its "
                        "subordinate ids in /etc/subuid and /etc/subgid 1 and up "
                        "(through newuidmap), or nothing more without them");
        break;
    case PLAN_USERNS_AUTO:
        strbuf_puts(sb, "user namespace: new; 0-65535 inside are 65536 host ids no other "
                        "running container has, picked at the start; rootfs, layers and "
                        "upper id-mapped to it");
        break;
    case PLAN_USERNS_MAP:
        strbuf_puts(sb, "user namespace: new; rootfs, layers and upper id-mapped to it");
        break;
    }
    put_origin(sb, plan->userns_origin);
    if (plan->userns == PLAN_USERNS_MAP) {
        put_idmap(sb, "uid", plan->idmap->uid, plan->idmap->n_uid);
        put_idmap(sb, "gid", plan->idmap->gid, plan->idmap->n_gid);
    }
}

static void put_network(struct strbuf *sb, const struct plan_network *n)
{
    char a[16], b[16];
    if (n->mode == PLAN_NET_BRIDGE) {
        strbuf_printf(sb, "network: bridge %s, subnet %s/%d, gateway %s", n->bridge,
                      ipv4_format(n->subnet.addr, a), n->subnet.prefix,
                      ipv4_format(ipv4_net_gateway(&n->subnet), b));
        put_origin(sb, n->origin);
        strbuf_puts(sb, "  the bridge made when missing; IPv4 forwarding on; nftables table ip congo "
                        "masquerades the subnet\n");
        if (n->address)
            strbuf_printf(sb, "  eth0 %s/%d", ipv4_format(n->address, a), n->subnet.prefix);
        else
            strbuf_printf(sb, "  eth0 the first free address of the subnet");
        strbuf_puts(sb, ", a veth whose other end is on the bridge; default route via the "
                        "gateway\n");
    } else {
        strbuf_puts(sb, "network: pasta(1), user-mode, the host's addresses and routes copied");
        put_origin(sb, n->origin);
    }
    for (size_t i = 0; i < n->n_ports; i++) {
        const struct port_map *pm = &n->ports[i];
        strbuf_printf(sb, "  publish %s:%u/%s to the container's port %u\n",
                      pm->host_addr ? ipv4_format(pm->host_addr, a) : "*", pm->host_port,
                      pm->udp ? "udp" : "tcp", pm->container_port);
    }
    if (n->dns) {
        strbuf_puts(sb, "  /etc/resolv.conf: nameserver");
        for (size_t i = 0; n->dns[i]; i++)
            strbuf_printf(sb, " %s", n->dns[i]);
        strbuf_puts(sb, "; /etc/hosts: localhost and the host name\n");
    } else {
        strbuf_puts(sb, "  /etc/resolv.conf: the host's name servers but loopback ones; "
                        "/etc/hosts: localhost and the host name\n");
    }
}

static void put_namespaces(struct strbuf *sb, const struct run_plan *plan)
{
    uint64_t joined = 0;
    for (size_t i = 0; i < plan->n_ns_joins; i++)
        joined |= plan->ns_joins[i].flag;
    strbuf_puts(sb, "namespaces:");
    for (size_t i = 0; i < ARRAY_SIZE(ns_kinds); i++)
        if (plan->clone_flags & ns_kinds[i])
            strbuf_printf(sb, " %s", namespace_name(ns_kinds[i]));
    strbuf_puts(sb, " new;");
    if (joined) {
        for (size_t i = 0; i < ARRAY_SIZE(ns_kinds); i++)
            if (joined & ns_kinds[i])
                strbuf_printf(sb, " %s", namespace_name(ns_kinds[i]));
        strbuf_puts(sb, " joined;");
    }
    bool shared = false;
    for (size_t i = 0; i < ARRAY_SIZE(ns_kinds); i++)
        if (!((plan->clone_flags | joined) & ns_kinds[i])) {
            strbuf_printf(sb, " %s", namespace_name(ns_kinds[i]));
            shared = true;
        }
    strbuf_puts(sb, shared ? " the host's\n" : " none of the host's\n");
    for (size_t i = 0; i < plan->n_ns_joins; i++) {
        const struct plan_ns_join *j = &plan->ns_joins[i];
        strbuf_printf(sb, "  join %s %s (checked at the start to be a %s namespace)",
                      namespace_name(j->flag), j->path, namespace_name(j->flag));
        put_origin(sb, j->origin);
    }
    put_userns(sb, plan);
    if (plan->net.mode != PLAN_NET_NONE)
        put_network(sb, &plan->net);
    else if (plan->clone_flags & CLONE_NEWNET)
        strbuf_puts(sb, "network: loopback only (lo up)\n");
    else if (joined & CLONE_NEWNET)
        strbuf_puts(sb, "network: the joined namespace's, as it is; congo sets nothing up there\n");
    else
        strbuf_puts(sb, "network: the host's\n");
    if (plan->n_sysctls == 0) {
        strbuf_puts(sb, "sysctl: none\n");
        return;
    }
    strbuf_puts(sb, "sysctl, written once the namespaces are joined, before /proc/sys is made "
                    "read-only:\n");
    for (size_t i = 0; i < plan->n_sysctls; i++) {
        const struct plan_sysctl *c = &plan->sysctls[i];
        strbuf_printf(sb, "  %s = ", c->name);
        put_word(sb, c->value);
        strbuf_printf(sb, " (the %s namespace's)", namespace_name(c->ns));
        put_origin(sb, c->origin);
    }
}

static void put_size(struct strbuf *sb, const char *what, int64_t v)
{
    _cleanup_free_ char *s = v == LIMIT_UNLIMITED ? xstrdup("unlimited") : format_size(v);
    strbuf_printf(sb, "  %s %s\n", what, s);
}

static void put_cgroup(struct strbuf *sb, const struct cgroup_request *c, const char *host)
{
    if (c->exact)
        strbuf_printf(sb, "cgroup: %s%s%s exactly (cgroup_path) in each hierarchy\n", c->parent,
                      strcmp(c->parent, "/") == 0 ? "" : "/", c->exact);
    else if (c->parent)
        strbuf_printf(sb,
                      "cgroup: congo-%s-PID-STARTTIME (the launcher's pid and start time), "
                      "below %s in each hierarchy\n",
                      c->name, c->parent);
    else
        strbuf_printf(sb,
                      "cgroup: congo-%s-PID-STARTTIME (the launcher's pid and start time), "
                      "below the launcher's own cgroup\n",
                      c->name);
    if (c->pids == LIMIT_UNLIMITED)
        strbuf_puts(sb, "  pids unlimited\n");
    else
        strbuf_printf(sb, "  pids %lld\n", (long long)c->pids);
    put_size(sb, "memory", c->memory);
    put_size(sb, "memory+swap", c->memory_swap);
    if (c->cpu_shares)
        strbuf_printf(sb, "  cpu shares %lld\n", (long long)c->cpu_shares);
    if (c->cpu_quota) {
        _cleanup_free_ char *cpus = format_cpus(c->cpu_quota);
        strbuf_printf(sb, "  cpus %s (%lld us in every %d us)\n", cpus, (long long)c->cpu_quota,
                      CPU_PERIOD_US);
    }
    strbuf_printf(sb, "  controllers pids%s%s\n", c->need_memory ? " memory" : "",
                  c->need_cpu ? " cpu" : "");
    if (host)
        strbuf_puts(sb, host);
}

static void put_process(struct strbuf *sb, const struct run_plan *plan)
{
    strbuf_puts(sb, "process:\n");
    bool uts_joined = false;
    for (size_t i = 0; i < plan->n_ns_joins; i++)
        uts_joined = uts_joined || plan->ns_joins[i].flag == CLONE_NEWUTS;
    if (plan->hostname)
        strbuf_printf(sb, "  hostname %s\n", plan->hostname);
    else if (uts_joined)
        strbuf_puts(sb, "  hostname the joined uts namespace's own\n");
    else
        strbuf_puts(sb, "  hostname the host's (the uts namespace is off)\n");
    if (plan->domainname)
        strbuf_printf(sb, "  domainname %s\n", plan->domainname);
    else
        strbuf_puts(sb, "  domainname unset: as the uts namespace has it\n");
    if (plan->user)
        strbuf_printf(sb, "  user %s, looked up in the container's /etc/passwd and /etc/group\n",
                      plan->user);
    else
        strbuf_puts(sb, "  user root (uid 0, gid 0)\n");
    if (plan->groups) {
        strbuf_puts(sb, "  groups");
        for (size_t i = 0; plan->groups[i]; i++)
            strbuf_printf(sb, "%s %s", i ? "," : "", plan->groups[i]);
        strbuf_puts(sb, ", added to the user's; names looked up in the container's /etc/group\n");
    }
    if (!plan->initgroups)
        strbuf_puts(sb, "  initgroups false: not the user's other groups in /etc/group\n");
    strbuf_printf(sb, "  umask %04o\n", (unsigned)plan->umask);
    strbuf_printf(sb, "  workdir %s%s\n", plan->workdir,
                  plan->root.readonly ? "" : ", made when missing");
    strbuf_puts(sb, "  argv");
    for (size_t i = 0; plan->argv[i]; i++) {
        strbuf_putc(sb, ' ');
        put_word(sb, plan->argv[i]);
    }
    strbuf_putc(sb, '\n');
    strbuf_puts(sb, "  env\n");
    for (size_t i = 0; plan->env[i]; i++) {
        if ((int)i == plan->env_home) {
            strbuf_puts(sb, "    HOME= from the container's /etc/passwd, else /\n");
            continue;
        }
        if ((int)i == plan->env_term) {
            strbuf_puts(sb, "    TERM= the caller's\n");
            continue;
        }
        strbuf_puts(sb, "    ");
        put_word(sb, plan->env[i]);
        strbuf_putc(sb, '\n');
    }
    if (plan->init && (plan->clone_flags & CLONE_NEWPID))
        strbuf_puts(sb, "  init congo-init as PID 1: forwards signals, reaps zombies\n");
    else if (plan->init)
        strbuf_puts(sb, "  init congo-init, a child subreaper (the pid namespace is not a new "
                        "one): forwards signals, reaps zombies\n");
    else
        strbuf_puts(sb, "  init none: the command is PID 1\n");
    _cleanup_free_ char *timeout = format_duration(plan->stop_timeout_ms);
    strbuf_printf(sb, "  stop SIGTERM, then SIGKILL after %s\n", timeout);
    if (plan->oom_score_adj_set)
        strbuf_printf(sb, "  oom_score_adj %d, for the init, the command and --exec's commands\n",
                      plan->oom_score_adj);
    else
        strbuf_puts(sb, "  oom_score_adj the launcher's\n");
}

static void put_caps(struct strbuf *sb, const char *what, uint64_t set)
{
    _cleanup_free_ char *names = capability_list(set);
    strbuf_printf(sb, "  %s %s\n", what, *names ? names : "none");
}

static void put_rule(struct strbuf *sb, const struct seccomp_rule *r)
{
    _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, r->syscall);
    if (name)
        strbuf_printf(sb, "%s", name);
    else
        strbuf_printf(sb, "(syscall %d, of a compatibility architecture)", r->syscall);
    if (r->has_arg && r->syscall == seccomp_syscall_resolve_name("ioctl")) {
        const char *req = seccomp_ioctl_name(r->arg1);
        if (req)
            strbuf_printf(sb, " %s", req);
        else
            strbuf_printf(sb, " 0x%llx", (unsigned long long)r->arg1);
    } else if (r->has_arg) {
        const char *flag = seccomp_clone_flag_name(r->arg1);
        if (flag)
            strbuf_printf(sb, " with %s", flag);
        else
            strbuf_printf(sb, " with flag 0x%llx", (unsigned long long)r->arg1);
    }
    const char *err = seccomp_errno_name(r->err);
    if (err)
        strbuf_printf(sb, " -> %s", err);
    else
        strbuf_printf(sb, " -> errno %d", r->err);
}

/* SCMP_ACT_ERRNO(EPERM), SCMP_ACT_TRACE(7), SCMP_ACT_ALLOW */
static void put_policy_action(struct strbuf *sb, enum seccomp_policy_action a, unsigned err)
{
    strbuf_puts(sb, seccomp_policy_action_name(a));
    const char *name = a == POLICY_ACT_ERRNO ? seccomp_errno_name((int)err) : NULL;
    if (name)
        strbuf_printf(sb, "(%s)", name);
    else if (seccomp_policy_action_has_errno(a))
        strbuf_printf(sb, "(%u)", err);
}

/* arg0 == 8, arg1 & 0xff == 0x2 */
static void put_condition(struct strbuf *sb, const struct seccomp_policy_arg *a)
{
    static const char *const ops[POLICY_OP__MAX] = {
        [POLICY_OP_NE] = "!=", [POLICY_OP_LT] = "<",  [POLICY_OP_LE] = "<=",
        [POLICY_OP_EQ] = "==", [POLICY_OP_GE] = ">=", [POLICY_OP_GT] = ">",
    };
    if (a->op == POLICY_OP_MASKED_EQ)
        strbuf_printf(sb, "arg%u & %#llx == %#llx", a->index, (unsigned long long)a->value,
                      (unsigned long long)a->value_two);
    else
        strbuf_printf(sb, "arg%u %s %llu", a->index, ops[a->op], (unsigned long long)a->value);
}

/* `if arg0 == 1 and arg1 == 2`; conditions on one argument twice are alternatives. */
static void put_conditions(struct strbuf *sb, const struct seccomp_policy_rule *r)
{
    bool repeated = false;
    for (size_t i = 0; i < r->n_args; i++)
        for (size_t j = 0; j < i; j++)
            repeated |= r->args[i].index == r->args[j].index;
    for (size_t i = 0; i < r->n_args; i++) {
        strbuf_puts(sb, i == 0 ? " if " : repeated ? " or " : " and ");
        put_condition(sb, &r->args[i]);
    }
}

static void put_notes(struct strbuf *sb, const struct run_plan *plan, enum plan_seccomp_why why,
                      const char *what)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->n_seccomp_notes; i++)
        n += plan->seccomp_notes[i].why == why;
    if (!n)
        return;
    strbuf_printf(sb, "  %s (%zu):", what, n);
    bool first = true;
    for (size_t i = 0; i < plan->n_seccomp_notes; i++) {
        const struct plan_seccomp_note *note = &plan->seccomp_notes[i];
        if (note->why != why)
            continue;
        strbuf_puts(sb, first ? " " : ", ");
        first = false;
        if (note->name)
            strbuf_printf(sb, "%s in ", note->name);
        strbuf_printf(sb, "syscalls[%zu]", note->rule);
        if (why == PLAN_SECCOMP_DECIDED)
            strbuf_printf(sb, " (by syscalls[%zu])", note->by);
    }
    strbuf_putc(sb, '\n');
}

/*
 * An OCI policy as the filter holds it: the default, the architectures,
 * each rule as written, then what of them made no rule and why.
 */
static void put_policy(struct strbuf *sb, const struct run_plan *plan)
{
    const struct seccomp_policy *pol = plan->seccomp_policy;
    strbuf_printf(sb, "seccomp: the OCI policy of %s, %zu rules; any other call: ",
                  plan->seccomp_source, pol->n_rules);
    put_policy_action(sb, pol->default_action, pol->default_errno);
    strbuf_puts(sb, "\n  architectures: ");
    strbuf_puts(sb, seccomp_policy_arch_of_token(seccomp_arch_native()));
    for (size_t i = 0; i < pol->n_arches; i++)
        if (seccomp_policy_arch_token(pol->arches[i]) != seccomp_arch_native())
            strbuf_printf(sb, ", %s", seccomp_policy_arch_name(pol->arches[i]));
    strbuf_puts(sb, "; a call of any other is killed\n");
    if (plan->seccomp_flags) {
        strbuf_puts(sb, "  flags:");
        for (unsigned bit = 1; bit; bit <<= 1)
            if (plan->seccomp_flags & bit)
                strbuf_printf(sb, " %s", seccomp_policy_flag_name(bit));
        strbuf_putc(sb, '\n');
    }
    if (pol->listener_path)
        strbuf_printf(sb, "  listenerPath %s: unused, no rule notifies\n", pol->listener_path);
    for (size_t i = 0; i < pol->n_rules; i++) {
        const struct seccomp_policy_rule *r = &pol->rules[i];
        strbuf_printf(sb, "  syscalls[%zu] ", i);
        put_policy_action(sb, r->action, r->errno_ret);
        put_conditions(sb, r);
        strbuf_putc(sb, ':');
        for (size_t j = 0; r->names[j]; j++)
            strbuf_printf(sb, "%s%s", j ? ", " : " ", r->names[j]);
        strbuf_putc(sb, '\n');
    }
    const struct scmp_version *v = seccomp_version();
    _cleanup_free_ char *unknown = xasprintf("skipped, not a system call libseccomp %u.%u.%u knows",
                                             v->major, v->minor, v->micro);
    put_notes(sb, plan, PLAN_SECCOMP_UNKNOWN, unknown);
    put_notes(sb, plan, PLAN_SECCOMP_DEFAULT, "no rule, the default action already");
    put_notes(sb, plan, PLAN_SECCOMP_DECIDED, "no effect, an unconditional rule came first");
}

static void put_security(struct strbuf *sb, const struct run_plan *plan)
{
    strbuf_printf(sb, "capabilities of a root command (another user gets %s):\n",
                  plan->caps_ambient ? "the ambient ones alone" : "none");
    put_caps(sb, "bounding, effective, permitted:", plan->caps);
    put_caps(sb, "inheritable, ambient:", plan->caps_ambient);
    strbuf_printf(sb, "no_new_privileges: %s\n", plan->no_new_privileges ? "true" : "false");
    if (plan->n_rlimits == 0)
        strbuf_puts(sb, "rlimits: the launcher's\n");
    else
        strbuf_puts(sb, "rlimits (soft:hard):\n");
    for (size_t i = 0; i < plan->n_rlimits; i++) {
        _cleanup_free_ char *soft = format_rlimit(plan->rlimits[i].soft);
        _cleanup_free_ char *hard = format_rlimit(plan->rlimits[i].hard);
        strbuf_printf(sb, "  %s %s:%s\n", rlimit_name(plan->rlimits[i].resource), soft, hard);
    }
    if (plan->seccomp_policy) {
        put_policy(sb, plan);
        return;
    }
    if (!plan->seccomp_rules) {
        strbuf_puts(sb, "seccomp: unconfined, no filter\n");
        return;
    }
    const struct seccomp_rules *r = plan->seccomp_rules;
    strbuf_printf(sb, "seccomp: %s, %zu rules; every other call is allowed\n",
                  strcmp(plan->seccomp_source, "default") == 0 ? "the default deny-list"
                                                               : plan->seccomp_source,
                  r->n);
    for (size_t i = 0; i < r->n; i++) {
        strbuf_puts(sb, "  ");
        put_rule(sb, &r->v[i]);
        strbuf_putc(sb, '\n');
    }
    for (size_t i = 0; i < r->n_removed; i++) {
        strbuf_puts(sb, "  taken back: ");
        put_rule(sb, &r->removed[i].rule);
        strbuf_printf(sb, "  # %s:%d\n", plan->seccomp_source, r->removed[i].line);
    }
}

/* Where and when each stage's programs run: the engine's order, in words. */
static const char *const hook_stage_doc[HOOK__MAX] = {
    [HOOK_PRESTART] = "by the launcher on the host, the root assembled, before pivot_root",
    [HOOK_CREATE_RUNTIME] = "by the launcher on the host, after prestart's",
    [HOOK_CREATE_CONTAINER] = "in the container's namespaces as its root, before pivot_root",
    [HOOK_START_CONTAINER] = "in the container as its user, right before the command",
    [HOOK_POSTSTART] = "by the launcher on the host, once the command runs; a failure warns",
    [HOOK_POSTSTOP] = "by the launcher on the host, once the container is gone; a failure warns",
};

static void put_hooks(struct strbuf *sb, const struct run_plan *plan)
{
    bool any = false;
    for (int s = 0; s < HOOK__MAX; s++)
        any |= plan->n_hooks[s] > 0;
    if (!any) {
        strbuf_puts(sb, "hooks: none\n");
        return;
    }
    strbuf_puts(sb, "hooks, each with the container's state (OCI's JSON) on its stdin:\n");
    for (int s = 0; s < HOOK__MAX; s++) {
        if (!plan->n_hooks[s])
            continue;
        strbuf_printf(sb, "  %s, %s:\n", hook_stage_names[s], hook_stage_doc[s]);
        for (size_t i = 0; i < plan->n_hooks[s]; i++) {
            const struct plan_hook *h = &plan->hooks[s][i];
            strbuf_puts(sb, "    ");
            put_word(sb, h->path);
            strbuf_puts(sb, " as");
            for (size_t a = 0; h->argv[a]; a++) {
                strbuf_putc(sb, ' ');
                put_word(sb, h->argv[a]);
            }
            if (h->env) {
                strbuf_puts(sb, "; env:");
                for (size_t e = 0; h->env[e]; e++) {
                    strbuf_putc(sb, ' ');
                    put_word(sb, h->env[e]);
                }
                if (!h->env[0])
                    strbuf_puts(sb, " none");
            }
            if (h->timeout_ms) {
                _cleanup_free_ char *t = format_duration(h->timeout_ms);
                strbuf_printf(sb, "; killed after %s", t);
            }
            strbuf_putc(sb, '\n');
        }
    }
}

char *plan_print(const struct run_plan *plan, const char *cgroup_host)
{
    struct strbuf sb = {0};
    strbuf_printf(&sb, "container: %s\n", plan->name);
    put_root(&sb, &plan->root);
    strbuf_puts(&sb, "mounts, in order:\n");
    for (size_t i = 0; i < plan->n_mounts; i++)
        put_mount(&sb, &plan->mounts[i]);
    strbuf_puts(&sb, "then pivot_root into the new root; nothing of the host's stays reachable\n");
    put_namespaces(&sb, plan);
    put_cgroup(&sb, &plan->cgroup, cgroup_host);
    put_process(&sb, plan);
    put_security(&sb, plan);
    put_hooks(&sb, plan);
    if (!plan->annotations) {
        strbuf_puts(&sb, "annotations: none\n");
    } else {
        strbuf_puts(&sb, "annotations, kept with the running container and never read:\n");
        for (size_t i = 0; plan->annotations[i]; i++) {
            strbuf_puts(&sb, "  ");
            put_word(&sb, plan->annotations[i]);
            strbuf_putc(&sb, '\n');
        }
    }
    return strbuf_steal(&sb);
}
