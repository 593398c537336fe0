#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What `make install DESTDIR=...` puts on a system: every file in the
# place configure gave it, the places distributions vary overridable and
# each part droppable ("no").  Then the installed dkms_autoinstaller and
# the systemd unit's ExecStart at work, with the installed dkms, on a
# scratch root (DKMS_ROOT): fake kernels, never the machine's trees.
. "$top_srcdir/tests/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "builds and installs as root"
plan 61
scratch
D=$T/dest
REF_CONF=$(dirname "$DKMS_REF")/dkms_framework.conf

mk() { make -s --no-print-directory -C "$top_builddir" "$@"; }
# var NAME: a make variable of the build, as install sees it
var() { mk --eval='print-var: ; @echo $('"$1"')' print-var; }

# ---------------------------------------------------------------- files
mk install DESTDIR="$D" >"$T/install.log" 2>&1
is 0 "$?" "make install DESTDIR=... succeeds" || diag "$(tail -n 20 "$T/install.log")"

sbindir=$(var sbindir) libdir=$(var libdir) mandir=$(var mandir)
libexec=$(var dkmslibdir) conf=$(var dkmsconfdir) tree=$(var dkmstreedir)
bashc=$(var bashcompletiondir) zshc=$(var zshcompletiondir)
unitdir=$(var systemdsystemunitdir) hooks=$(var kernelhookdir)
kinst=$(var kernelinstalldir)
is "/etc/dkms /var/lib/dkms /etc/kernel" "$conf $tree $hooks" \
	"settings, state and kernel hooks where the program and the kernel packages look"

check "the program" test -x "$D$sbindir/dkms"
check "the library" test -e "$D$libdir/libdkms.so"
check "dkms(8)" test -f "$D$mandir/man8/dkms.8"
check "dkms.conf(5)" test -f "$D$mandir/man5/dkms.conf.5"
check "bash completion" test -f "$D$bashc/dkms"
check "zsh completion" test -f "$D$zshc/_dkms"
check "framework.conf" test -f "$D$conf/framework.conf"
is "" "$(ls -A "$D$conf/framework.conf.d" 2>&1)" "an empty framework.conf.d/"
is "" "$(ls -A "$D$tree" 2>&1)" "an empty state tree"
check "dkms_autoinstaller, executable" test -x "$D$libexec/dkms_autoinstaller"
check "common.postinst, executable" test -x "$D$libexec/common.postinst"
if grep -qs '^DPKG_TRIGGER = yes' "$top_builddir/Makefile"; then
	check "the dpkg trigger handler, executable" test -x "$D$libexec/dkms-dpkg-trigger"
else
	skip "the dpkg trigger handler is not built" 1
fi
check "the kernel-install plugin" test -x "$D$kinst/40-dkms.install"
check "the systemd unit" test -f "$D$unitdir/dkms.service"
alpmhooks=$(var alpmhookdir)
if [ "$alpmhooks" != no ]; then
	check "the pacman hooks and their program, executable" test -f \
		"$D$alpmhooks/70-dkms-install.hook" -a -f "$D$alpmhooks/71-dkms-remove.hook" \
		-a -x "$D$libexec/dkms-alpm-hook"
	is "Exec = $libexec/dkms-alpm-hook install" \
		"$(grep '^Exec = ' "$D$alpmhooks/70-dkms-install.hook" 2>&1)" \
		"the pacman hook runs the installed program"
else
	skip "the pacman hooks are not built" 2
fi
rpmplugins=$(var rpmplugindir) rpmmacros=$(var rpmmacrosdir)
if [ "$rpmplugins" != no ]; then
	check "the rpm plugin, without libtool's .la" test -f "$D$rpmplugins/dkms.so" \
		-a ! -e "$D$rpmplugins/dkms.la"
	is "%__transaction_dkms %{__plugindir}/dkms.so" \
		"$(grep -v '^#' "$D$rpmmacros/macros.transaction_dkms" 2>&1)" \
		"the rpm macros file enables it"
else
	skip "the rpm plugin is not built" 2
fi
for h in postinst.d header_postinst.d preinst.d prerm.d; do
	check "kernel hook $h/dkms, executable" test -x "$D$hooks/$h/dkms"
done
is "" "$(grep -rlI '@[a-z]*@' "$D$libexec" "$D$unitdir/dkms.service" "$D$hooks" 2>&1)" \
	"no @place@ left unfilled"
like "$(grep '^ExecStart=' "$D$unitdir/dkms.service")" \
	"^ExecStart=$libexec/dkms_autoinstaller start %v\$" "the unit starts the installed autoinstaller"
if command -v systemd-analyze >/dev/null; then
	# verified where its command is: the DESTDIR copy
	mkdir -p "$T/unit"
	sed "s|^ExecStart=|ExecStart=$D|" "$D$unitdir/dkms.service" >"$T/unit/dkms.service"
	is "" "$(systemd-analyze verify "$T/unit/dkms.service" 2>&1)" \
		"systemd-analyze verify finds nothing to say of the unit"
else
	skip "systemd-analyze is not installed" 1
fi
like "$(cat "$D$hooks/postinst.d/dkms")" "^exec $libexec/batch-events \"\\\$0\" \"kernel-added \\\$1\"\$" \
	"the postinst hook hands the kernel to the installed batch-events"
like "$(grep '^PATH=' "$D$libexec/dkms_autoinstaller")" ":$sbindir\$" \
	"the autoinstaller finds the installed dkms"
for f in "$D$libexec/dkms_autoinstaller" "$D$libexec/common.postinst" \
	"$D$libexec/batch-events" "$D$hooks/postinst.d/dkms" \
	"$D$hooks/preinst.d/dkms" "$D$hooks/prerm.d/dkms"; do
	check "sh -n ${f#"$D"}" sh -n "$f"
done
if command -v zsh >/dev/null; then
	check "zsh -n _dkms" zsh -n "$D$zshc/_dkms"
	# autoloaded as zsh does from $fpath: it defines _dkms, which the
	# completion system then calls
	is "_dkms" "$(zsh -fc 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -d "$2/zcomp"; print -r -- $_comps[dkms]' zsh "$D$zshc" "$T")" \
		"zsh: compinit binds _dkms to dkms (#compdef)"
else
	skip "zsh is not installed" 2
fi

# framework.conf: every setting 3.4.3's lists, commented, with a value
names() { sed -n 's/^#[[:space:]]*\([a-z_]*\)=.*/\1/p' "$1" | sort -u; }
if [ -f "$REF_CONF" ]; then
	is "" "$(comm -23 <(names "$REF_CONF") <(names "$D$conf/framework.conf"))" \
		"framework.conf lists every setting 3.4.3's lists"
else
	skip "no reference framework.conf" 1
fi
is "" "$(grep -v '^#' "$D$conf/framework.conf" | grep -v '^[[:space:]]*$')" \
	"framework.conf sets nothing: every line a comment"

# configure's places, overridden, and parts left out
check "configure --help names the places" sh -c \
	"'$top_srcdir/configure' --help | grep -q -- --with-systemdsystemunitdir &&
	 '$top_srcdir/configure' --help | grep -q -- --with-zshcompletiondir &&
	 '$top_srcdir/configure' --help | grep -q -- --with-kernelhookdir"
D2=$T/dest2
mk install DESTDIR="$D2" systemdsystemunitdir=/usr/lib/systemd/system \
	zshcompletiondir=/usr/share/zsh/vendor-completions \
	kernelhookdir=/usr/share/kernel >"$T/install2.log" 2>&1
is 0 "$?" "make install with other places"
check "the unit in the place given" test -f "$D2/usr/lib/systemd/system/dkms.service"
check "zsh completion in the place given" test -f "$D2/usr/share/zsh/vendor-completions/_dkms"
check "the kernel hooks in the place given" test -x "$D2/usr/share/kernel/postinst.d/dkms"
D3=$T/dest3
mk install DESTDIR="$D3" systemdsystemunitdir=no zshcompletiondir=no \
	kernelhookdir=no >"$T/install3.log" 2>&1
is 0 "$?" "make install with the unit, zsh completion and hooks left out"
is "" "$(find "$D3" -name dkms.service -o -name _dkms -o -path '*/postinst.d/dkms')" \
	"none of them installed"
check "the rest is installed" test -x "$D3$libexec/dkms_autoinstaller"

# an administrator's framework.conf survives a new install; uninstall
# takes the rest
echo 'verbose="y"' >>"$D$conf/framework.conf"
mk install DESTDIR="$D" >/dev/null 2>&1
like "$(tail -n 1 "$D$conf/framework.conf")" '^verbose="y"$' "an edited framework.conf is kept"
mk uninstall DESTDIR="$D2" systemdsystemunitdir=/usr/lib/systemd/system \
	zshcompletiondir=/usr/share/zsh/vendor-completions \
	kernelhookdir=/usr/share/kernel >"$T/uninstall.log" 2>&1
is 0 "$?" "make uninstall"
is "" "$(find "$D2" -type f -o -type l)" "make uninstall leaves no file"

# ------------------------------------------------- at work, on a scratch root
R=$T/root
K1=6.1.0-901-fake K2=6.1.0-902-noheaders K3=6.1.0-903-fake
mkdir -p "$R/etc/dkms" "$R/var/lib/dkms" "$R/usr/src" "$R/lib/modules/$K2"
# K2's headers were removed: its build link is left dangling
ln -s "$R/usr/src/linux-headers-$K2" "$R/lib/modules/$K2/build"
cp -L /etc/os-release "$R/etc/os-release" 2>/dev/null || true
for k in $K1 $K3; do
	mkdir -p "$R/lib/modules/$k/kernel"
	sh "$top_srcdir/tests/fake-kernel/mkfake.sh" "$R/lib/modules/$k/build" "$k" \
		>/dev/null || bail_out "mkfake.sh failed for $k"
done
cp -a "$top_srcdir/tests/modules/hello-0.1" "$R/usr/src/"
# the installed dkms, before any other
export PATH="$D$sbindir:$PATH"
export DKMS_ROOT=$R
unset DKMS_TREE_LOCK
ours() { "$D$sbindir/dkms" --root "$R" "$@"; }
state() { ours status -m "$1" -v "$2" -k "$3" 2>&1 | sed 's/.*: //'; }

check "the installed dkms adds under the root" ours add hello/0.1
"$D$libexec/dkms_autoinstaller" start $K1 >"$T/out" 2>&1
is 0 "$?" "dkms_autoinstaller start K: exit 0" || diag "$(cat "$T/out")"
is installed "$(state hello 0.1 $K1)" "dkms_autoinstaller start K: installed for K"
check "dkms_autoinstaller start K: under the root's kernel" \
	test -n "$(find "$R/lib/modules/$K1" -name 'hello.ko*')"
"$D$libexec/dkms_autoinstaller" start $K2 >"$T/out" 2>&1
is 0 "$?" "a kernel without headers: exit 0"
like "$(cat "$T/out")" "^Automatic installation of modules for kernel $K2 was skipped since the kernel headers" \
	"a kernel without headers: skipped, as 3.4.3 says"
"$D$libexec/dkms_autoinstaller" stop >"$T/out" 2>&1
is "0 " "$? $(cat "$T/out")" "stop: nothing, exit 0"
"$D$libexec/dkms_autoinstaller" bogus >"$T/out" 2>&1
is 2 "$?" "another action: exit 2"
like "$(cat "$T/out")" "^Usage: .*dkms_autoinstaller \{start\}$" "another action: the usage"

# the unit's command, %v the kernel it boots
cmd=$(sed -n 's/^ExecStart=//p' "$D$unitdir/dkms.service")
cmd=${cmd//%v/$K3}
read -ra argv <<<"$cmd"
argv[0]=$D${argv[0]}
"${argv[@]}" >"$T/out" 2>&1
is 0 "$?" "the unit's ExecStart: exit 0" || diag "$(cat "$T/out")"
is installed "$(state hello 0.1 $K3)" "the unit's ExecStart: installed for the booted kernel"

# common.postinst and the kernel hooks at work: tests/dpkg/hooks.sh
done_testing
