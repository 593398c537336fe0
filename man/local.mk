# SPDX-License-Identifier: GPL-2.0-or-later
# Manual pages; the rest a distribution installs beside the
# program is in scripts/local.mk.
dist_man_MANS = man/dkms.8 man/dkms.conf.5
