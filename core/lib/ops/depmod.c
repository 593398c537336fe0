/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * depmod: 3.4.3's do_depmod for one kernel, the quiet one a recovery runs,
 * and the deferral a parallel run uses: a step run beside others only
 * notes its kernel, and the run ends with one depmod per noted kernel.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops.h"

static const char *const depmod_files[] = {
	"modules.alias", "modules.dep", "modules.devname", "modules.softdep",
	"modules.symbols", "modules.weakdep",
};

/* modules.dep empty: the kernel is gone, leave no depmod files behind */
static void drop_stale_depmod_files(const char *lib)
{
	DIR *d;
	struct dirent *de;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(depmod_files); i++) {
		_cleanup_free_ char *p = path_join(lib, depmod_files[i]);

		if (p)
			unlink(p);
	}
	d = opendir(lib);
	while (d && (de = readdir(d))) {
		_cleanup_free_ char *p = NULL;

		if (!startswith(de->d_name, "modules.") ||
		    !endswith(de->d_name, ".bin"))
			continue;
		p = path_join(lib, de->d_name);
		if (p)
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(lib);
}

/* depmod -a KVER for our install tree: depmod only knows <base>/lib/modules,
 * so another tree is reached through a temporary base with that link.
 * 0 and depmod's exit status in *status, or -errno when it did not run. */
static int run_depmod(struct dkms_session *s, const char *kver, int out_fd,
		      int *status)
{
	const char *it = install_tree(s);
	const char *boot = dkms_ctx_get_path(s->ctx, DKMS_PATH_BOOT);
	_cleanup_free_ char *map = xasprintf("%s/System.map-%s", boot, kver);
	_cleanup_free_ char *tmpbase = NULL, *libdir = NULL, *link = NULL;
	struct dkms_run_opts ro = { 0 };
	char *argv[8];
	size_t n = 0;
	int r;

	*status = 1;
	if (!map)
		return -ENOMEM;
	argv[n++] = (char *)"depmod";
	if (strcmp(it, "/lib/modules") != 0) {
		const char *tmp = dkms_ctx_get_path(s->ctx, DKMS_PATH_TMP);

		/* any writable place will do for a link */
		if (!is_dir(tmp))
			tmp = "/tmp";
		tmpbase = xasprintf("%s/dkms-depmod.XXXXXX", tmp);
		if (!tmpbase || !mkdtemp(tmpbase))
			return -EIO;
		libdir = path_join(tmpbase, "lib");
		link = path_join(tmpbase, "lib/modules");
		if (!libdir || !link || mkdir(libdir, 0755) < 0 ||
		    symlink(it, link) < 0) {
			rm_rf(tmpbase);
			return -EIO;
		}
		argv[n++] = (char *)"-b";
		argv[n++] = tmpbase;
	}
	argv[n++] = (char *)"-a";
	argv[n++] = (char *)kver;
	if (path_exists(map)) {
		argv[n++] = (char *)"-F";
		argv[n++] = map;
	}
	argv[n] = NULL;
	ro.argv = argv;
	ro.out_fd = out_fd;
	r = dkms_run(&ro, status);
	if (tmpbase)
		rm_rf(tmpbase);
	return r;
}

int dkms_op_depmod(struct dkms_session *s, const char *kver)
{
	bool verbose = dkms_opt(s, DKMS_OPT_VERBOSE);
	_cleanup_free_ char *cmd = xasprintf("do_depmod %s", kver);
	_cleanup_free_ char *lib = xasprintf("%s/%s", install_tree(s), kver);
	_cleanup_free_ char *dep = lib ? path_join(lib, "modules.dep") : NULL;
	struct stat st;
	int status = 0;

	if (!cmd || !dep)
		return -ENOMEM;
	invoke_begin(s, cmd, "Running depmod");
	if (dkms_opt(s, DKMS_OPT_NO_DEPMOD)) {
		/* nothing */
	} else if (stat(dep, &st) < 0 || !S_ISREG(st.st_mode)) {
		/* said inside the background step: only --verbose shows it */
		if (verbose)
			dkms_echo(s, "Skipping depmod because '%s' is missing.", dep);
	} else if (s->depmod.defer) {
		/* the run ends with it, once all parallel installs are done */
		dkms_depmod_defer(s, kver);
	} else {
		/* one that could not run failed, as 3.4.3 sees depmod fail:
		 * "bad exit status", and an install rolled back */
		if (run_depmod(s, kver, verbose ? DKMS_RUN_OUT_INHERIT :
				   DKMS_RUN_OUT_NULL, &status) < 0)
			status = 1;
		if (stat(dep, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
			drop_stale_depmod_files(lib);
	}
	invoke_end(s, cmd, status);
	return dkms_exit_to_errno(status);
}

/* depmod for a recovery: what dkms_op_depmod does, without a word */
int dkms_depmod_quiet(struct dkms_session *s, const char *kver)
{
	_cleanup_free_ char *lib = xasprintf("%s/%s", install_tree(s), kver);
	_cleanup_free_ char *dep = lib ? path_join(lib, "modules.dep") : NULL;
	struct stat st;
	int status, r;

	if (!dep)
		return -ENOMEM;
	if (stat(dep, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	r = run_depmod(s, kver, DKMS_RUN_OUT_NULL, &status);
	if (stat(dep, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
		drop_stale_depmod_files(lib);
	return r < 0 ? r : dkms_exit_to_errno(status);
}

void dkms_depmod_defer(struct dkms_session *s, const char *kver)
{
	(void)strv_add_unique(&s->depmod.deferred, kver);
}

/* Quiet output for the parent's own depmod at the end. */
static void drop_output(void *data, enum dkms_stream stream, const char *t,
			size_t len)
{
	(void)data;
	(void)stream;
	(void)t;
	(void)len;
}

void dkms_depmod_run_deferred(struct dkms_session *s)
{
	dkms_output_fn fn;
	void *data;
	char **k;

	/* a batch runs them once, at its very end */
	if (!s->depmod.deferred || s->depmod.hold)
		return;
	dkms_ctx_get_output_fn(s->ctx, &fn, &data);
	dkms_ctx_set_output_fn(s->ctx, drop_output, NULL);
	for (k = s->depmod.deferred; *k; k++)
		dkms_op_depmod(s, *k);
	dkms_ctx_set_output_fn(s->ctx, fn, data);
	for (k = s->depmod.deferred; *k; k++)
		free(*k);
	free(s->depmod.deferred);
	s->depmod.deferred = NULL;
}
