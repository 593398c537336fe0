/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The actions on top of the cycle: autoinstall, match, mktarball,
 * ldtarball, generate_mok and the kernel hooks.  Each does the checks
 * dkms 3.4.3 does for it, in its order, then calls the commands of
 * cmd/cmd.h.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"

static const char *arch0(const struct dkms_kernels *k)
{
	return k->n_arch ? k->arch[0] : "";
}

/* Ours: several kernels in one autoinstall, each once.  The same kernel
 * (and arch) twice is what 3.4.3 refuses of several: refused as it does. */
static int distinct_kernels_or_die(struct dkms_session *s, const char *action,
				   const struct dkms_kernels *k)
{
	size_t i, j;

	for (i = 0; i < k->n; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(k->kernelver[i], k->kernelver[j]) &&
			    !strcmp(i < k->n_arch ? k->arch[i] : arch0(k),
				    j < k->n_arch ? k->arch[j] : arch0(k)))
				return dkms_die(s, 4, "The action %s does not "
						"support multiple kernel version "
						"parameters on the command line.",
						action);
	return 0;
}

/* Each kernel with its arch (one -a serves them all). */
static int autoinstall(struct dkms_session *s, const struct dkms_kernels *k)
{
	const char **archs = calloc(k->n + 1, sizeof(*archs));
	size_t i;
	int r;

	if (!archs)
		return -ENOMEM;
	for (i = 0; i < k->n; i++)
		archs[i] = i < k->n_arch ? k->arch[i] : arch0(k);
	r = dkms_autoinstall_kernels(s, k->kernelver, (char *const *)archs, k->n);
	free(archs);
	return r;
}

static int mktarball(struct dkms_session *s, const struct dkms_command *c,
		     const struct dkms_kernels *k)
{
	const char *m = c->module, *v = c->version;

	if (!m || !*m || !v || !*v)
		return dkms_die(s, 1, "Arguments <module> and <module-version> are not "
				"specified.\nUsage: mktarball <module>/<module-version> or\n"
				"       mktarball -m <module>/<module-version> or\n"
				"       mktarball -m <module> -v <module-version>");
	if (dkms_is_broken(s, m, v))
		return dkms_die(s, 4, "%s/%s is broken!\nMissing the source directory "
				"or the symbolic link pointing to it.\nManual "
				"intervention is required!", m, v);
	if (!dkms_is_added(s, m, v))
		return dkms_die(s, 3, "The module/version combo: %s/%s is not located "
				"in the DKMS tree.", m, v);
	return dkms_make_tarball(s, m, v, k);
}

static int kernel_hook(struct dkms_session *s, const char *a,
		       const struct dkms_kernels *k)
{
	int r = command_check_root(s);

	if (r == 0)
		r = command_one_kernel(s, a, k);
	if (r)
		return r;
	if (!strcmp(a, "kernel_preinst"))
		return dkms_kernel_preinst(s, k->kernelver[0], arch0(k));
	if (!strcmp(a, "kernel_postinst"))
		return dkms_kernel_postinst(s, k->kernelver[0], arch0(k));
	return dkms_kernel_prerm(s, k->kernelver[0], arch0(k));
}

int dkms_command_extra(struct dkms_session *s, const struct dkms_command *c)
{
	const struct dkms_kernels *k = c->k;
	const char *a = c->action;
	int r;

	if (!strcmp(a, "autoinstall")) {
		/* ours: several -k in one call (3.4.3 refuses them) */
		r = k->n > 1 ? command_all_banned(s, a) : command_one_kernel(s, a, k);
		if (r == 0)
			r = distinct_kernels_or_die(s, a, k);
		if (r == 0)
			r = command_check_root(s);
		/* 3.4.3 means to run post_transaction after an autoinstall
		 * that installed something, but never sees that list: no. */
		return r ? r : autoinstall(s, k);
	}
	if (!strcmp(a, "match")) {
		r = command_check_root(s);
		if (r == 0)
			r = command_one_kernel(s, a, k);
		return r ? r : dkms_match(s, c->module, k->kernelver[0], arch0(k));
	}
	if (!strcmp(a, "mktarball"))
		return mktarball(s, c, k);
	if (!strcmp(a, "ldtarball"))
		return dkms_ldtarball(s, k);
	if (startswith(a, "kernel_"))
		return kernel_hook(s, a, k);
	if (!strcmp(a, "generate_mok"))
		return dkms_generate_mok(s, k->n ? k->kernelver[0] : NULL);
	return dkms_die(s, 1, "The action %s is not available in this build.", a);
}
