/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `dkms ACTION --help`: the usage of one action (ours; 3.4.3 prints its
 * whole usage whatever the action).  `dkms --help` and `dkms help` keep
 * 3.4.3's text (cli_usage in options.c).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

struct action_help {
	const char *action;
	const char *args;
	const char *what;
};

#define MV "<module>/<version>"
#define KS "[-k <kernel>[/<arch>]]..."

static const struct action_help helps[] = {
	{ "add", "[" MV " | <source-dir> | <dkms.conf> | <archive>] [-c <dkms.conf>]",
	  "Register a module version's source in the dkms tree." },
	{ "build", MV " " KS " [--force] [-j <jobs>] [--config <kernel .config>]"
		   " [--sandbox | --no-sandbox]",
	  "Compile a module version for each kernel (default: the running one)." },
	{ "install", MV " " KS " [--force] [--no-depmod] [--modprobe-on-install]"
		     " [--no-initrd] [--symlink-modules] [--sandbox | --no-sandbox]",
	  "Install a module version's built modules into each kernel's module tree." },
	{ "uninstall", MV " " KS " [--all] [--no-depmod] [--no-initrd]",
	  "Remove a module version's modules from each kernel's module tree." },
	{ "unbuild", MV " " KS " [--all]",
	  "Delete what was built of a module version for each kernel." },
	{ "remove", MV " " KS " [--all] [--rpm_safe_upgrade] [--no-initrd]",
	  "Uninstall, unbuild, and drop the module version from the tree." },
	{ "status", "[<module>[/<version>]] " KS " [--json]",
	  "Show the state of every module version for every kernel.\n"
	  "--json: as JSON, with each built module's signature and Secure Boot state." },
	{ "diagnose", "[<module>[/<version>]] " KS " [--json] [--verbose]",
	  "Say why each module version is or is not usable on each kernel\n"
	  "(default: every kernel installed or built for): headers, BUILD_EXCLUSIVE,\n"
	  "a failed build's errors, vermagic, signature and Secure Boot, modules.dep,\n"
	  "whether it is loaded.  Without a module or -k, the ones that are fine\n"
	  "get one line (--verbose: a screen each).  Must be the first word." },
	{ "autoinstall", KS " [-j <jobs>] [--no-initrd] [--sandbox | --no-sandbox]",
	  "Build and install every AUTOINSTALL module for each kernel.\n"
	  "Several -k: one call for all (ours), the builds side by side under -j." },
	{ "match", "--templatekernel <kernel> -k <kernel>",
	  "Install for one kernel the module versions installed for another." },
	{ "mktarball", MV " " KS " [--all] [--source-only | --binaries-only]",
	  "Write an archive of a module version's source and built modules." },
	{ "ldtarball", "<archive> | --archive <archive> [--force]",
	  "Load an archive made by mktarball into the tree." },
	{ "generate_mok", "",
	  "Make the module signing key pair if it does not exist." },
	{ "kernel_preinst", "-k <kernel>",
	  "Kernel package hook: unbuild what autoinstall will build again." },
	{ "kernel_postinst", "-k <kernel>",
	  "Kernel package hook: autoinstall for a newly installed kernel." },
	{ "kernel_prerm", "-k <kernel>",
	  "Kernel package hook: unbuild everything built for a kernel." },
};

bool cli_action_help(const char *action, const char *argv0)
{
	size_t i;

	for (i = 0; action && i < ARRAY_SIZE(helps); i++) {
		if (strcmp(helps[i].action, action) != 0)
			continue;
		printf("Usage: %s %s%s%s\n%s\n"
		       "Common options: [--dkmstree <dir>] [--sourcetree <dir>] "
		       "[--installtree <dir>] [--root <dir>] [--verbose] [-q] "
		       "[--debug]\n"
		       "See dkms(8).\n",
		       argv0, action, *helps[i].args ? " " : "", helps[i].args,
		       helps[i].what);
		fflush(stdout);
		return true;
	}
	return false;
}
