#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real build: tests/modules/hello-0.1 against Debian's headers of two
# kernels, installed into a scratch tree; the installed .ko carries the
# vermagic of the kernel it was built for.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
KERNELS=${CYCLE_REAL_KERNELS:-"6.1.0-56-amd64 6.1.0-54-amd64"}
cy_init
real_kernel "$T" $KERNELS
copy_module hello-0.1

for k in $KERNELS; do
	dk install hello/0.1 -k "$k"
	is 0 "$rc" "install for $k"
	like "$out" "^Installing <T>/lib/$k/updates/dkms/hello\.ko$" "installed for $k"
	is "" "$err" "nothing on stderr for $k"
	ko=$T/lib/$k/updates/dkms/hello.ko
	is "$k" "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" "vermagic of the installed module for $k"
	is "0.1" "$(modinfo -F version "$ko")" "version of the installed module for $k"
	like "$(cat "$T/dkms/hello/0.1/$k/x86_64/log/make.log")" "^# command: make -j[0-9]+ KERNELRELEASE=$k -C <T>/lib/$k/build M=<T>/dkms/hello/0.1/build$|^# command: make -j[0-9]+ KERNELRELEASE=$k -C $T/lib/$k/build M=$T/dkms/hello/0.1/build$" "make command for $k"
done

dk status
expected=
for k in $(printf '%s\n' $KERNELS | sort); do
	expected+="hello/0.1, $k, x86_64: installed"$'\n'
done
is "${expected%$'\n'}" "$out" "status lists both kernels"

dk remove hello/0.1 --all
is 0 "$rc" "remove --all"
for k in $KERNELS; do
	check "nothing left for $k" test ! -e "$T/lib/$k/updates"
done
check "dkms tree empty" test -z "$(ls "$T/dkms")"

done_testing
