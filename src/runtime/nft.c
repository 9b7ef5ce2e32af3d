/* nftables: scripts through nft(8), and a chain looked up by netlink; see nft.h. */
#include "runtime/nft.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
    struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
    if (!nl)
        return false;
    bool found = false;
    char buf[MNL_SOCKET_BUFFER_SIZE];
    if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
        goto out;
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETCHAIN;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    nlh->nlmsg_seq = (unsigned)time(NULL);
    struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
    nfg->nfgen_family = NFPROTO_IPV4;
    nfg->version = NFNETLINK_V0;
    mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, table);
    mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, chain);
    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
        goto out;
    unsigned seq = nlh->nlmsg_seq, portid = mnl_socket_get_portid(nl);
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
        if (n <= 0)
            break;
        int ret = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
        if (ret < 0)
            break;
        /* The chain came back (a data message, then the ack): it is there. */
        found = true;
        if (ret == MNL_CB_STOP)
            break;
    }
out:
    mnl_socket_close(nl);
    return found;
}
