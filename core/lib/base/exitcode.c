/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dkms 3.4.3's exit codes and the errnos that stand for them inside the
 * core (exitcode.h).  The errnos are STREAMS, network and exchange ones
 * that no call on our paths (files, processes, namespaces) returns. */
#include "config.h"

#include "base/exitcode.h"

/* One row per code 3.4.3 exits with (the list at the top of its dkms
 * script), with what it uses the code for. */
static const struct {
	int code;
	int err;
} exit_codes[] = {
	{ 1, DKMS_EFAILED },     /* not root, no write access to the tree,
				  * no module named, no temporary file */
	{ 2, EBADR },            /* no module source dir, the archive does
				  * not exist, a kernel with --all, an
				  * unknown option */
	{ 3, EBADSLT },          /* not in the DKMS tree, or already there
				  * (added, built), an arch with --all, a
				  * tarball without a dkms.conf */
	{ 4, DKMS_ENOCONF },     /* no dkms.conf, a broken module, more than
				  * one kernel, no os-release */
	{ 5, ENOTUNIQ },         /* already installed, --all not supported,
				  * a patch that is missing or leaves its dir */
	{ 6, DKMS_EINSTALL },    /* the install failed (no kernel dir,
				  * nothing installed, depmod problems), a
				  * patch failed, mktarball failed */
	{ 7, EXFULL },           /* the build left no module, not a valid
				  * DKMS tarball */
	{ 8, DKMS_EBADCONF },    /* a bad dkms.conf, no source to build,
				  * already added, --binaries-only with
				  * --source-only */
	{ 9, EREMCHG },          /* a source tree without dkms.conf (or an
				  * unsafe one), no write access for the
				  * tarball, rpm could not install */
	{ 10, DKMS_EBUILD },     /* the module's make failed, a dkms.conf
				  * without PACKAGE_NAME/_VERSION */
	{ 11, EL2HLT },          /* autoinstall failed for some module */
	{ 12, ENONET },          /* the architecture cannot be told */
	{ 13, DKMS_ENODEPS },    /* BUILD_DEPENDS not installed */
	{ 14, EL3RST },          /* kernel_preinst or kernel_prerm failed for
				  * some module */
	{ 15, ECHRNG },          /* a cd failed */
	{ 16, ENOCSI },          /* an empty kernel version or arch */
	{ 21, DKMS_ENOHEADERS }, /* the kernel's headers are missing */
	{ 77, DKMS_EEXCLUDED },  /* BUILD_EXCLUSIVE excludes this kernel */
	{ 101, DKMS_EPREINSTALL }, /* PRE_INSTALL failed */
};

#define N_CODES (sizeof(exit_codes) / sizeof(exit_codes[0]))

int dkms_exit_to_errno(int code)
{
	unsigned int i;

	code &= 0xff;
	if (code == 0)
		return 0;
	for (i = 0; i < N_CODES; i++)
		if (exit_codes[i].code == code)
			return -exit_codes[i].err;
	return -(DKMS_ESTATUS + code);
}

int dkms_errno_to_exit(int r)
{
	unsigned int i;

	if (r == 0)
		return 0;
	for (i = 0; i < N_CODES; i++)
		if (-exit_codes[i].err == r)
			return exit_codes[i].code;
	if (r < -DKMS_ESTATUS && r >= -(DKMS_ESTATUS + 255))
		return -r - DKMS_ESTATUS;
	return 1;
}

bool dkms_errno_is_exit(int r)
{
	return r < 0 && dkms_exit_to_errno(dkms_errno_to_exit(r)) == r;
}
