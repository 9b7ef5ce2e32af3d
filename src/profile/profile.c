#include "profile.h"

#include <string.h>

#include "util/util.h"
#include "value.h"

const char *const ns_names[NS__MAX] = {
    [NS_CGROUP] = "cgroup", [NS_IPC] = "ipc", [NS_MOUNT] = "mount",
    [NS_NET] = "net",       [NS_PID] = "pid", [NS_UTS] = "uts",
};

void profile_init(struct profile *p)
{
    memset(p, 0, sizeof(*p));
    for (size_t id = 0; id < KEY__MAX; id++) {
        const struct value_ops *ops = key_ops(&profile_keys[id]);
        if (ops && ops->init)
            ops->init(p, &profile_keys[id]);
    }
}

void profile_free(struct profile *p)
{
    for (size_t id = 0; id < KEY__MAX; id++) {
        const struct value_ops *ops = key_ops(&profile_keys[id]);
        if (ops && ops->free)
            ops->free(p, &profile_keys[id]);
    }
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

bool profile_equal(const struct profile *a, const struct profile *b)
{
    for (size_t id = 0; id < KEY__MAX; id++) {
        const struct value_ops *ops = key_ops(&profile_keys[id]);
        if (ops && !ops->equal(a, b, &profile_keys[id]))
            return false;
    }
    return true;
}

char *profile_effective_hostname(const struct profile *p)
{
    if (!p->ns[NS_UTS])
        return NULL;
    if (p->hostname)
        return xstrdup(p->hostname);
    /* A namespace joined by path has its host name already: only an explicit one replaces it. */
    if (!p->name || p->ns_path[NS_UTS])
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
