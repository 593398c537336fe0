# SPDX-License-Identifier: GPL-2.0-or-later
# The dkms command: argument parsing and output; the commands themselves
# run in the core (core/lib/api/command.c).
sbin_PROGRAMS += core/cli/dkms
core_cli_dkms_SOURCES = \
	core/cli/cli.h \
	core/cli/dkms.c \
	core/cli/cmd-batch.c core/cli/cmd-conf.c \
	core/cli/env.c \
	core/cli/options.c
# Linked with the internal library so one binary works from the build tree.
core_cli_dkms_LDADD = core/lib/libdkms-internal.la
# `dkms ACTION --help`.
core_cli_dkms_SOURCES += core/cli/help.c
