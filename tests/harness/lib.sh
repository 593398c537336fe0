# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib.sh itself: TAP helpers (run in a child, output checked),
# scratch cleanup, normalize_output, tree_listing, copy_module.
. "$top_srcdir/tests/lib.sh"

# Run a snippet with lib.sh in a child bash; print its stdout.
child() {
	bash -c '. "$top_srcdir/tests/lib.sh"; '"$1"
}

out=$(child 'ok first; not_ok second; is a a third; is a b fourth; skip why 2; done_testing' |
	grep -v '^# *\(expected\|actual\):')
is "ok 1 - first
not ok 2 - second
ok 3 - third
not ok 4 - fourth
ok 5 - # SKIP why
ok 6 - # SKIP why
1..6
# 2 passed, 2 failed, 2 skipped" "$out" "TAP helpers number, skip and count"

out=$(child 'plan 2; check yes true; check no false; done_testing')
is "1..2
ok 1 - yes
not ok 2 - no
# command failed (exit 1): false
# 1 passed, 1 failed, 0 skipped" "$out" "plan and check"

out=$(child 'is "a
b" "a
c" multi')
like "$out" '^# \+c$' "is shows a diff for multi-line values"

out=$(child 'like "abc
def" "^de" found; like abc "^x" missing')
like "$out" '^ok 1 - found$' "like matches a line"
like "$out" '^not ok 2 - missing$' "like fails without a match"

out=$(child 'skip_all "no reason"; ok never')
is "1..0 # SKIP no reason" "$out" "skip_all stops the script"

out=$(child 'plan 3; ok one; skip_all "gone"; ok never')
is "1..3
ok 1 - one
ok 2 - # SKIP gone
ok 3 - # SKIP gone
# 1 passed, 0 failed, 2 skipped" "$out" "skip_all after the plan skips the rest, one plan only"

out=$(child 'unlike "abc
def" "^x" absent; unlike abc "^a" present')
like "$out" '^ok 1 - absent$' "unlike passes without a match"
like "$out" '^not ok 2 - present$' "unlike fails on a match"

out=$(child 'scratch; echo "$T"; touch "$T/f"')
if [ -n "$out" ] && [ ! -e "$out" ]; then
	ok "scratch dir removed on exit"
else
	not_ok "scratch dir removed on exit"
	diag "left: $out"
fi
case $out in
"${TMPDIR:-/tmp}"/dkms-test.*) ok "scratch is under \${TMPDIR:-/tmp}" ;;
*) not_ok "scratch is under \${TMPDIR:-/tmp}"; diag "$out" ;;
esac

scratch
is "x <T>/dkms y <T>" "$(echo "x $T/dkms y $T" | normalize_output)" "normalize_output"

mk_trees "$T"
copy_module hello-0.1
mkdir "$T/t"
echo hi > "$T/t/file"
chmod 600 "$T/t/file"
ln -s "$T/src/hello-0.1" "$T/t/link"
mkdir "$T/t/dir"
is "dir d 755
file f 600 $(printf 'hi\n' | sha256sum | cut -d' ' -f1)
link l -> <T>/src/hello-0.1" "$(tree_listing "$T/t")" "tree_listing"

is "$(cd "$top_srcdir/tests/modules/hello-0.1" && find . | sort)" \
	"$(cd "$T/src/hello-0.1" && find . | sort)" "copy_module copies the fixture"

done_testing
