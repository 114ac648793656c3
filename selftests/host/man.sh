#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The man pages render without a warning and cannot drift from the sources:
#   ovpnhactl.8  COMMANDS tags  == the command lines of `ovpnhactl help`
#                OPTIONS tags   == the options of `ovpnhactl help`
#                .SS objects    == the objects table of tools/ovpnhactl/cli.c
#   ovpnha.4     PARAMETERS     == module_param()s of kmod/*.c
#                STATISTICS     == the columns of /proc/net/stat/ovpnha, in
#                                  order (kmod/stats.c)
#                every command of enum ovpnha_cmd (uapi) is named
. "$(dirname "$0")/lib.sh"
need_tool
cd "$REPO"
m8=Documentation/man/ovpnhactl.8
m4=Documentation/man/ovpnha.4

command -v groff >/dev/null || skip "groff not installed (apt-get install groff-base)"

# 1. Rendering: groff with every warning, man-db's view and whatis parsing.
for page in $m8 $m4; do
	out=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	[ -z "$out" ] || fail "groff -ww $page: $out"
	if command -v man >/dev/null; then
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l -Tutf8 "$page" 2>&1 >/dev/null)
		[ -z "$out" ] || fail "man --warnings -l $page: $out"
		lines=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l)
		((lines > 50)) || fail "man -l $page rendered only $lines lines"
	fi
	if command -v lexgrog >/dev/null; then
		lexgrog "$page" >/dev/null || fail "lexgrog cannot parse the NAME section of $page"
	fi
	log "ok: $page renders without warnings"
done

# sections PAGE: the .SH headings
sections() { sed -n 's/^\.SH "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$1"; }
expect_eq "sections of ovpnhactl.8" "$(sections $m8 | tr '\n' ,)" \
	"NAME,SYNOPSIS,DESCRIPTION,OPTIONS,COMMANDS,EXIT STATUS,ENVIRONMENT,FILES,EXAMPLES,SEE ALSO,"
expect_eq "sections of ovpnha.4" "$(sections $m4 | tr '\n' ,)" \
	"NAME,SYNOPSIS,DESCRIPTION,PARAMETERS,GENERIC NETLINK,STATISTICS,NETWORK NAMESPACES,PERMISSIONS,FILES,EXAMPLES,SEE ALSO,"

# tags PAGE SECTION: the tag line of every .TP in SECTION, as plain text.
tags() {
	awk -v sec="$2" '
		/^\.SH / { s = substr($0, 5); gsub(/"/, "", s); insec = (s == sec); next }
		!insec { next }
		/^\.TP/ { want = 1; next }
		want { print; want = 0 }
	' "$1" | plain
}
plain() {
	sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\~/ /g' -e 's/\\&//g' \
		-e 's/^\.[A-Z][A-Z]* //' -e 's/"//g'
}

# keys OBJECTS: synopsis lines on stdin -> "object keyword..." up to the
# first argument (placeholders, optional groups); [--opt] is skipped and
# "a|b" kept as one word.  "x ... | x ..." is two synopses of object x.
keys() {
	awk -v objs="$1" '
	BEGIN { n = split(objs, o, " "); for (i = 1; i <= n; i++) isobj[o[i]] = 1 }
	{
		m = split($0, part, / \| /)
		for (p = 1; p <= m; p++) {
			nw = split(part[p], w, " ")
			if (!(w[1] in isobj)) {
				if (p == 1) { print "BAD: " $0; }
				continue
			}
			key = w[1]
			for (i = 2; i <= nw; i++) {
				if (w[i] ~ /^\[--?[a-z][a-z0-9-]*\]$/)
					continue
				if (w[i] !~ /^(--?)?[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)*$/)
					break
				key = key " " w[i]
			}
			print key
		}
	}'
}

# 2. Objects: the dispatch table of cli.c, the help, the .SS headings.
objects=$(sed -n '/objects\[\] = {/,/^};/s/^[[:space:]]*{ "\([a-z]*\)",.*/\1/p' tools/ovpnhactl/cli.c)
[ "$(wc -l <<<"$objects")" -ge 10 ] || fail "cannot read the objects table of cli.c: '$objects'"
ss=$(awk '/^\.SH /{ insec = ($2 == "COMMANDS") } insec && /^\.SS /{ print $2 }' $m8)
expect_same_set "objects" "cli.c" "$objects" "ovpnhactl.8 .SS" "$ss"

# 3. Commands: `ovpnhactl help` against the COMMANDS tags.
help=$("$OVPNHACTL" help)
help_cmds=$(awk '/^Objects and commands:$/ { s = 1; next } s && /^$/ { exit }
	s && /^  [a-z]/ { sub(/^  /, ""); print }' <<<"$help")
[ -n "$help_cmds" ] || fail "no command lines in the Objects and commands section of ovpnhactl help"
hk=$(keys "$objects" <<<"$help_cmds")
mk=$(tags $m8 COMMANDS | keys "$objects")
! grep -q '^BAD: ' <<<"$hk" || fail "help lines that start with no object: $(grep '^BAD: ' <<<"$hk")"
! grep -q '^BAD: ' <<<"$mk" || fail "ovpnhactl.8 tags that start with no object: $(grep '^BAD: ' <<<"$mk")"
expect_same_set "commands" "ovpnhactl help" "$hk" "ovpnhactl.8 COMMANDS" "$mk"
# every object's own help is part of the full help
for o in $objects; do
	oh=$("$OVPNHACTL" "$o" help | awk '/^  [a-z]/ { sub(/^  /, ""); print }' | keys "$objects")
	missing=$(comm -23 <(sort -u <<<"$oh") <(sort -u <<<"$hk"))
	[ -z "$missing" ] || fail "'ovpnhactl $o help' has commands the full help lacks: $missing"
done
log "ok: every object's help is in the full help"

# 4. Options.
opt_names() { grep -oE '(^|[ ,])--?[A-Za-z][a-z-]*' | tr -d ' ,'; }
ho=$(awk '/^Options:$/ { s = 1; next } s && /^$/ { exit }
	s && /^  -/ { sub(/^  /, ""); sub(/   .*/, ""); print }' <<<"$help" | opt_names)
mo=$(tags $m8 OPTIONS | opt_names)
expect_same_set "options" "ovpnhactl help" "$ho" "ovpnhactl.8 OPTIONS" "$mo"

# 5. Module parameters.
params=$(sed -n 's/^module_param\(_named\)\{0,1\}(\([a-z_0-9]*\),.*/\2/p' kmod/*.c)
descs=$(sed -n 's/^MODULE_PARM_DESC(\([a-z_0-9]*\),.*/\1/p' kmod/*.c)
expect_same_set "parameter descriptions" "module_param" "$params" "MODULE_PARM_DESC" "$descs"
mp=$(tags $m4 PARAMETERS | sed 's/=.*//')
expect_same_set "module parameters" "kmod/*.c" "$params" "ovpnha.4 PARAMETERS" "$mp"

# 6. /proc/net/stat/ovpnha columns, in order: the gauges printed first,
# then the counter names of kmod/stats.c.
gauges=$(sed -n 's/^[[:space:]]*seq_puts(seq, "\([a-z_ ]*\)");$/\1/p' kmod/stats.c | tr ' ' '\n')
counters=$(sed -n 's/^[[:space:]]*\[OVPNHA_STAT_[A-Z0-9_]*\][[:space:]]*= "\([a-z0-9_]*\)",$/\1/p' kmod/stats.c)
nenum=$(sed -n '/^enum ovpnha_stat {/,/^};/p' uapi/linux/ovpnha.h | grep -cE '^[[:space:]]+OVPNHA_STAT_[A-Z0-9_]+,')
expect_eq "counter names in kmod/stats.c" "$(wc -l <<<"$counters")" "$nenum"
columns=$(printf '%s\n%s\n' "$gauges" "$counters")
expect_eq "/proc/net/stat/ovpnha columns in ovpnha.4, in order" \
	"$(tags $m4 STATISTICS | tr '\n' ' ')" "$(tr '\n' ' ' <<<"$columns")"

# 7. Generic netlink: every command is named, and nothing else is.
cmds=$(sed -n '/^enum ovpnha_cmd {/,/^};/s/^[[:space:]]*\(OVPNHA_CMD_[A-Z0-9_]*\),.*/\1/p' uapi/linux/ovpnha.h |
	grep -v '^OVPNHA_CMD_UNSPEC$')
named=$(grep -oE 'OVPNHA_CMD_[A-Z0-9_]+' $m4)
expect_same_set "netlink commands" "uapi enum ovpnha_cmd" "$cmds" "ovpnha.4" "$named"
grep -q "^(version $(sed -n 's/^#define OVPNHA_FAMILY_VERSION[[:space:]]*\([0-9]*\)$/\1/p' uapi/linux/ovpnha.h);" $m4 ||
	fail "ovpnha.4 does not give the family version of uapi/linux/ovpnha.h"
log "ok: ovpnha.4 names the family version"
