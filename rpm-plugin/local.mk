# SPDX-License-Identifier: GPL-2.0-or-later
# The rpm transaction plugin: dkms.so in rpm's plugin directory and the
# macros file that enables it (rpm-plugin/README.md).
EXTRA_DIST += rpm-plugin/README.md rpm-plugin/macros.transaction_dkms \
	rpm-plugin/dkms.c
if ENABLE_RPM_PLUGIN
rpmplugin_LTLIBRARIES = rpm-plugin/dkms.la
rpm_plugin_dkms_la_SOURCES = rpm-plugin/dkms.c
# Loaded into rpm's and dnf's processes: built without the sanitizers,
# whose runtime only a program started with it can host.
rpm_plugin_dkms_la_CFLAGS = -Wall -Wextra -fvisibility=hidden $(RPM_CFLAGS)
# the dkms it runs, inside the root
rpm_plugin_dkms_la_CPPFLAGS = $(AM_CPPFLAGS) -DDKMS_SBINDIR='"$(sbindir)"'
rpm_plugin_dkms_la_LDFLAGS = -module -avoid-version -shared -no-undefined
rpm_plugin_dkms_la_LIBADD = $(RPM_LIBS)
rpmmacros_DATA = rpm-plugin/macros.transaction_dkms

# rpm loads %{__plugindir}/*.so: libtool's dkms.la has no use there
install-data-hook: rpm-plugin-install-hook
rpm-plugin-install-hook:
	rm -f $(DESTDIR)$(rpmplugindir)/dkms.la
uninstall-hook: rpm-plugin-uninstall-hook
rpm-plugin-uninstall-hook:
	rm -f $(DESTDIR)$(rpmplugindir)/dkms.so
endif
