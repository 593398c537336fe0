# SPDX-License-Identifier: GPL-2.0-or-later
# The core library.  libdkms-internal.la carries every symbol (unit tests
# link it); libdkms.la exports only the version script's.
include_HEADERS = core/lib/libdkms.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = core/lib/libdkms.pc

noinst_LTLIBRARIES += core/lib/libdkms-internal.la
core_lib_libdkms_internal_la_SOURCES = \
	core/lib/libdkms.h \
	core/lib/util.h core/lib/util.c \
	core/lib/ctx.h core/lib/ctx.c
core_lib_libdkms_internal_la_CFLAGS = $(AM_CFLAGS) $(KMOD_CFLAGS)
# libkmod, zlib, liblzma, libzstd: dlopen on first use, never linked
core_lib_libdkms_internal_la_LIBADD = $(DL_LIBS)
core_lib_libdkms_internal_la_SOURCES += core/lib/dlopen.h core/lib/dlopen.c

lib_LTLIBRARIES += core/lib/libdkms.la
core_lib_libdkms_la_SOURCES =
core_lib_libdkms_la_LIBADD = core/lib/libdkms-internal.la
core_lib_libdkms_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 \
	-Wl,--version-script=$(top_srcdir)/core/lib/libdkms.sym
EXTRA_DIST += core/lib/libdkms.sym

# The dkms cycle (add/build/install/uninstall/unbuild/remove/status).
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/ops.h core/lib/runner.h core/lib/runner.c
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/cycle.h core/lib/session.c core/lib/framework.c \
	core/lib/msg.c core/lib/kernels.c core/lib/session-state.c \
	core/lib/tree.c core/lib/kernel.c core/lib/prepare.c core/lib/modinfo.c \
	core/lib/modconf.c core/lib/invoke.c core/lib/status.c \
	core/lib/add.c core/lib/build.c core/lib/install.c \
	core/lib/uninstall.c core/lib/depmod.c core/lib/unbuild.c \
	core/lib/remove.c core/lib/request.c \
	core/lib/signing.c core/lib/rpmlock.c core/lib/buildenv.c \
	core/lib/build-report.h core/lib/build-report.c

# dkms.conf reader.
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/var.h core/lib/var.c \
	core/lib/json.h core/lib/json.c \
	core/lib/conf.h core/lib/conf.c core/lib/conf-bash.c \
	core/lib/conf-native.c core/lib/conf-derive.c core/lib/conf-json.c

# Commands on top of the cycle: autoinstall, kernel hooks, match,
# mktarball/ldtarball.
core_lib_libdkms_internal_la_SOURCES += \
	core/lib/extras.h core/lib/namelist.c core/lib/autoinstall.c \
	core/lib/rebuild.c core/lib/kernel-hooks.c core/lib/match.c \
	core/lib/tarball.h core/lib/tarball.c core/lib/ldtarball.c

# Module compression with zlib, liblzma, libzstd.
core_lib_libdkms_internal_la_SOURCES += core/lib/compress.h core/lib/compress.c
# Signature read back with libkmod after signing.
core_lib_libdkms_internal_la_SOURCES += core/lib/sigcheck.h core/lib/sigcheck.c
# Sandboxed module builds.
core_lib_libdkms_internal_la_SOURCES += core/lib/sandbox.h core/lib/sandbox.c \
	core/lib/sandbox-cgroup.c core/lib/sandbox-shared.c
# Initramfs regeneration, once per kernel per command.
core_lib_libdkms_internal_la_SOURCES += core/lib/initramfs.h core/lib/initramfs.c
core_lib_libdkms_internal_la_CFLAGS += $(ZLIB_CFLAGS) $(LZMA_CFLAGS) $(ZSTD_CFLAGS)
# status --json, the status cache, the autoinstall scheduler.
core_lib_libdkms_internal_la_SOURCES += core/lib/status-json.c \
	core/lib/status-cache.h core/lib/status-cache.c core/lib/scheduler.c
# Hostile input refused before the first write.
core_lib_libdkms_internal_la_SOURCES += core/lib/safety.h core/lib/safety.c
# Fault injection and the intent journal, crash safety.
core_lib_libdkms_internal_la_SOURCES += core/lib/fault.h core/lib/fault.c
core_lib_libdkms_internal_la_SOURCES += core/lib/journal.h core/lib/journal.c

# Secure Boot report for status --json, the build progress line.
core_lib_libdkms_internal_la_SOURCES += core/lib/secureboot.h \
	core/lib/secureboot.c core/lib/progress.h core/lib/progress.c
# Live status lines of a parallel autoinstall, its summary.
core_lib_libdkms_internal_la_SOURCES += core/lib/progress-live.h \
	core/lib/progress-live.c
