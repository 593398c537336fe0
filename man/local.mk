# SPDX-License-Identifier: GPL-2.0-or-later
# Manual pages, shell completion and the kernel-install plugin: what a
# distribution package installs beside the program.
dist_man_MANS = man/dkms.8 man/dkms.conf.5

# bash completion, installed under the command's name.
bashcompletiondir = $(datadir)/bash-completion/completions
# systemd kernel-install plugins.
kernelinstalldir = $(prefix)/lib/kernel/install.d
EXTRA_DIST += scripts/dkms.bash-completion scripts/kernel-install.d/40-dkms.install
install-data-local: install-dist-extras
uninstall-local: uninstall-dist-extras
install-dist-extras:
	$(MKDIR_P) '$(DESTDIR)$(bashcompletiondir)' '$(DESTDIR)$(kernelinstalldir)'
	$(INSTALL_DATA) $(top_srcdir)/scripts/dkms.bash-completion '$(DESTDIR)$(bashcompletiondir)/dkms'
	$(INSTALL_SCRIPT) $(top_srcdir)/scripts/kernel-install.d/40-dkms.install '$(DESTDIR)$(kernelinstalldir)/40-dkms.install'
uninstall-dist-extras:
	rm -f '$(DESTDIR)$(bashcompletiondir)/dkms' '$(DESTDIR)$(kernelinstalldir)/40-dkms.install'
.PHONY: install-dist-extras uninstall-dist-extras
