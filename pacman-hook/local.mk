# SPDX-License-Identifier: GPL-2.0-or-later
# The pacman integration (configure --enable-pacman-hook,
# --with-alpmhookdir): the alpm hook files, in the directory pacman reads
# them from, and the program they run, beside the autoinstaller
# ($(dkmslibdir), scripts/local.mk).  The program links the public
# library only.
EXTRA_DIST += pacman-hook/README.md pacman-hook/70-dkms-install.hook.in \
	pacman-hook/71-dkms-remove.hook.in
if ENABLE_PACMAN_HOOK
alpmhookexecdir = $(dkmslibdir)
alpmhookexec_PROGRAMS = pacman-hook/dkms-alpm-hook
pacman_hook_dkms_alpm_hook_SOURCES = pacman-hook/dkms-alpm-hook.c
pacman_hook_dkms_alpm_hook_LDADD = core/lib/libdkms.la

# Exec names the installed program, filled in at make time.
pacman_hooks = pacman-hook/70-dkms-install.hook pacman-hook/71-dkms-remove.hook
nodist_alpmhook_DATA = $(pacman_hooks)
CLEANFILES += $(pacman_hooks)
$(pacman_hooks): Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && rm -f $@ $@.tmp && \
	sed -e 's|@dkmslibdir[@]|$(dkmslibdir)|g' $(top_srcdir)/$@.in >$@.tmp && \
	mv $@.tmp $@
pacman-hook/70-dkms-install.hook: $(top_srcdir)/pacman-hook/70-dkms-install.hook.in
pacman-hook/71-dkms-remove.hook: $(top_srcdir)/pacman-hook/71-dkms-remove.hook.in
endif
