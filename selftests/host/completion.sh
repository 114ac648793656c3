#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# contrib/bash-completion/ovpnhactl, sourced into this shell, completes
# command lines given as COMP_WORDS/COMP_CWORD.  The objects and commands
# come from `ovpnhactl help` at completion time (a command the help gains is
# offered at once), peer names and ids from `ovpnhactl -j peer show`.
. "$(dirname "$0")/lib.sh"
need_tool
set +u		# completion functions run in the user's shell, not under -u

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A stand-in for ovpnhactl: the real help (plus, when asked, one more
# object), and a peer table without a kernel module.
cat >"$tmp/ovpnhactl" <<STUB
#!/bin/bash
if [ "\$*" = help ]; then
	"$OVPNHACTL" help | if [ -e "$tmp/extra" ]; then
		sed '/^Objects and commands:\$/r $tmp/extra'
	else
		cat
	fi
	exit
fi
case "\$*" in
"-j peer show") echo '[{"id":16777217,"cn":"alice","remote":"192.0.2.1"},{"id":16777218,"cn":"bob"}]' ;;
"-n blue -j peer show") echo '[{"id": 33554433, "cn": "carol"}]' ;;
*) exec "$OVPNHACTL" "\$@" ;;
esac
STUB
chmod +x "$tmp/ovpnhactl"
prog=$tmp/ovpnhactl

. "$REPO/contrib/bash-completion/ovpnhactl"
expect_eq "registered" "$(complete -p ovpnhactl)" "complete -F _ovpnhactl ovpnhactl"

# comp WORD... : the completions of the last word, sorted, one line
comp() {
	COMP_WORDS=("$prog" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_ovpnhactl
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}
# check WANT WORD...
check() {
	local want=$1
	shift
	expect_eq "ovpnhactl $* <TAB>" "$(comp "$@")" "$want"
}

objects=$(sed -n '/objects\[\] = {/,/^};/s/^[[:space:]]*{ "\([a-z]*\)",.*/\1/p' "$REPO/tools/ovpnhactl/cli.c")
check "$(printf '%s\nhelp\n' "$objects" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" ""
check "peer" pe
check "add del flush help set show" peer ""
check "del" peer d
check "cn id" peer del ""
check "created id origin port proto remote rx-bytes tx-bytes vpn-ip vpn-ip6" peer add cn x ""
check "port proto remote rx-bytes tx-bytes vpn-ip vpn-ip6" peer add cn x created 1 id 2 origin 3 ""
check "tcp udp" peer add cn x proto ""
check "" peer show id 5 ""
check "dns-guard drop-trace enforce node-id" config set ""
check "off on" config set enforce ""
check "--strict client-connect client-disconnect help learn-address" openvpn ""
check "add delete update" openvpn --strict learn-address ""
check "peer" iroute add 10.0.0.0/8 ""
# stats: its subcommand, and every --option its synopses name
stats_opts=$("$OVPNHACTL" help | grep '^  stats' | grep -oE -- '--[a-z][a-z-]*' | LC_ALL=C sort -u | tr '\n' ' ')
check "${stats_opts}help peer" stats ""
check "-j" sync status -s /run/x ""
check "--json" --js
check "--netns" --ne

# values from the peer table (and the -n namespace is passed on)
check "alice bob" peer del cn ""
check "alice" stats peer a
check "16777217 16777218" iroute add 10.0.0.0/8 peer ""
check "16777217 16777218" peer set id ""
check "carol" -n blue peer del cn ""
check "" peer add cn ""		# a new name: nothing to offer
check "$(LC_ALL=C ls /sys/class/net | tr '\n' ' ' | sed 's/ $//')" tunnel add dev ""

# an object the tool gains is completed without touching the script
printf '  frob poke NAME [loud on|off]\n        Poke NAME.\n' >"$tmp/extra"
check "$(printf '%s\nfrob\nhelp\n' "$objects" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" ""
check "help poke" frob ""
check "loud" frob poke x ""
check "off on" frob poke x loud ""
