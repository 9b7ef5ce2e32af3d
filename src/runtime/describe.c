/*
 * What a run's cgroup would be on this host, for --print-plan: the host's
 * layout, the directories and every file and value, as cgroup_make would
 * make and write them. Reads the host's mountinfo and cgroup files only;
 * needs no root and changes nothing.
 */
#include <stdio.h>
#include <unistd.h>

#include "runtime/cgroup-devices.h"
#include "runtime/cgroup.h"
#include "runtime/runtime.h"
#include "util/util.h"

static const char *const mode_names[] = {
    [CGROUP_V1] = "cgroup v1",
    [CGROUP_V2] = "cgroup v2",
    [CGROUP_HYBRID] = "cgroup v1, on a hybrid host",
};

char *runtime_describe_cgroup(const struct cgroup_request *req)
{
    struct strbuf sb = {0};
    static const struct cgroup_sources real = {
        .mountinfo = "/proc/self/mountinfo", .self_cgroup = "/proc/self/cgroup", .proc = "/proc"};
    struct congo_error e = {0};
    _cleanup_(cgroup_host_free) struct cgroup_host host = {0};
    if (cgroup_detect(&host, &real, &e) < 0) {
        strbuf_printf(&sb, "  on this host: cannot tell: %s\n", e.msg);
        error_clear(&e);
        return strbuf_steal(&sb);
    }
    /* The name a run gives it ends in the launcher's pid and start time: said, not shown. */
    _cleanup_free_ char *name = req->exact ? xstrdup(req->exact)
                                           : xasprintf("congo-%s-PID-STARTTIME",
                                                       req->name ? req->name : "congo");
    struct cgroup cg = {.v2_fd = -1};
    int planned = cgroup_plan_caller(&host, req, name, &cg, &e);
    if (planned < 0) {
        strbuf_printf(&sb, "  on this host (%s): a run fails: %s\n", mode_names[host.mode], e.msg);
        error_clear(&e);
        return strbuf_steal(&sb);
    }
    if (planned == 0) {
        strbuf_printf(&sb,
                      "  on this host (%s): none: no cgroup is this user's to write, and the "
                      "profile asks for no limit; the pid namespace still ends every process\n",
                      mode_names[host.mode]);
        return strbuf_steal(&sb);
    }
    strbuf_printf(&sb, "  on this host (%s):\n", mode_names[host.mode]);
    for (size_t i = 0; cg.paths && cg.paths[i]; i++)
        strbuf_printf(&sb, "    mkdir %s\n", cg.paths[i]);
    size_t n = cgroup_writes(&cg, req, NULL, 0);
    _cleanup_free_ struct cgroup_write *w = xcalloc(n ? n : 1, sizeof(*w));
    size_t filled = cgroup_writes(&cg, req, w, n);
    if (filled < n)
        n = filled;
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&sb, "    %s/%s = %s\n", w[i].dir, w[i].file, w[i].value);
    /* v2 has no device files: a program on the directory holds the same list. */
    if (req->n_devices && host.mode == CGROUP_V2) {
        size_t n_rules;
        _cleanup_free_ struct dev_rule *rules = cgroup_device_rules(req, &n_rules, NULL);
        strbuf_printf(&sb, "    %s: a device program (BPF) that denies all but",
                      cg.paths ? cg.paths[0] : "the cgroup");
        for (size_t i = 0; i < n_rules; i++) {
            _cleanup_free_ char *text = dev_rule_format(&rules[i]);
            strbuf_printf(&sb, "%s %s", i ? "," : "", text);
        }
        strbuf_putc(&sb, '\n');
    }
    /* Planned, never made: this frees it and removes nothing. */
    cgroup_destroy(&cg, &e);
    error_clear(&e);
    return strbuf_steal(&sb);
}
