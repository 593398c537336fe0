#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Inside core/lib a status is 0 or a negative errno; 3.4.3's exit codes
# are errnos of base/exitcode.c's table, made back into codes only at
# the doors.  This fails on the old ways back:
#   - a function returning int that returns a positive literal
#     (`return 4;`, `return x ? 1 : 0;`);
#   - a status compared with a bare code (`r == 8`, `status != 77`,
#     `r > 0` for "dkms failed");
#   - a failure squashed into code 1 (`r < 0 ? 1 : r`).
# The first test plants each of these in a scratch file and expects the
# check to find them all, so the check itself is known to work.
. "$top_srcdir/tests/lib.sh"

plan 2
lib=$top_srcdir/core/lib

# status_code_uses FILE...: one line per offence, "file:line: text".
status_code_uses() {
	awk '
	FNR == 1 { in_int = 0 }
	# a definition starts at column 0 (a declaration ends with ";")
	/^[A-Za-z_].*\(/ && !/;[[:space:]]*$/ {
		in_int = $0 ~ /^(DKMS_EXPORT[[:space:]]+)?(static[[:space:]]+)?(inline[[:space:]]+)?int[[:space:]]/
	}
	/^}/ { in_int = 0 }
	{
		bad = 0
		if (in_int && $0 ~ /return[[:space:]]+[1-9][0-9]*[[:space:]]*;/)
			bad = 1
		# x ? 1 : 0 and x ? 0 : 1
		if (in_int && $0 ~ /return[^;]*\?[[:space:]]*[1-9][0-9]*[[:space:]]*:[[:space:]]*0[[:space:]]*;/)
			bad = 1
		if (in_int && $0 ~ /return[^;]*\?[[:space:]]*0[[:space:]]*:[[:space:]]*[1-9][0-9]*[[:space:]]*;/)
			bad = 1
		if ($0 ~ /(^|[^A-Za-z0-9_])(r|q|rc|ret|res|err|status|code)[[:space:]]*(==|!=)[[:space:]]*[1-9][0-9]*([^0-9]|$)/)
			bad = 1
		if ($0 ~ /(^|[^A-Za-z0-9_])(r|q|rc|ret|res|err)[[:space:]]*(>[[:space:]]*0|>=[[:space:]]*1)([^0-9]|$)/)
			bad = 1
		if ($0 ~ /<[[:space:]]*0[[:space:]]*\?[[:space:]]*1[[:space:]]*:/)
			bad = 1
		if (bad)
			print FILENAME ":" FNR ": " $0
	}' "$@"
}

scratch
cat >"$T/planted.c" <<'EOF'
static int returns_code(int x)
{
	if (x)
		return 4;
	return 0;
}

static int returns_choice(int x)
{
	return x ? 1 : 0;
}

static int compares(int r, int status)
{
	if (r == 8 || status != 77)
		return -1;
	if (r > 0)
		return -2;
	return r < 0 ? 1 : r;
}

static size_t not_a_status(void)
{
	return 80;
}
EOF
found=$(status_code_uses "$T/planted.c" | sed 's|^[^:]*:||; s|:.*||' | tr '\n' ' ')
is "4 10 15 17 19 " "$found" "the check finds every planted return and comparison of a positive code"

# base/exitcode.c is where return values become exit codes
is "" "$(cd "$lib" && status_code_uses $(ls */*.c | grep -v '^base/exitcode\.c$'))" \
	"no function under core/lib returns or compares a positive exit code"
