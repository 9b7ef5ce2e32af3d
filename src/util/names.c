/*
 * The kernel's names for capabilities, resource limits and namespace
 * types, as profiles and messages write them: NET_ADMIN, nofile, net.
 */
#include "names.h"

#include <ctype.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "units.h"
#include "util.h"

int capability_last(void)
{
    /* libcap's own list: what this build can name, whatever the running kernel. */
    return CAP_LAST_CAP;
}

int capability_from_name(const char *name)
{
    _cleanup_free_ char *lower = xasprintf("%s%s", strncasecmp(name, "cap_", 4) ? "cap_" : "",
                                           name);
    for (char *c = lower; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    cap_value_t v;
    if (cap_from_name(lower, &v) < 0 || v > CAP_LAST_CAP)
        return -1;
    /* cap_from_name also takes numbers; profiles use names. */
    if (all_digits(name))
        return -1;
    return (int)v;
}

char *capability_name(int cap)
{
    char *n = cap_to_name((cap_value_t)cap);
    _cleanup_free_ char *copy = xstrdup(n && strncmp(n, "cap_", 4) == 0 ? n + 4 : n ? n : "?");
    cap_free(n);
    for (char *c = copy; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    return steal_pointer(&copy);
}

char *capability_list(uint64_t set)
{
    struct strbuf sb = {0};
    for (int c = 0; c < 64; c++) {
        if (!(set & (UINT64_C(1) << c)))
            continue;
        _cleanup_free_ char *name = capability_name(c);
        strbuf_printf(&sb, "%s%s", sb.len ? ", " : "", name);
    }
    return strbuf_steal(&sb);
}

static const struct {
    const char *name;
    int resource;
} rlimit_table[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},       {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},       {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

int rlimit_from_name(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(rlimit_table); i++)
        if (strcmp(rlimit_table[i].name, name) == 0)
            return rlimit_table[i].resource;
    return -1;
}

const char *rlimit_name(int resource)
{
    for (size_t i = 0; i < ARRAY_SIZE(rlimit_table); i++)
        if (rlimit_table[i].resource == resource)
            return rlimit_table[i].name;
    return "?";
}
size_t rlimit_count(void)
{
    return ARRAY_SIZE(rlimit_table);
}

const char *rlimit_name_at(size_t i)
{
    return i < ARRAY_SIZE(rlimit_table) ? rlimit_table[i].name : NULL;
}

static const struct {
    const char *word;
    unsigned long flag;
    bool set;
} mount_flags[] = {
    {"ro", MS_RDONLY, true},          {"rw", MS_RDONLY, false},
    {"nosuid", MS_NOSUID, true},      {"suid", MS_NOSUID, false},
    {"nodev", MS_NODEV, true},        {"dev", MS_NODEV, false},
    {"noexec", MS_NOEXEC, true},      {"exec", MS_NOEXEC, false},
    {"noatime", MS_NOATIME, true},    {"atime", MS_NOATIME, false},
    {"nodiratime", MS_NODIRATIME, true}, {"diratime", MS_NODIRATIME, false},
    {"relatime", MS_RELATIME, true},  {"norelatime", MS_RELATIME, false},
    {"strictatime", MS_STRICTATIME, true}, {"nostrictatime", MS_STRICTATIME, false},
};

const char *mount_flag_word_at(size_t i)
{
    return i < ARRAY_SIZE(mount_flags) ? mount_flags[i].word : NULL;
}

bool mount_flag_word(const char *word, size_t len, unsigned long *flag, bool *set)
{
    for (size_t i = 0; i < ARRAY_SIZE(mount_flags); i++)
        if (strlen(mount_flags[i].word) == len && strncmp(word, mount_flags[i].word, len) == 0) {
            *flag = mount_flags[i].flag;
            *set = mount_flags[i].set;
            return true;
        }
    return false;
}

unsigned long mount_flags_take(char *options, unsigned long mask, unsigned long *named_set,
                               unsigned long *named_clear)
{
    unsigned long last = 0, set_by = 0, cleared_by = 0;
    char *out = options;
    for (const char *w = options; *w;) {
        const char *end = strchrnul(w, ',');
        size_t len = (size_t)(end - w);
        unsigned long flag;
        bool set;
        if (mount_flag_word(w, len, &flag, &set) && (flag & mask)) {
            last = set ? last | flag : last & ~flag;
            *(set ? &set_by : &cleared_by) |= flag;
        } else {
            if (out != options)
                *out++ = ',';
            memmove(out, w, len);
            out += len;
        }
        w = *end ? end + 1 : end;
    }
    *out = '\0';
    if (named_set)
        *named_set = set_by;
    if (named_clear)
        *named_clear = cleared_by;
    return last;
}

int signal_from_name(const char *s)
{
    if (all_digits(s)) {
        uint64_t v;
        return parse_uint(s, SIGRTMAX, &v) == 0 && v > 0 ? (int)v : -1;
    }
    const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
    for (int sig = 1; sig < NSIG; sig++) {
        const char *abbrev = sigabbrev_np(sig);
        if (abbrev && strcasecmp(abbrev, name) == 0)
            return sig;
    }
    return -1;
}

const char *namespace_name(unsigned long clone_flag)
{
    static const struct {
        unsigned long flag;
        const char *name;
    } names[] = {
        {CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWIPC, "ipc"}, {CLONE_NEWNS, "mount"},
        {CLONE_NEWNET, "net"},       {CLONE_NEWPID, "pid"}, {CLONE_NEWUTS, "uts"},
        {CLONE_NEWUSER, "user"},     {CLONE_NEWTIME, "time"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (names[i].flag == clone_flag)
            return names[i].name;
    return "?";
}

const char *const hook_stage_names[HOOK__MAX] = {
    [HOOK_PRESTART] = "prestart",
    [HOOK_CREATE_RUNTIME] = "create_runtime",
    [HOOK_CREATE_CONTAINER] = "create_container",
    [HOOK_START_CONTAINER] = "start_container",
    [HOOK_POSTSTART] = "poststart",
    [HOOK_POSTSTOP] = "poststop",
};

const char *const hook_stage_oci_names[HOOK__MAX] = {
    [HOOK_PRESTART] = "prestart",
    [HOOK_CREATE_RUNTIME] = "createRuntime",
    [HOOK_CREATE_CONTAINER] = "createContainer",
    [HOOK_START_CONTAINER] = "startContainer",
    [HOOK_POSTSTART] = "poststart",
    [HOOK_POSTSTOP] = "poststop",
};
