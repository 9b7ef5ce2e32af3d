/*
 * The container's network beyond `lo` (plan->net): a veth on a bridge of
 * the host with NAT out and published ports in, or pasta(1). In three
 * steps around the clone:
 *
 *   net_prepare   before it: the host ports held, the address leased, the
 *                 bridge and congo's nftables table made when missing, the
 *                 texts of /etc/resolv.conf and /etc/hosts composed
 *   net_attach    once the network namespace exists, while the child
 *                 assembles its root: the veth pair with the address and
 *                 default route inside, the port rules; or pasta started
 *   net_release   when the run ends: all of that undone but the bridge
 *
 * Leases live in STATE/net/BRIDGE/ADDRESS (STATE/net/pasta/PID for pasta),
 * naming the launcher ("PID STARTTIME") and what it added; under the
 * directory's lock, a run takes over the leases of launchers that died,
 * removing their links, rules and pasta, so nothing of a killed launcher
 * outlives the next run.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "util/error.h"

struct net {
    const struct plan_network *plan;
    char *lease;      /* this run's lease file; NULL: none */
    char owner[64];   /* its first line, "PID STARTTIME" */
    uint32_t address; /* bridge: the container's */
    int bridge_index; /* bridge: the bridge's; the veth's host end is cgINDEX.PID */
    int *port_fds;    /* the host ports held while the container runs */
    size_t n_port_fds;
    bool ports_added; /* the nftables elements of this run's ports may exist */
    int pasta_pidfd;  /* pasta: the daemon, killed by net_release; else -1 */
    pid_t launcher;   /* this run's launcher: the veth's name */
    pid_t maker;      /* net_start's process, until net_finish reaps it; else 0 */
    int maker_sock;   /* its answer comes here; else -1 */
    /* The container's /etc/resolv.conf and /etc/hosts; NULL: left as the root has them. */
    char *resolv, *hosts;
};

/* Before the clone. -1 with e filled. */
int net_prepare(const struct run_plan *plan, struct net *n, struct congo_error *e);

/*
 * netns: the container's network namespace; userns: its user namespace,
 * or -1 for the host's. -1 with e filled.
 */
int net_attach(struct net *n, int netns, int userns, struct congo_error *e);

/*
 * A bridge network without a user namespace: the namespace is made and
 * wired (net_attach's work) by a process of its own, from before the clone,
 * so that little of it delays the start. net_finish collects the
 * namespace's fd as soon as it is made (-1 with e filled), for the child
 * to join while the veth is added; net_wired waits until all of it is
 * done, which the child's command must (-1 with e filled).
 */
int net_start(struct net *n, struct congo_error *e);
int net_finish(struct net *n, struct congo_error *e);
int net_wired(struct net *n, struct congo_error *e);

/* Everything of this run undone; the bridge and the table stay. */
void net_release(struct net *n);
