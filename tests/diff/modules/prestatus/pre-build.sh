#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
exit "$(cat exit-status 2>/dev/null || echo 0)"
