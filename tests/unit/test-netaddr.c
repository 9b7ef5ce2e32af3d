/*
 * util/netaddr: the addresses, networks and published ports of the
 * network key, as the profile checks them and the engine uses them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/netaddr.h"

static void net_ok(const char *text, uint32_t addr, int prefix)
{
    struct ipv4_net n;
    char *why = NULL;
    assert_int_equal(ipv4_net_parse(text, &n, &why), 0);
    assert_null(why);
    assert_int_equal(n.addr, addr);
    assert_int_equal(n.prefix, prefix);
}

static void net_bad(const char *text, const char *want)
{
    struct ipv4_net n;
    char *why = NULL;
    assert_int_equal(ipv4_net_parse(text, &n, &why), -1);
    assert_non_null(why);
    if (!strstr(why, want))
        fail_msg("`%s`: message `%s` lacks `%s`", text, why, want);
    free(why);
}

static void test_networks(void **state)
{
    (void)state;
    net_ok("10.89.0.0/24", 0x0a590000, 24);
    net_ok("192.168.0.0/30", 0xc0a80000, 30);
    net_ok("10.0.0.0/8", 0x0a000000, 8);
    net_bad("10.89.0.1/24", "did you mean 10.89.0.0/24?");
    net_bad("10.89.0.0/31", "/8 to /30");
    net_bad("10.0.0.0/7", "/8 to /30");
    net_bad("10.89.0.0/33", "not a prefix length");
    net_bad("10.89.0.0/024", "not a prefix length");
    net_bad("10.89.0.0", "ADDRESS/PREFIX");
    net_bad("10.89.0/24", "not an IPv4 address");
    net_bad("010.89.0.0/24", "not an IPv4 address");
}

static void test_range(void **state)
{
    (void)state;
    struct ipv4_net n = {.addr = 0x0a590000, .prefix = 24};
    assert_int_equal(ipv4_net_gateway(&n), 0x0a590001);
    assert_int_equal(ipv4_net_first(&n), 0x0a590002);
    assert_int_equal(ipv4_net_last(&n), 0x0a5900fe);
    assert_true(ipv4_net_contains(&n, 0x0a5900ff));
    assert_false(ipv4_net_contains(&n, 0x0a590100));
    struct ipv4_net small = {.addr = 0x0a590900, .prefix = 30};
    /* A /30 holds one container: .2, between the gateway and broadcast. */
    assert_int_equal(ipv4_net_first(&small), ipv4_net_last(&small));
    char buf[16];
    assert_string_equal(ipv4_format(0xc0000201, buf), "192.0.2.1");
}

static void port_ok(const char *text, uint32_t host_addr, unsigned hp, unsigned cp, bool udp,
                    const char *back)
{
    struct port_map pm;
    char *why = NULL;
    assert_int_equal(port_map_parse(text, &pm, &why), 0);
    assert_int_equal(pm.host_addr, host_addr);
    assert_int_equal(pm.host_port, hp);
    assert_int_equal(pm.container_port, cp);
    assert_int_equal(pm.udp, udp);
    char *f = port_map_format(&pm);
    assert_string_equal(f, back);
    free(f);
}

static void port_bad(const char *text, const char *want)
{
    struct port_map pm;
    char *why = NULL;
    assert_int_equal(port_map_parse(text, &pm, &why), -1);
    if (!strstr(why, want))
        fail_msg("`%s`: message `%s` lacks `%s`", text, why, want);
    free(why);
}

static void test_ports(void **state)
{
    (void)state;
    port_ok("8080:80", 0, 8080, 80, false, "8080:80");
    port_ok("8080:80/tcp", 0, 8080, 80, false, "8080:80");
    port_ok("127.0.0.1:5353:53/udp", 0x7f000001, 5353, 53, true, "127.0.0.1:5353:53/udp");
    port_ok("65535:1", 0, 65535, 1, false, "65535:1");
    port_bad("80", "HOST_PORT:CONTAINER_PORT");
    port_bad("0:80", "host port `0`");
    port_bad("8080:65536", "container port `65536`");
    port_bad("8080:80/sctp", "/tcp or /udp");
    port_bad("0.0.0.0:8080:80", "leave the host address out");
    port_bad("localhost:8080:80", "not an IPv4 address");
    port_bad("-1:80", "host port `-1`");
}

static void test_clash(void **state)
{
    (void)state;
    struct port_map any = {0, 8080, 80, false}, lo = {0x7f000001, 8080, 81, false},
                    other = {0x0a000001, 8080, 82, false}, udp = {0, 8080, 80, true},
                    next = {0, 8081, 80, false};
    assert_true(port_map_clash(&any, &lo));
    assert_true(port_map_clash(&lo, &any));
    assert_false(port_map_clash(&lo, &other));
    assert_false(port_map_clash(&any, &udp));
    assert_false(port_map_clash(&any, &next));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_networks),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_clash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
