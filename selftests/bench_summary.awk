# SPDX-License-Identifier: GPL-2.0
# Summary rows of the benchmark report:
#   awk -f selftests/bench_summary.awk RESULTS TARGETS
# RESULTS: KEY=VALUE lines; TARGETS: selftests/bench_targets.
function num(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
function subst(s,   k, out) {
	out = ""
	while (match(s, /\{[a-z0-9_.]+\}/)) {
		k = substr(s, RSTART + 1, RLENGTH - 2)
		out = out substr(s, 1, RSTART - 1) ((k in R) ? R[k] : "?")
		s = substr(s, RSTART + RLENGTH)
	}
	return out s
}
# holds(VALUE, BASE, CONDITION): 1 met, 0 not met, -1 undecidable
function holds(v, b, c,   op, lim) {
	if (c ~ /^=[^=]/)
		return v == substr(c, 2)
	match(c, /^(<=|>=|==|<|>)/)
	op = substr(c, 1, RLENGTH); lim = substr(c, RLENGTH + 1)
	if (lim == "base") lim = b
	if (!num(v) || !num(lim)) return -1
	v += 0; lim += 0
	if (op == "<=") return v <= lim
	if (op == ">=") return v >= lim
	if (op == "==") return v == lim
	if (op == "<") return v < lim
	return v > lim
}
FILENAME == ARGV[1] { i = index($0, "="); if (i > 1) R[substr($0, 1, i - 1)] = substr($0, i + 1); next }
/^#/ || /^[ \t]*$/ { next }
{
	n = split($0, f, / \| /)
	if (n != 7) { printf "bench_targets:%d: %d fields, want 7\n", FNR, n > "/dev/stderr"; bad = 1; next }
	v = (f[4] in R) ? R[f[4]] : ""
	b = (f[5] != "-" && (f[5] in R)) ? R[f[5]] : (f[5] == "-" ? "-" : "not run")
	ratio = (num(v) && num(b) && b + 0 != 0) ? sprintf("%.2f", v / b) : "-"
	if (v == "") {
		v = "not run"; met = "-"
	} else {
		met = "met"
		nc = split(f[6], c, / /)
		for (j = 1; j <= nc; j++) {
			h = holds(v, b, c[j])
			if (h < 0) { met = "-"; break }
			if (!h) met = "not met"
		}
	}
	printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], subst(f[2]), f[3], v, b, ratio, f[7], met
}
END { exit bad }
