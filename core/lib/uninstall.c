/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `dkms uninstall` and depmod: 3.4.3's do_uninstall, maybe_uninstall_module
 * and do_depmod.  Uninstalling puts back the original modules moved aside
 * at install time (NAME.origin says where they lived).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cycle.h"
#include "fault.h"
#include "initramfs.h"
#include "runner.h"

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
 * so another tree is reached through a temporary base with that link. */
static int run_depmod(struct dkms_session *s, const char *kver, int out_fd)
{
	const char *it = install_tree(s);
	const char *boot = dkms_ctx_get_path(s->ctx, DKMS_PATH_BOOT);
	_cleanup_free_ char *map = xasprintf("%s/System.map-%s", boot, kver);
	_cleanup_free_ char *tmpbase = NULL, *libdir = NULL, *link = NULL;
	struct dkms_run_opts ro = { 0 };
	char *argv[8];
	size_t n = 0;
	int status = 1, r;

	if (!map)
		return -ENOMEM;
	argv[n++] = (char *)"depmod";
	if (strcmp(it, "/lib/modules") != 0) {
		const char *tmp = dkms_ctx_get_path(s->ctx, DKMS_PATH_TMP);

		/* any writable place will do for a link */
		if (!is_dir(tmp))
			tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
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
	r = dkms_run(&ro, &status);
	if (tmpbase)
		rm_rf(tmpbase);
	return r < 0 ? r : status;
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
	} else if (s->defer_depmod) {
		/* scheduler.c runs it once all parallel installs are done */
		dkms_depmod_defer(s, kver);
	} else {
		status = run_depmod(s, kver, verbose ? DKMS_RUN_OUT_INHERIT
						     : DKMS_RUN_OUT_NULL);
		if (status < 0)
			status = 1;
		if (stat(dep, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
			drop_stale_depmod_files(lib);
	}
	invoke_end(s, cmd, status);
	return status;
}

/* Put back what install moved aside for dest module `name`.  0, or
 * -errno when one could not be put back (it stays in the backup, which
 * the caller then keeps). */
static int restore_originals(struct dkms_session *s, const struct dkms_op *op,
			      const struct modrec *m, const char *backup,
			      const char *cs)
{
	_cleanup_free_ char *prefix = xasprintf("%s/%s/", install_tree(s), op->kernelver);
	_cleanup_free_ char *pat = xasprintf("%s.", m->dest_name);
	_cleanup_free_ char *kdir = NULL, *orig = NULL, *orig_of = NULL;
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (!prefix || !pat)
		return -ENOMEM;
	if (is_dir(backup)) {
		d = opendir(backup);
		while (d && (de = readdir(d))) {
			_cleanup_free_ char *of = NULL, *mod = NULL, *text = NULL;
			char *nl;

			if (!startswith(de->d_name, pat) ||
			    !endswith(de->d_name, ".origin"))
				continue;
			of = path_join(backup, de->d_name);
			mod = of ? strndup(of, strlen(of) - 7) : NULL;
			if (!mod || !path_exists(mod) || read_file(of, &text, NULL) < 0)
				continue;
			nl = strchr(text, '\n');
			if (nl)
				*nl = '\0';
			if (!startswith(text, prefix)) {
				dkms_warn(s, "Bad original location '%s' in %s", text, of);
				continue;
			}
			dkms_echo(s, "Restoring archived original module %s", text);
			nl = strrchr(text, '/');
			*nl = '\0';
			mkdir_p(text, 0755);
			*nl = '/';
			/* the .origin goes only once the module is back */
			r = dkms_fault("restore original");
			if (r == 0)
				r = move_file(mod, text);
			if (r < 0)
				break;
			unlink(of);
		}
		if (d)
			closedir(d);
		kdir = strdup(backup);
		if (kdir && strrchr(kdir, '/'))
			*strrchr(kdir, '/') = '\0';
		if (kdir)
			delete_empty_dirs(kdir);
	}
	if (r < 0)
		return r;
	/* archived by older dkms without a .origin file (one with a .origin
	 * still there could not be put back: never guess its place) */
	orig = ko_in_dir(backup, m->dest_name, cs);
	orig_of = orig ? xasprintf("%s.origin", orig) : NULL;
	if (orig && orig_of && !path_exists(orig_of)) {
		_cleanup_free_ char *dir = xasprintf("%s%s/", prefix, m->raw_dest_location);
		_cleanup_free_ char *dst = dir ? path_join(dir, strrchr(orig, '/') + 1) : NULL;

		dkms_echo(s, "Restoring archived original module");
		if (!dst || mkdir_p(dir, 0755) < 0)
			return -EIO;
		r = dkms_fault("restore original");
		if (r == 0)
			r = move_file(orig, dst);
	}
	return r;
}

/* 0, or -errno when an installed file could not be deleted. */
static int delete_installed(struct dkms_session *s, const struct dkms_op *op,
			    const struct modconf *mc, size_t i, const char *cs)
{
	const struct modrec *m = &mc->mod[i];
	_cleanup_free_ char *real = find_actual_dest(s, mc, i, op->module,
						     op->kernelver, op->arch, cs);
	_cleanup_free_ char *lib = xasprintf("%s/%s", install_tree(s), op->kernelver);
	_cleanup_free_ char *dir = NULL, *pfx = NULL;
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (!real || !lib)
		return -ENOMEM;
	if (!*real) {
		dkms_echo(s, "Module %s.ko%s was not found within %s/%s/",
			  m->dest_name, cs, install_tree(s), op->kernelver);
		return 0;
	}
	dkms_echo(s, "Deleting %s/%s%s/%s.ko%s", install_tree(s), op->kernelver,
		  real, m->dest_name, cs);
	/* rm -f <dir>/<name>.ko* */
	dir = xasprintf("%s%s", lib, real);
	pfx = xasprintf("%s.ko", m->dest_name);
	d = dir ? opendir(dir) : NULL;
	while (r == 0 && d && pfx && (de = readdir(d))) {
		_cleanup_free_ char *p = NULL;

		if (!startswith(de->d_name, pfx))
			continue;
		p = path_join(dir, de->d_name);
		r = p ? dkms_fault("delete installed module") : -ENOMEM;
		if (r == 0 && unlink(p) < 0 && errno != ENOENT)
			r = -errno;
	}
	if (d)
		closedir(d);
	/* every distribution family we know prunes the empty directories;
	 * rpm ones first ask rpm whether it owns them (not done here) */
	rmdir_parents(lib, real);
	return r;
}

/* stops the walk (returns 2) at the first installed build */
static int any_installed(void *data, const struct dkms_status_entry *e)
{
	(void)data;
	return e->state == DKMS_STATE_INSTALLED ? 2 : 0;
}

int dkms_op_uninstall(struct dkms_session *s, const struct dkms_op *op)
{
	_cleanup_free_ char *backup = tree_path(s, "%s/original_module/%s/%s",
						op->module, op->kernelver, op->arch);
	_cleanup_free_ char *link = tree_path(s, "%s/kernel-%s-%s", op->module,
					      op->kernelver, op->arch);
	_cleanup_free_ char *build = tree_path(s, "%s/%s/%s/%s", op->module,
					       op->version, op->kernelver, op->arch);
	_cleanup_free_ char *origk = tree_path(s, "%s/original_module/%s",
					       op->module, op->kernelver);
	_cleanup_free_ char *origm = tree_path(s, "%s/original_module", op->module);
	_cleanup_free_ char *target = NULL;
	struct modconf mc;
	bool was_active = false;
	const char *cs;
	size_t i;
	int r;

	if (!backup || !link || !build || !origk || !origm)
		return -ENOMEM;
	dkms_echo(s, "Module %s/%s for kernel %s (%s):", op->module, op->version,
		  op->kernelver, op->arch);
	cs = module_compressed_suffix(s, op->kernelver);
	r = modconf_read(s, op->module, op->version, op->kernelver, op->arch,
			 NULL, 0, &mc);
	if (r)
		return r;
	target = realpath(link, NULL);
	if (target && !strcmp(target, build)) {
		was_active = true;
		dkms_echo(s, "Before uninstall, this module version was ACTIVE on this kernel.");
		if (!mc.no_weak_modules && weak_modules_cmd(s, false) &&
		    dkms_status_built_walk(s, op->module, op->version, NULL, NULL,
					   any_installed, NULL) == 2) {
			dkms_echo(s, "Removing linked weak modules...");
			weak_modules_run(s, op, &mc, weak_modules_cmd(s, false));
		}
		/* a step that fails stops here, the kernel link still set: the
		 * next uninstall does it again (the backup is kept) */
		for (i = 0; r == 0 && i < mc.n; i++) {
			r = delete_installed(s, op, &mc, i, cs);
			if (r == 0)
				r = restore_originals(s, op, &mc.mod[i], backup, cs);
		}
		if (r == 0)
			r = dkms_fault("kernel link removal");
		if (r == 0 && unlink(link) < 0 && errno != ENOENT)
			r = -errno;
		if (r < 0) {
			modconf_clear(&mc);
			return r;
		}
	} else {
		dkms_echo(s, "This module version was INACTIVE for this kernel.");
	}
	run_build_script(s, op, "post_remove", mc.post_remove, NULL);
	if (!s->delayed_depmod) {
		dkms_op_depmod(s, op->kernelver);
	} else {
		_cleanup_free_ char *p = tree_path(s, "depmod-pending-%s-%s",
						   op->kernelver, op->arch);
		int fd = p ? open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644) : -1;

		if (fd >= 0)
			close(fd);
	}
	if (was_active && is_dir(backup)) {
		dkms_echo(s, "Removing original module(s) from DKMS tree for kernel %s (%s)",
			  op->kernelver, op->arch);
		if (dkms_fault("drop original backup") == 0)
			rm_rf(backup);
		if (!dir_has_subdir(origk, NULL))
			rm_rf(origk);
	}
	if (!dir_has_subdir(origm, NULL))
		rm_rf(origm);
	if (was_active)
		initramfs_note(s, op, &mc);
	modconf_clear(&mc);
	return 0;
}

int dkms_op_maybe_uninstall(struct dkms_session *s, const struct dkms_op *op)
{
	_cleanup_free_ char *conf = NULL;
	bool excluded = false;

	if (dkms_is_installed(s, op))
		return dkms_op_uninstall(s, op);
	conf = tree_path(s, "%s/%s/source/dkms.conf", op->module, op->version);
	if (conf && path_exists(conf)) {
		struct modconf mc;
		int r = modconf_read(s, op->module, op->version, op->kernelver,
				     op->arch, conf,
				     MC_NO_DIE | MC_NO_STDERR | MC_NO_CACHE, &mc);

		if (r == 0 || r == 8) {
			excluded = mc.has_exclusive_per_module;
			modconf_clear(&mc);
		}
	}
	/* modules that BUILD_EXCLUSIVE may keep out are not worth a note */
	if (!excluded)
		dkms_echo(s, "Module %s/%s is not installed for kernel %s (%s). "
			  "Skipping...", op->module, op->version, op->kernelver,
			  op->arch);
	return 0;
}

int dkms_cmd_uninstall(struct dkms_session *s, const char *m, const char *v,
		       const struct dkms_kernels *k)
{
	size_t i;
	int r;

	for (i = 0; i < k->n; i++) {
		struct dkms_op op = { m, v, k->kernelver[i], k->arch[i] };

		if (i)
			dkms_echo(s, "%s", "");
		r = dkms_op_maybe_uninstall(s, &op);
		if (r)
			return r;
	}
	return 0;
}
