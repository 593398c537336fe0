# SPDX-License-Identifier: GPL-2.0-or-later
# What a system gets beside the program: framework.conf and
# an empty framework.conf.d/, the state tree, bash and zsh completion, the
# autoinstaller and the packages' common.postinst, the kernel hooks and
# the batch-events they share, the kernel-install plugin and the systemd
# unit.  configure sets the places
# distributions vary (--with-systemdsystemunitdir, --with-zshcompletiondir,
# --with-kernelhookdir; "no" leaves that part out).

# Where the program reads its settings and keeps its state
# (core/lib/base/ctx.c), as dkms 3.4.3: not under the prefix.
dkmsconfdir = /etc/dkms
dkmstreedir = /var/lib/dkms
# The autoinstaller, common.postinst (Debian's packages call
# /usr/lib/dkms/common.postinst) and batch-events.
dkmslibdir = $(prefix)/lib/dkms
# bash completion, installed under the command's name.
bashcompletiondir = $(datadir)/bash-completion/completions
# systemd kernel-install plugins.
kernelinstalldir = $(prefix)/lib/kernel/install.d

# Scripts that name the places above, filled in at make time.
scripts_generated = scripts/dkms_autoinstaller scripts/common.postinst \
	scripts/dkms.service scripts/kernel-hooks/postinst \
	scripts/kernel-hooks/prerm scripts/batch-events
nodist_noinst_SCRIPTS = $(scripts_generated)
CLEANFILES += $(scripts_generated)
EXTRA_DIST += scripts/dkms.bash-completion scripts/dkms.zsh-completion \
	scripts/kernel-install.d/40-dkms.install scripts/framework.conf \
	scripts/dkms_autoinstaller.in scripts/common.postinst.in \
	scripts/dkms.service.in scripts/kernel-hooks/postinst.in \
	scripts/kernel-hooks/preinst scripts/kernel-hooks/prerm.in \
	scripts/batch-events.in

scripts_subst = sed -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@dkmslibdir[@]|$(dkmslibdir)|g'
$(scripts_generated): Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && rm -f $@ $@.tmp && \
	$(scripts_subst) $(top_srcdir)/$@.in >$@.tmp && \
	case $@ in *.service) ;; *) chmod +x $@.tmp ;; esac && mv $@.tmp $@
scripts/dkms_autoinstaller: $(top_srcdir)/scripts/dkms_autoinstaller.in
scripts/common.postinst: $(top_srcdir)/scripts/common.postinst.in
scripts/dkms.service: $(top_srcdir)/scripts/dkms.service.in
scripts/kernel-hooks/postinst: $(top_srcdir)/scripts/kernel-hooks/postinst.in
scripts/kernel-hooks/prerm: $(top_srcdir)/scripts/kernel-hooks/prerm.in
scripts/batch-events: $(top_srcdir)/scripts/batch-events.in

# The kernel hooks, by the directory run-parts reads: installed image
# (postinst.d, preinst.d, prerm.d) and installed headers (header_postinst.d).
kernel_hooks = postinst.d:scripts/kernel-hooks/postinst \
	header_postinst.d:scripts/kernel-hooks/postinst \
	preinst.d:$(top_srcdir)/scripts/kernel-hooks/preinst \
	prerm.d:scripts/kernel-hooks/prerm

install-data-local: install-dist-extras
uninstall-local: uninstall-dist-extras
install-dist-extras: $(scripts_generated)
	$(MKDIR_P) '$(DESTDIR)$(bashcompletiondir)' \
		'$(DESTDIR)$(kernelinstalldir)' '$(DESTDIR)$(dkmslibdir)' \
		'$(DESTDIR)$(dkmsconfdir)/framework.conf.d' \
		'$(DESTDIR)$(dkmstreedir)'
	$(INSTALL_DATA) $(top_srcdir)/scripts/dkms.bash-completion \
		'$(DESTDIR)$(bashcompletiondir)/dkms'
	$(INSTALL_SCRIPT) $(top_srcdir)/scripts/kernel-install.d/40-dkms.install \
		'$(DESTDIR)$(kernelinstalldir)/40-dkms.install'
	$(INSTALL_SCRIPT) scripts/dkms_autoinstaller scripts/common.postinst \
		scripts/batch-events '$(DESTDIR)$(dkmslibdir)'
# an existing framework.conf is the administrator's: kept
	test -e '$(DESTDIR)$(dkmsconfdir)/framework.conf' || \
		$(INSTALL_DATA) $(top_srcdir)/scripts/framework.conf \
		'$(DESTDIR)$(dkmsconfdir)/framework.conf'
	if test 'x$(zshcompletiondir)' != xno; then \
		$(MKDIR_P) '$(DESTDIR)$(zshcompletiondir)' && \
		$(INSTALL_DATA) $(top_srcdir)/scripts/dkms.zsh-completion \
			'$(DESTDIR)$(zshcompletiondir)/_dkms'; fi
	if test 'x$(systemdsystemunitdir)' != xno; then \
		$(MKDIR_P) '$(DESTDIR)$(systemdsystemunitdir)' && \
		$(INSTALL_DATA) scripts/dkms.service \
			'$(DESTDIR)$(systemdsystemunitdir)/dkms.service'; fi
	if test 'x$(kernelhookdir)' != xno; then \
		for h in $(kernel_hooks); do \
			$(MKDIR_P) "$(DESTDIR)$(kernelhookdir)/$${h%%:*}" && \
			$(INSTALL_SCRIPT) "$${h#*:}" \
				"$(DESTDIR)$(kernelhookdir)/$${h%%:*}/dkms" || exit 1; \
		done; fi
uninstall-dist-extras:
	rm -f '$(DESTDIR)$(bashcompletiondir)/dkms' \
		'$(DESTDIR)$(kernelinstalldir)/40-dkms.install' \
		'$(DESTDIR)$(dkmslibdir)/dkms_autoinstaller' \
		'$(DESTDIR)$(dkmslibdir)/common.postinst' \
		'$(DESTDIR)$(dkmslibdir)/batch-events'
	-rmdir '$(DESTDIR)$(dkmslibdir)' 2>/dev/null
# framework.conf goes only as installed; the dirs only when empty
	if cmp -s $(top_srcdir)/scripts/framework.conf \
		'$(DESTDIR)$(dkmsconfdir)/framework.conf'; then \
		rm -f '$(DESTDIR)$(dkmsconfdir)/framework.conf'; fi
	-rmdir '$(DESTDIR)$(dkmsconfdir)/framework.conf.d' \
		'$(DESTDIR)$(dkmsconfdir)' '$(DESTDIR)$(dkmstreedir)' 2>/dev/null
	if test 'x$(zshcompletiondir)' != xno; then \
		rm -f '$(DESTDIR)$(zshcompletiondir)/_dkms'; fi
	if test 'x$(systemdsystemunitdir)' != xno; then \
		rm -f '$(DESTDIR)$(systemdsystemunitdir)/dkms.service'; fi
	if test 'x$(kernelhookdir)' != xno; then \
		for h in $(kernel_hooks); do \
			rm -f "$(DESTDIR)$(kernelhookdir)/$${h%%:*}/dkms"; \
		done; fi
.PHONY: install-dist-extras uninstall-dist-extras
