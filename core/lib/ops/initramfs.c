/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Initramfs regeneration, once per kernel at the end of a batch.  Off by
 * default so that an ordinary install prints what 3.4.3 prints; switched
 * on by framework.conf's initramfs_command (a command with $kernelver, or
 * "auto" for the system's own tool) and off again by --no-initrd.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ops/ops.h"

static bool enabled(const struct dkms_session *s)
{
	const char *c = s->fw.initramfs_command;

	return c && *c && !dkms_opt(s, DKMS_OPT_NO_INITRD);
}

static bool pending_has(const struct dkms_session *s, const char *kver)
{
	char **k;

	for (k = s->initramfs_pending; k && *k; k++)
		if (!strcmp(*k, kver))
			return true;
	return false;
}

static int pending_add(struct dkms_session *s, const char *kver)
{
	size_t n = 0;
	char **v;

	if (pending_has(s, kver))
		return 0;
	while (s->initramfs_pending && s->initramfs_pending[n])
		n++;
	v = realloc(s->initramfs_pending, (n + 2) * sizeof(char *));
	if (!v)
		return -ENOMEM;
	s->initramfs_pending = v;
	v[n] = strdup(kver);
	v[n + 1] = NULL;
	return v[n] ? 0 : -ENOMEM;
}

static bool remake_initrd(const struct modconf *mc)
{
	const char *v = mc->conf ? varset_value(&mc->conf->vars, "REMAKE_INITRD", 0) : "";

	return tolower((unsigned char)v[0]) == 'y';
}

/* The image of a kernel and the program that lists it, when both exist. */
static char *list_command(const struct dkms_session *s, const char *kver)
{
	const char *boot = dkms_ctx_get_path(s->ctx, DKMS_PATH_BOOT);
	_cleanup_free_ char *deb = xasprintf("%s/initrd.img-%s", boot, kver);
	_cleanup_free_ char *rh = xasprintf("%s/initramfs-%s.img", boot, kver);

	if (deb && path_exists(deb))
		return xasprintf("lsinitramfs '%s' 2>/dev/null", deb);
	if (rh && path_exists(rh))
		return xasprintf("lsinitrd '%s' 2>/dev/null", rh);
	return NULL;
}

/* Whether one of mc's modules is in kver's initramfs now. */
static bool in_initramfs(struct dkms_session *s, const char *kver,
			 const struct modconf *mc)
{
	_cleanup_free_ char *cmd = list_command(s, kver), *out = NULL;
	int status = 1;
	size_t i;

	if (!cmd || run_capture(s, cmd, &out, &status) < 0 || status != 0 || !out)
		return false;
	for (i = 0; i < mc->n; i++) {
		_cleanup_free_ char *needle = xasprintf("/%s.ko", mc->mod[i].dest_name);

		if (needle && strstr(out, needle))
			return true;
	}
	return false;
}

void initramfs_note(struct dkms_session *s, const struct dkms_op *op,
		    const struct modconf *mc)
{
	/* kernel_preinst/kernel_prerm (delayed depmod): the kernel is going
	 * away or being replaced, its package makes the next image */
	if (!enabled(s) || !op->kernelver || s->depmod.delayed ||
	    pending_has(s, op->kernelver))
		return;
	if (remake_initrd(mc) || in_initramfs(s, op->kernelver, mc))
		pending_add(s, op->kernelver);
}

static bool have(const char *prog)
{
	_cleanup_free_ char *p1 = xasprintf("/usr/sbin/%s", prog);
	_cleanup_free_ char *p2 = xasprintf("/sbin/%s", prog);
	_cleanup_free_ char *p3 = xasprintf("/usr/bin/%s", prog);

	return (p1 && access(p1, X_OK) == 0) || (p2 && access(p2, X_OK) == 0) ||
	       (p3 && access(p3, X_OK) == 0);
}

/* "auto": the tool this system makes its images with. */
static char *auto_command(const char *kver)
{
	if (have("update-initramfs"))
		return xasprintf("update-initramfs -u -k '%s'", kver);
	if (have("dracut"))
		return xasprintf("dracut -f --kver '%s'", kver);
	if (have("mkinitcpio"))
		return strdup("mkinitcpio -P");
	return NULL;
}

static int regenerate(struct dkms_session *s, const char *kver)
{
	const char *c = s->fw.initramfs_command;
	_cleanup_free_ char *cmd = NULL, *desc = NULL, *log = NULL;

	cmd = !strcmp(c, "auto") ? auto_command(kver) : fw_expand(c, kver);
	if (!cmd) {
		dkms_warn(s, "No initramfs tool found (update-initramfs, dracut, "
			  "mkinitcpio): the initramfs of kernel %s is not updated.",
			  kver);
		return -ENOENT;
	}
	desc = xasprintf("Updating initramfs for kernel %s", kver);
	log = tree_path(s, "initramfs-%s.log", kver);
	if (!desc)
		return -ENOMEM;
	return invoke_command(s, NULL, cmd, desc, log, NULL, false);
}

int initramfs_run_pending(struct dkms_session *s)
{
	char **k;
	int r, ret = 0;

	for (k = s->initramfs_pending; k && *k; k++) {
		r = enabled(s) ? regenerate(s, *k) : 0;
		if (r && !ret)
			ret = r;
		free(*k);
	}
	free(s->initramfs_pending);
	s->initramfs_pending = NULL;
	return ret;
}
