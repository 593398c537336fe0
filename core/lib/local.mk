# SPDX-License-Identifier: GPL-2.0-or-later
# The core library, one folder per layer, lowest first; a layer uses only
# the ones below it (tests/layout/layers.sh checks the #include lines).
# libdkms-internal.la carries every symbol (unit tests link it);
# libdkms.la exports only the version script's.
include_HEADERS = core/lib/libdkms.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = core/lib/libdkms.pc

noinst_LTLIBRARIES += core/lib/libdkms-internal.la
core_lib_libdkms_internal_la_SOURCES = core/lib/libdkms.h
core_lib_libdkms_internal_la_CFLAGS = $(AM_CFLAGS) $(KMOD_CFLAGS) \
	$(ZLIB_CFLAGS) $(LZMA_CFLAGS) $(ZSTD_CFLAGS) $(SOLV_CFLAGS)
# libkmod, zlib, liblzma, libzstd, libsolv(ext): dlopen on first use, never
# linked
core_lib_libdkms_internal_la_LIBADD = $(DL_LIBS)

lib_LTLIBRARIES += core/lib/libdkms.la
core_lib_libdkms_la_SOURCES =
core_lib_libdkms_la_LIBADD = core/lib/libdkms-internal.la
core_lib_libdkms_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 \
	-Wl,--version-script=$(top_srcdir)/core/lib/libdkms.sym
EXTRA_DIST += core/lib/libdkms.sym


# base/: strings, files, JSON, variables, lazily loaded libraries, the context, the session, exit codes.
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/base/base.h core/lib/base/ctx.h core/lib/base/dlopen.h \
	core/lib/base/exitcode.h core/lib/base/exitcode.c \
	core/lib/base/fault.h core/lib/base/json.h core/lib/base/session.h \
	core/lib/base/util.h core/lib/base/var.h core/lib/base/ctx.c \
	core/lib/base/dlopen.c core/lib/base/fault.c core/lib/base/json.c \
	core/lib/base/kernels.c core/lib/base/msg.c core/lib/base/namelist.c \
	core/lib/base/session-state.c core/lib/base/util.c \
	core/lib/base/var.c

# tree/: the state tree, the intent journal, build reports.
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/tree/tree.h core/lib/tree/build-report.h \
	core/lib/tree/journal.h core/lib/tree/build-report.c \
	core/lib/tree/journal.c core/lib/tree/rpmlock.c core/lib/tree/tree.c

# kernel/: facts about kernels and modules (libkmod), compression, signatures,
# the package of a kernel's headers (libsolv).
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/kernel/kernel.h core/lib/kernel/compress.h \
	core/lib/kernel/secureboot.h core/lib/kernel/sigcheck.h \
	core/lib/kernel/compress.c core/lib/kernel/headers-pkg.c \
	core/lib/kernel/kernel.c core/lib/kernel/modinfo.c \
	core/lib/kernel/secureboot.c core/lib/kernel/sigcheck.c

# run/: the runner and the sandbox.
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/run/run.h core/lib/run/runner.h core/lib/run/sandbox.h \
	core/lib/run/runner.c core/lib/run/sandbox-cgroup.c \
	core/lib/run/sandbox-shared.c core/lib/run/sandbox.c

# conf/: dkms.conf and framework.conf, hostile input.
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/conf/conf.h core/lib/conf/reader.h core/lib/conf/safety.h \
	core/lib/conf/conf-bash.c core/lib/conf/conf-derive.c \
	core/lib/conf/conf-json.c core/lib/conf/conf-native.c \
	core/lib/conf/conf.c core/lib/conf/framework.c \
	core/lib/conf/modconf.c core/lib/conf/safety.c

# exec/: invoke_command and the scheduler.
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/exec/exec.h core/lib/exec/progress.h core/lib/exec/invoke.c \
	core/lib/exec/progress.c core/lib/exec/scheduler.c

# ops/: the operations.
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/ops/ops.h core/lib/ops/initramfs.h \
	core/lib/ops/status-cache.h core/lib/ops/tarball.h \
	core/lib/ops/add.c core/lib/ops/build.c core/lib/ops/buildenv.c \
	core/lib/ops/depmod.c core/lib/ops/failure.c core/lib/ops/initramfs.c \
	core/lib/ops/install.c core/lib/ops/ldtarball.c \
	core/lib/ops/prepare.c core/lib/ops/rebuild.c core/lib/ops/remove.c \
	core/lib/ops/signing.c core/lib/ops/status-cache.c \
	core/lib/ops/status.c core/lib/ops/tarball.c core/lib/ops/unbuild.c \
	core/lib/ops/uninstall.c

# cmd/: commands made of operations, the live status of a parallel run.
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/cmd/cmd.h core/lib/cmd/progress-live.h \
	core/lib/cmd/autoinstall.c core/lib/cmd/kernel-hooks.c \
	core/lib/cmd/batch.h core/lib/cmd/batch-run.h \
	core/lib/cmd/batch-line.c core/lib/cmd/batch-name.c \
	core/lib/cmd/batch-plan.c core/lib/cmd/batch-run.c \
	core/lib/cmd/batch-upgrade.c \
	core/lib/cmd/match.c core/lib/cmd/progress-live.c \
	core/lib/cmd/status-json.c
# `dkms diagnose`: what it finds, and its text and JSON.
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/cmd/diagnose.h core/lib/cmd/diagnose.c \
	core/lib/cmd/diagnose-print.c

# api/: the door: sessions and requests.
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/api/api.h core/lib/api/command.c \
	core/lib/api/command-extras.c core/lib/api/framework-paths.c \
	core/lib/api/request.c core/lib/api/session.c
