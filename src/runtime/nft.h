/*
 * congo's nftables table, `ip congo`: the masquerade of each bridge's
 * subnet and the published ports. Rulesets are applied by nft(8) reading
 * one script (`nft -f -`), which the kernel takes as one transaction: all
 * of it or none. congo links no GPL library (libnftables is GPL-2), so the
 * program is run; a run without published ports on a bridge already set
 * up runs it not at all, checking for the bridge's chain by netlink.
 */
#pragma once

#include <stdbool.h>

#include "util/error.h"

/* Apply script; nft's own message in e on failure. */
int nft_apply(const char *script, struct congo_error *e);

/* Does table ip TABLE hold chain CHAIN? false on any doubt. */
bool nft_chain_exists(const char *table, const char *chain);
