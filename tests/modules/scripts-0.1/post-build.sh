#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# POST_BUILD KVER ARCH: runs in the build dir once the module is stored.
echo "post-build: $1 $2"
test -f generated.h || exit 1
echo "post-build ran for $1 $2" > "../$1/$2/log/post-build.stamp"
