#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# PRE_BUILD: runs in the build dir before make.
echo "pre-build: generating generated.h"
echo '#define SCRIPTS_VERSION "0.1"' > generated.h
