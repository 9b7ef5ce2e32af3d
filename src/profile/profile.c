#include "profile.h"

#include <string.h>

#include "util/util.h"

const char *const ns_names[NS__MAX] = {
    [NS_CGROUP] = "cgroup", [NS_IPC] = "ipc", [NS_MOUNT] = "mount",
    [NS_NET] = "net",       [NS_PID] = "pid", [NS_UTS] = "uts",
};

void profile_init(struct profile *p)
{
    memset(p, 0, sizeof(*p));
    p->pids = LIMIT_UNLIMITED;
    p->memory = LIMIT_UNLIMITED;
    p->memory_swap = LIMIT_UNLIMITED;
    p->init = true;
    p->no_new_privileges = true;
    p->stop_timeout_ms = 10000;
    for (int i = 0; i < NS__MAX; i++)
        p->ns[i] = i != NS_CGROUP;
}

void profile_free(struct profile *p)
{
    free(p->name);
    free(p->rootfs);
    for (size_t i = 0; i < p->n_layers; i++)
        free(p->layers[i].path);
    free(p->layers);
    free(p->upper);
    free(p->hostname);
    free(p->user);
    free(p->workdir);
    for (size_t i = 0; i < p->n_env; i++) {
        free(p->env[i].name);
        free(p->env[i].value);
    }
    free(p->env);
    strv_free(p->command);
    for (size_t i = 0; i < p->n_mounts; i++) {
        free(p->mounts[i].target);
        free(p->mounts[i].source);
        free(p->mounts[i].options);
    }
    free(p->mounts);
    free(p->cgroup_parent);
    free(p->seccomp);
    free(p->rlimits);
    for (size_t i = 0; i < p->n_masked_paths; i++)
        free(p->masked_paths[i].path);
    free(p->masked_paths);
    for (size_t i = 0; i < p->n_readonly_paths; i++)
        free(p->readonly_paths[i].path);
    free(p->readonly_paths);
    strv_free(p->strings);
    memset(p, 0, sizeof(*p));
}

const char *profile_intern(struct profile *p, const char *s)
{
    if (!s)
        return NULL;
    for (size_t i = 0; p->strings && p->strings[i]; i++)
        if (strcmp(p->strings[i], s) == 0)
            return p->strings[i];
    strv_push(&p->strings, xstrdup(s));
    return p->strings[strv_len(p->strings) - 1];
}

static bool mount_equal(const struct profile_mount *a, const struct profile_mount *b)
{
    return str_eq(a->target, b->target) && a->type == b->type && str_eq(a->source, b->source) &&
           a->readonly == b->readonly && str_eq(a->options, b->options);
}

static bool paths_equal(const struct profile_layer *a, size_t na, const struct profile_layer *b,
                        size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!str_eq(a[i].path, b[i].path))
            return false;
    return true;
}

bool profile_equal(const struct profile *a, const struct profile *b)
{
    if (!str_eq(a->name, b->name) || !str_eq(a->rootfs, b->rootfs) ||
        !str_eq(a->upper, b->upper) || a->readonly_rootfs != b->readonly_rootfs ||
        !str_eq(a->user ? a->user : "root", b->user ? b->user : "root") ||
        !str_eq(a->cgroup_parent, b->cgroup_parent) ||
        a->init != b->init || a->pids != b->pids || a->memory != b->memory ||
        a->memory_swap != b->memory_swap || a->cpu_shares != b->cpu_shares ||
        a->cpu_quota != b->cpu_quota || !strv_eq(a->command, b->command) ||
        (a->command == NULL) != (b->command == NULL))
        return false;
    /* Defaults compare equal to the same value written out. */
    if (!str_eq(a->workdir ? a->workdir : "/", b->workdir ? b->workdir : "/"))
        return false;
    _cleanup_free_ char *ha = profile_effective_hostname(a);
    _cleanup_free_ char *hb = profile_effective_hostname(b);
    if (!str_eq(ha, hb))
        return false;
    if (memcmp(a->ns, b->ns, sizeof(a->ns)) != 0)
        return false;
    if (a->cap_add != b->cap_add || a->cap_drop != b->cap_drop ||
        !str_eq(a->seccomp ? a->seccomp : "default", b->seccomp ? b->seccomp : "default") ||
        a->no_new_privileges != b->no_new_privileges || a->stop_timeout_ms != b->stop_timeout_ms || a->n_rlimits != b->n_rlimits ||
        !paths_equal(a->masked_paths, a->n_masked_paths, b->masked_paths, b->n_masked_paths) ||
        !paths_equal(a->readonly_paths, a->n_readonly_paths, b->readonly_paths,
                     b->n_readonly_paths))
        return false;
    for (size_t i = 0; i < a->n_rlimits; i++)
        if (a->rlimits[i].resource != b->rlimits[i].resource ||
            a->rlimits[i].soft != b->rlimits[i].soft || a->rlimits[i].hard != b->rlimits[i].hard)
            return false;
    if (a->n_layers != b->n_layers || a->n_env != b->n_env || a->n_mounts != b->n_mounts)
        return false;
    if (!paths_equal(a->layers, a->n_layers, b->layers, b->n_layers))
        return false;
    for (size_t i = 0; i < a->n_env; i++)
        if (!str_eq(a->env[i].name, b->env[i].name) || !str_eq(a->env[i].value, b->env[i].value))
            return false;
    for (size_t i = 0; i < a->n_mounts; i++)
        if (!mount_equal(&a->mounts[i], &b->mounts[i]))
            return false;
    return true;
}

char *profile_effective_hostname(const struct profile *p)
{
    if (!p->ns[NS_UTS])
        return NULL;
    if (p->hostname)
        return xstrdup(p->hostname);
    if (!p->name)
        return NULL;
    char *h = xstrndup(p->name, 63);
    for (char *c = h; *c; c++)
        if (*c == '_')
            *c = '-';
    /* A label may not end in '-' or '.': trim what the cut left there. */
    size_t n = strlen(h);
    while (n > 0 && (h[n - 1] == '-' || h[n - 1] == '.'))
        h[--n] = '\0';
    return h;
}
