/* nftables: scripts through nft(8), and a chain looked up by netlink; see nft.h. */
#include "runtime/nft.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/nl.h"
#include "runtime/program.h"
#include "util/util.h"

int nft_apply(const char *script, struct congo_error *e)
{
    _cleanup_free_ char *nft = program_find("nft", "/usr/sbin:/sbin");
    if (!nft)
        return error_set(e, 0,
                         "nft(8) is not installed: network bridge needs it for its NAT and "
                         "published ports (apt-get install nftables)");
    const char *argv[] = {nft, "-f", "-", NULL};
    char out[1024];
    int status = program_run(argv, script, NULL, 0, out, sizeof(out));
    if (status < 0)
        return error_set(e, errno, "run nft");
    if (status == 0)
        return 0;
    /* nft's first line says what failed: "Error: Could not process rule: File exists". */
    char *nl = strchr(out, '\n');
    if (nl)
        *nl = '\0';
    return error_set(e, 0, "nft: %s", out[0] ? out : "failed");
}

bool nft_chain_exists(const char *table, const char *chain)
{
    struct nl nl;
    if (nl_open(&nl, NETLINK_NETFILTER) < 0)
        return false;
    char buf[NL_BUFSIZE];
    struct nlmsghdr *h =
        nl_request(&nl, buf, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETCHAIN, NLM_F_ACK);
    struct nfgenmsg *nfg = nl_extra(h, sizeof(*nfg));
    nfg->nfgen_family = NFPROTO_IPV4;
    nfg->version = NFNETLINK_V0;
    nl_put_str(h, NFTA_CHAIN_TABLE, table);
    nl_put_str(h, NFTA_CHAIN_NAME, chain);
    /* The chain comes back, then the acknowledgement; ENOENT when there is none. */
    bool found = nl_talk(&nl, h, NULL, NULL) == 0;
    nl_close(&nl);
    return found;
}
