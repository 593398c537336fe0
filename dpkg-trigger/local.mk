# SPDX-License-Identifier: GPL-2.0-or-later
# The dpkg integration (configure --enable-dpkg-trigger): the trigger
# handler our package's postinst runs, beside the autoinstaller
# ($(dkmslibdir), scripts/local.mk).  libdpkg reads the database (linked
# statically, as libdpkg is shipped); the public libdkms runs the batch.
# debian/ declares the file triggers and runs it.
EXTRA_DIST += dpkg-trigger/README.md
if ENABLE_DPKG_TRIGGER
dpkgtriggerdir = $(dkmslibdir)
dpkgtrigger_PROGRAMS = dpkg-trigger/dkms-dpkg-trigger
dpkg_trigger_dkms_dpkg_trigger_SOURCES = dpkg-trigger/trigger.h \
	dpkg-trigger/main.c dpkg-trigger/dpkg-db.c dpkg-trigger/tree.c \
	dpkg-trigger/strset.c
dpkg_trigger_dkms_dpkg_trigger_CFLAGS = $(AM_CFLAGS) $(DPKG_CFLAGS)
dpkg_trigger_dkms_dpkg_trigger_LDADD = core/lib/libdkms.la $(DPKG_LIBS)
endif
