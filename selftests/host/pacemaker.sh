#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# contrib/pacemaker/ovpnha, the OCF resource agent: meta-data that matches
# the script, and every action's exit code and effect, against stand-ins
# for ovpnhactl (role kept in a file), modprobe and crm_attribute.
. "$(dirname "$0")/lib.sh"
cd "$REPO"
ra=$REPO/contrib/pacemaker/ovpnha
v=$(cat VERSION)

sh -n "$ra" || fail "sh -n $ra"
[ -x "$ra" ] || fail "$ra is not executable"
command -v xmllint >/dev/null || skip "xmllint not installed (apt-get install libxml2-utils)"

# 1. meta-data
md=$("$ra" meta-data) || fail "meta-data exited with status $?"
xmllint --noout - <<<"$md" || fail "meta-data is not well-formed XML"
xp() { xmllint --xpath "$1" - <<<"$md" 2>/dev/null; }
expect_eq "agent name" "$(xp 'string(/resource-agent/@name)')" ovpnha
expect_eq "agent version" "$(xp 'string(/resource-agent/@version)')" "$v"
expect_eq "OCF API version" "$(xp 'string(/resource-agent/version)')" 1.1
actions=$(xp '/resource-agent/actions/action/@name' | sed 's/^ *name="\(.*\)"$/\1/' | sort -u | tr '\n' ' ')
expect_eq "actions" "$actions" "demote meta-data monitor notify promote start stop validate-all "
expect_eq "monitor roles" \
	"$(xp '/resource-agent/actions/action[@name="monitor"]/@role' | sed 's/^ *role="\(.*\)"$/\1/' | sort | tr '\n' ' ')" \
	"Promoted Unpromoted "
ivals=$(xp '/resource-agent/actions/action[@name="monitor"]/@interval' | sed 's/^ *interval="\(.*\)"$/\1/' | sort -u | wc -l)
expect_eq "distinct monitor intervals" "$ivals" 2
params=$(xp '/resource-agent/parameters/parameter/@name' | sed 's/^ *name="\(.*\)"$/\1/')
used=$(grep -o 'OCF_RESKEY_[a-z_]*' "$ra" | sed 's/^OCF_RESKEY_//' | sort -u)
expect_same_set "parameters" "meta-data" "$params" "the script" "$used"
for p in $params; do
	d=$(xp "string(/resource-agent/parameters/parameter[@name='$p']/content/@default)")
	s=$(sed -n "s/^: \"\${OCF_RESKEY_$p:=\(.*\)}\"$/\1/p" "$ra")
	expect_eq "default of $p" "$d" "$s"
done

# 2. actions against stand-ins
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
st=$tmp/state
mkdir -p "$tmp/bin" "$st" "$tmp/sys"
cat >"$tmp/bin/ovpnhactl" <<EOF2
#!/bin/sh
echo "\$*" >>"$st/calls"
[ -e "$st/fail" ] && { echo "Error: no answer" >&2; exit 1; }
[ "\$1" = -n ] && shift 2
case "\$*" in
"-j role") printf '{"role":"%s","epoch":7,"reason":"set by role master"}\n' "\$(cat "$st/role")" ;;
"role master" | "role backup" | "role fault") echo "\$2" >"$st/role" ;;
"sync status -c "*) exit "\$(cat "$st/sync_rc")" ;;
*) echo "stub: unexpected arguments: \$*" >&2; exit 2 ;;
esac
EOF2
cat >"$tmp/bin/modprobe" <<EOF2
#!/bin/sh
[ "\$*" = ovpnha ] || exit 1
echo "\$*" >>"$st/modprobe"
mkdir -p "$tmp/sys/module/ovpnha"
echo none >"$st/role"
EOF2
cat >"$tmp/bin/crm_attribute" <<EOF2
#!/bin/sh
if [ "\$1" = --help ]; then echo "  -p, --promotion   promotion score"; exit 0; fi
echo "\$*" >"$st/score"
EOF2
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/logger"
chmod +x "$tmp/bin/"*
echo 0 >"$st/sync_rc"

# run ACTION [NAME=VALUE...]: the agent's exit status
run() {
	local action=$1 rc=0
	shift
	env PATH="$tmp/bin:$PATH" OVPNHA_OCF_SYSFS="$tmp/sys" \
		OCF_RESKEY_sync_config="$tmp/sync.conf" "$@" "$ra" "$action" \
		>"$tmp/out" 2>&1 || rc=$?
	echo $rc
}
role() { cat "$st/role"; }
score() { cat "$st/score" 2>/dev/null; }

expect_eq "monitor, module not loaded" "$(run monitor)" 7
expect_eq "stop, module not loaded" "$(run stop)" 0
expect_eq "validate-all" "$(run validate-all)" 0
expect_eq "validate-all, no ovpnhactl" "$(run validate-all OCF_RESKEY_ovpnhactl=/nonexistent)" 5
expect_eq "validate-all, check_sync=maybe" "$(run validate-all OCF_RESKEY_check_sync=maybe)" 6
expect_eq "validate-all, promote_score=high" "$(run validate-all OCF_RESKEY_promote_score=high)" 6
expect_eq "validate-all, netns missing" "$(run validate-all OCF_RESKEY_netns=nonexistent-ns)" 6
expect_eq "monitor, bad configuration, module absent" "$(run monitor OCF_RESKEY_check_sync=maybe)" 7
expect_eq "no action" "$(run '')" 2
expect_eq "unknown action" "$(run migrate_to)" 3
expect_eq "promote before start" "$(run promote)" 1

expect_eq "start" "$(run start)" 0
expect_eq "modprobe runs" "$(cat "$st/modprobe")" ovpnha
expect_eq "role after start" "$(role)" backup
expect_eq "promotion score after start" "$(score)" "--promotion -v 100"
expect_eq "monitor, backup" "$(run monitor)" 0
expect_eq "start again" "$(run start)" 0
expect_eq "promote" "$(run promote)" 0
expect_eq "role after promote" "$(role)" master
expect_eq "monitor, master" "$(run monitor)" 8
expect_eq "promote again" "$(run promote)" 0
expect_eq "demote" "$(run demote)" 0
expect_eq "role after demote" "$(role)" backup
expect_eq "demote again" "$(run demote)" 0

# replication state lowers a backup's score
: >"$tmp/sync.conf"
echo 3 >"$st/sync_rc"
expect_eq "monitor, backup out of sync" "$(run monitor)" 0
expect_eq "score out of sync" "$(score)" "--promotion -v 10"
echo 1 >"$st/sync_rc"
run monitor OCF_RESKEY_unsynced_score=2 >/dev/null
expect_eq "score, daemon unreachable" "$(score)" "--promotion -v 2"
run monitor OCF_RESKEY_check_sync=false >/dev/null
expect_eq "score, sync not checked" "$(score)" "--promotion -v 100"
echo 0 >"$st/sync_rc"
run monitor >/dev/null
expect_eq "score in sync" "$(score)" "--promotion -v 100"
rm "$tmp/sync.conf"
echo 3 >"$st/sync_rc"
run monitor >/dev/null
expect_eq "score, no sync.conf (auto)" "$(score)" "--promotion -v 100"
run monitor OCF_RESKEY_check_sync=true >/dev/null
expect_eq "score, check_sync=true without sync.conf" "$(score)" "--promotion -v 10"
echo 0 >"$st/sync_rc"
# a master keeps its score whatever the replication says
run promote >/dev/null
echo 3 >"$st/sync_rc"
expect_eq "monitor, master out of sync" "$(run monitor OCF_RESKEY_check_sync=true)" 8
expect_eq "master's score" "$(score)" "--promotion -v 100"
echo 0 >"$st/sync_rc"

# a master that pacemaker starts (e.g. after a probe) becomes backup
expect_eq "start while master" "$(run start)" 0
expect_eq "role after start while master" "$(role)" backup

expect_eq "stop" "$(run stop)" 0
expect_eq "role after stop" "$(role)" fault
expect_eq "score after stop" "$(score)" "--promotion -D"
expect_eq "monitor, fault" "$(run monitor)" 7
expect_eq "stop again" "$(run stop)" 0
expect_eq "start from fault" "$(run start)" 0
expect_eq "modprobe only once" "$(wc -l <"$st/modprobe")" 1

# the tool failing while the module is loaded is an error, not "stopped"
touch "$st/fail"
expect_eq "monitor, ovpnhactl fails" "$(run monitor)" 1
expect_eq "stop, ovpnhactl fails" "$(run stop)" 1
rm "$st/fail"

# netns is passed to every ovpnhactl call
: >"$tmp/ns"
: >"$st/calls"
expect_eq "promote in a netns" "$(run promote OCF_RESKEY_netns="$tmp/ns")" 0
expect_eq "ovpnhactl calls in the netns" "$(sort -u "$st/calls" | tr '\n' ';')" \
	"-n $tmp/ns -j role;-n $tmp/ns role master;"
