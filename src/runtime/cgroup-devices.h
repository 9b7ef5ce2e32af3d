/*
 * The device cgroup of a request that lists devices (plan.h, struct
 * plan_device): its allow list as rules, and on v2 the BPF program that
 * holds it.
 */
#pragma once

#include <linux/bpf.h>
#include <stddef.h>

#include "plan/plan.h"
#include "util/error.h"

/*
 * The request's allow list, each host node's type and numbers read now (a
 * node that is no longer one is left out), and when keys is not NULL the
 * key each came from ("devices" for congo's own). NULL and 0 for none.
 * Caller frees both.
 */
struct dev_rule *cgroup_device_rules(const struct cgroup_request *req, size_t *n,
                                     const char ***keys);

/*
 * The most instructions the program of n rules takes: 6 to read the
 * context, 8 a rule (its type, 3 for a partial access, its major and
 * minor, and the 2 that allow), 2 that deny.
 */
#define CGROUP_DEVICE_PROGRAM_MAX(n) (6 + 8 * (n) + 2)

/* The v2 program allowing those rules alone, into prog; its length. */
size_t cgroup_device_program(const struct dev_rule *rules, size_t n, struct bpf_insn *prog);

/* Load it and attach it to the cgroup's directory; nothing for a request without devices. */
int cgroup_device_attach(int cgroup_fd, const struct cgroup_request *req, struct congo_error *e);
