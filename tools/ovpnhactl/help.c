// SPDX-License-Identifier: GPL-2.0
/* Help texts. */
#include "diag.h"
#include "ovpnhactl.h"
#include "role.h"

static const char peer_text[] =
"  peer add cn CN [remote ADDR] [port PORT] [proto udp|tcp] [vpn-ip A.B.C.D]\n"
"           [vpn-ip6 X:Y::Z] [id ID] [origin NODE] [created UNIX_NS]\n"
"           [rx-bytes N] [tx-bytes N]\n"
"        Add a peer (a connected OpenVPN client or gateway) and print its\n"
"        id (\"id N\"; with -j the new peer).  Without id the kernel picks one\n"
"        from this node's block, (node-id << 24) | n.  ADDR is IPv4 or IPv6,\n"
"        also as A.B.C.D:PORT or [X:Y::Z]:PORT.  origin and created let a\n"
"        replica keep the node and time the peer first connected.\n"
"  peer set id ID [cn CN] [remote ADDR] [port PORT] [proto udp|tcp]\n"
"           [vpn-ip A.B.C.D] [vpn-ip6 X:Y::Z] [rx-bytes N] [tx-bytes N]\n"
"        Change the given fields of peer ID.\n"
"  peer del id ID\n"
"        Delete peer ID with its iroutes.\n"
"  peer del cn CN\n"
"        Delete every peer whose common name is CN (duplicate-cn).\n"
"  peer show [id ID | cn CN]\n"
"        List all peers, peer ID, or the peers named CN, one per line, with\n"
"        their iroutes.  \"peer\" alone means \"peer show\".\n"
"  peer flush\n"
"        Delete every peer and iroute of this network namespace.\n";

static const char iroute_text[] =
"  iroute add PREFIX peer ID\n"
"        Route PREFIX (IPv4 or IPv6 with /LEN; a bare address is /32 or\n"
"        /128) to peer ID, like OpenVPN's iroute/iroute-ipv6.\n"
"  iroute del PREFIX [peer ID]\n"
"        Remove PREFIX; with peer, only if peer ID owns it.\n"
"  iroute show [peer ID]\n"
"        List all iroutes, or those of peer ID (\"iroute\" alone too).\n"
"  iroute get ADDRESS\n"
"        Longest-prefix match of ADDRESS over iroutes and virtual\n"
"        addresses: the prefix and its peer.  Exit status 2 and \"no match\n"
"        for ADDRESS\" if nothing covers it.\n";

static const char stats_text[] =
"  stats [--watch [SECONDS]] [--count N] [--sync-socket PATH]\n"
"        The module's counters (summed over CPUs) beside the summed\n"
"        per-CPU counters of /proc/net/stat/nf_conntrack (insert_failed,\n"
"        drop, early_drop, clashres, ... as the kernel names them).  With\n"
"        -j one object: {\"ovpnha\": {...}, \"nf_conntrack\": {...} or null}.\n"
"        --watch (-w) redraws every SECONDS (default 1, decimals allowed)\n"
"        with each counter's rate per second; with -j it prints one object\n"
"        per line, adding \"rates\".  --count (-c) stops after N updates.\n"
"        When the replication daemon runs (its status socket: PATH, or\n"
"        that of /etc/ovpnha/sync.conf) its counters follow (\"sync\").\n"
"  stats --per-cpu\n"
"        The same counters CPU by CPU (/proc/net/stat/ovpnha and\n"
"        nf_conntrack's lines), like lnstat; -j: one object per CPU.\n"
"  stats peer CN\n"
"        The drops of the peer(s) named CN by ovpnha reason (DNS clashes,\n"
"        missing iroute, ...) and, with drop-trace on, the kernel's drops\n"
"        of their traffic by skb drop reason (NETFILTER_DROP, NO_SOCKET...).\n"
"  stats --prometheus\n"
"        All counters and per-peer drops in the Prometheus text format,\n"
"        for node_exporter's textfile collector.\n";

static const char info_text[] =
"  info\n"
"        Module version, node id, table sizes and limits, event sequence\n"
"        number and the module-wide object counters.\n";

static const char config_text[] =
"  config set node-id N\n"
"        Set this node's id (1..255); it selects the block of peer ids the\n"
"        kernel allocates from and is the origin of new peers.\n"
"  config set enforce on|off\n"
"        on: packets routed into a tunnel device that no peer covers are\n"
"        dropped and answered with ICMP destination unreachable (default\n"
"        off: counted and logged only).\n";

static const char head_text[] =
"Usage: ovpnhactl [OPTIONS] OBJECT COMMAND [ARGUMENTS]\n"
"       ovpnhactl OBJECT help\n"
"       ovpnhactl help | --version\n"
"\n"
"Control the ovpnha kernel module: the peers and iroutes of a highly\n"
"available OpenVPN gateway, and its statistics.\n"
"\n"
"Options:\n"
"  -j, --json          JSON output: an array of objects, like ip -j\n"
"  -p, --pretty        indent the JSON output\n"
"  -n, --netns NAME    act in network namespace NAME (/run/netns/NAME,\n"
"                      or a path), like ip -n\n"
"  -b, --batch FILE    run the commands of FILE (one per line, # comments,\n"
"                      \"quoted\" words; - is stdin) over one netlink\n"
"                      socket, like ip -batch; stop at the first failure\n"
"  -f, --force         with -b: go on after a failed line (exit status is\n"
"                      that of the last failure)\n"
"  -e, --epoch N       send every write as a write replicated from a node\n"
"                      at cluster epoch N (what the sync daemon does;\n"
"                      for tests and repairs)\n"
"  -V, --version       print the version and exit\n"
"  -h, --help          print this help and exit\n"
"\n"
"Objects and commands:\n";

static const char tail_text[] =
"\n"
"IDs, ports and counters are decimal.  PREFIX lengths are taken as any\n"
"number 0..255 and checked by the kernel, which explains what it refuses.\n"
"\n"
"Examples:\n"
"  ovpnhactl peer add cn alice remote 192.0.2.10 port 1194 vpn-ip 10.8.0.2\n"
"  ovpnhactl iroute add 10.1.0.0/24 peer 16777217\n"
"  ovpnhactl iroute get 10.1.0.7        which peer gets this address?\n"
"  ovpnhactl -j peer show cn alice | jq '.[].id'\n"
"  ovpnhactl -n blue stats --watch      rates in network namespace blue\n"
"\n"
"Exit status:\n"
"  0  success\n"
"  1  the kernel refused the request (\"Error: <reason>\"), the module is\n"
"     not loaded, or a system call failed\n"
"  2  usage error, or \"iroute get\" found no match\n";

void help_peer(FILE *f)
{
	fputs("Usage:\n", f);
	fputs(peer_text, f);
}

void help_iroute(FILE *f)
{
	fputs("Usage:\n", f);
	fputs(iroute_text, f);
}

void help_stats(FILE *f)
{
	fputs("Usage:\n", f);
	fputs(stats_text, f);
}

void help_info(FILE *f)
{
	fputs("Usage:\n", f);
	fputs(info_text, f);
}

void help_config(FILE *f)
{
	fputs("Usage:\n", f);
	fputs(config_text, f);
}

void help_full(FILE *f)
{
	fputs(head_text, f);
	fputs(peer_text, f);
	fputs(iroute_text, f);
	fputs(stats_text, f);
	fputs(info_text, f);
	fputs(config_text, f);
	fputs(help_tunnel_text, f);
	fputs(help_openvpn_text, f);
	help_dnsguard(f);
	help_monitor(f);
	help_sync(f);
	fputs(help_role_text, f);
	fputs(help_vip_text, f);
	fputs(help_flow_text, f);
	fputs(help_switchover_text, f);
	fputs(tail_text, f);
}
