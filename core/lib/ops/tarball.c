/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mktarball and ldtarball, in dkms 3.4.3's archive layout:
 *   ./dkms_main_tree/<kver>/<arch>/{module,log}/...   prebuilt modules
 *   ./dkms_source_tree/...                            the module source
 *   ./dkms_binaries_only/{PACKAGE_NAME,PACKAGE_VERSION,dkms.conf}
 * The archive itself is written and read by tar(1), as 3.4.3 does, so the
 * compression follows the file name.  Archives with absolute member names
 * or ".." components are refused before anything is unpacked
 * (ldtarball.c).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops.h"

const char *tarball_tmp_location(const struct dkms_session *s)
{
	const char *t = s->fw.tmp_location;

	/* else the context's: the caller's ${TMPDIR:-/tmp} */
	if (!t || !*t)
		t = dkms_ctx_get_path(s->ctx, DKMS_PATH_TMP);
	return t && *t ? t : "/tmp";
}

int tarball_temp_dir(struct dkms_session *s, char **ret)
{
	char *t = xasprintf("%s/dkms.XXXXXX", tarball_tmp_location(s));

	*ret = NULL;
	if (t && !mkdtemp(t)) {
		free(t);
		t = NULL;
	}
	if (!t)
		return dkms_die(s, 1, "Unable to make temporary directory.");
	*ret = t;
	return 0;
}

/* Run a tool quietly; 0, its exit status's errno, or -errno. */
int tarball_run_tool(char *const *argv, int out_fd)
{
	struct dkms_run_opts o = { .argv = argv, .out_fd = out_fd };
	int status = 1, r;

	r = dkms_run(&o, &status);
	return r < 0 ? r : dkms_exit_to_errno(status);
}

/* cp -fprT SRC/ DST: merge SRC's content into DST, keeping modes,
 * owners and times. */
int tarball_copy_into(const char *src, const char *dst)
{
	_cleanup_free_ char *s = xasprintf("%s/", src);
	char *argv[] = { "cp", "-fprT", s, (char *)dst, NULL };

	if (!s)
		return -ENOMEM;
	return tarball_run_tool(argv, DKMS_RUN_OUT_NULL) == 0 ? 0 : -EIO;
}

int tarball_write_line(const char *path, const char *text)
{
	_cleanup_free_ char *t = xasprintf("%s\n", text);

	return t ? write_file_atomic(path, t, strlen(t), 0644) : -ENOMEM;
}

/* ---- mktarball ----------------------------------------------------------- */

/* Copy the built modules of every kernel; the "kernel<k>-<a>" list that
 * names the archive goes to *list. */
static int mark_kernels(struct dkms_session *s, const char *m, const char *v,
			const struct dkms_kernels *k, const char *tmp,
			struct strbuf *list)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		_cleanup_free_ char *built = tree_path(s, "%s/%s/%s/%s", m, v,
						       k->kernelver[i], k->arch[i]);
		_cleanup_free_ char *kdir = xasprintf("%s/dkms_main_tree/%s", tmp,
						      k->kernelver[i]);
		_cleanup_free_ char *dst = xasprintf("%s/%s", kdir ? kdir : "", k->arch[i]);
		int r;

		if (!built || !kdir || !dst)
			return -ENOMEM;
		if (!is_dir(built))
			return dkms_die(s, 6, "No modules built for %s (%s).\n"
					"Modules must already be in the built state before using mktarball.",
					k->kernelver[i], k->arch[i]);
		dkms_echo(s, "Marking modules for %s (%s) for archiving...",
			  k->kernelver[i], k->arch[i]);
		strbuf_addf(list, "%skernel%s-%s", list->len ? "-" : "",
			    k->kernelver[i], k->arch[i]);
		r = mkdir_p(kdir, 0755);
		if (r < 0)
			return r;
		r = path_exists(dst) ? tarball_copy_into(built, dst) : copy_tree(built, dst);
		if (r < 0)
			return r;
	}
	return 0;
}

static int mark_binaries_only(struct dkms_session *s, const char *m,
			      const char *v, const char *tmp)
{
	_cleanup_free_ char *dir = xasprintf("%s/dkms_binaries_only", tmp);
	_cleanup_free_ char *def = tree_path(s, "%s/%s/source/dkms.conf", m, v);
	_cleanup_free_ char *pn = NULL, *pv = NULL, *dst = NULL;
	const char *conf = s->conf ? s->conf : def;
	const char *base;
	int r;

	if (!dir || !def)
		return -ENOMEM;
	dkms_echo(s, "%s", "");
	dkms_echo(s, "Creating tarball structure to specifically accommodate binaries.");
	if (mkdir(dir, 0755) < 0)
		return -errno;
	pn = path_join(dir, "PACKAGE_NAME");
	pv = path_join(dir, "PACKAGE_VERSION");
	base = strrchr(conf, '/');
	dst = path_join(dir, base ? base + 1 : conf);
	if (!pn || !pv || !dst)
		return -ENOMEM;
	r = tarball_write_line(pn, m);
	if (r == 0)
		r = tarball_write_line(pv, v);
	if (r < 0)
		return r;
	/* a missing conf is not an error for 3.4.3 (cp ... 2>/dev/null) */
	copy_file_to(conf, dst, 0644);
	return 0;
}

static int mark_source(struct dkms_session *s, const char *m, const char *v,
		       const char *tmp)
{
	_cleanup_free_ char *src = tree_path(s, "%s/%s/source", m, v);
	_cleanup_free_ char *dst = xasprintf("%s/dkms_source_tree", tmp);
	int r;

	if (!src || !dst)
		return -ENOMEM;
	dkms_echo(s, "%s", "");
	dkms_echo(s, "Marking %s for archiving...", src);
	r = mkdir_p(dst, 0755);
	return r < 0 ? r : tarball_copy_into(src, dst);
}

/* Where the archive goes: <m>/<v>/tarball/ or --archive's directory. */
static int tarball_target(struct dkms_session *s, const char *m, const char *v,
			  const char *list, char **ret_dir, char **ret_name)
{
	const char *a = s->archive;

	if (a && *a) {
		const char *slash = strrchr(a, '/');

		*ret_name = strdup(slash ? slash + 1 : a);
		*ret_dir = slash ? strndup(a, (size_t)(slash - a))
				 : tree_path(s, "%s/%s/tarball/", m, v);
	} else {
		*ret_name = xasprintf("%s-%s-%s.dkms.tar.gz", m, v, list);
		*ret_dir = tree_path(s, "%s/%s/tarball/", m, v);
	}
	return *ret_name && *ret_dir ? 0 : -ENOMEM;
}

static int write_tarball(struct dkms_session *s, const char *tmp,
			 const char *dir, const char *name)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	char *argv[] = { "tar", "-C", (char *)tmp, "-caf", path, ".", NULL };

	if (!path)
		return -ENOMEM;
	dkms_echo(s, "%s", "");
	dkms_echo(s, "Tarball location: %s", path);
	if (!is_dir(dir) && mkdir_p(dir, 0755) < 0)
		return dkms_die(s, 9, "Missing write permissions for %s.", dir);
	if (access(dir, W_OK) < 0)
		return dkms_die(s, 9, "Missing write permissions for %s.", dir);
	if (tarball_run_tool(argv, DKMS_RUN_OUT_NULL) != 0)
		return dkms_die(s, 6, "Failed to make tarball.");
	return 0;
}

int dkms_make_tarball(struct dkms_session *s, const char *m, const char *v,
		      const struct dkms_kernels *k)
{
	_cleanup_free_ char *tmp = NULL, *main_tree = NULL;
	_cleanup_free_ char *dir = NULL, *name = NULL;
	struct strbuf list = { 0 };
	struct modconf mc;
	int r;

	r = modconf_read(s, m, v, k->n ? k->kernelver[0] : NULL,
			 k->n_arch ? k->arch[0] : NULL, NULL, 0, &mc);
	modconf_clear(&mc);
	if (r)
		return r;
	r = tarball_temp_dir(s, &tmp);
	if (r)
		return r;
	main_tree = path_join(tmp, "dkms_main_tree");
	r = main_tree ? mkdir_p(main_tree, 0755) : -ENOMEM;
	if (r == 0 && dkms_opt(s, DKMS_OPT_SOURCE_ONLY))
		r = strbuf_adds(&list, "source-only");
	else if (r == 0)
		r = mark_kernels(s, m, v, k, tmp, &list);
	if (r == 0)
		r = dkms_opt(s, DKMS_OPT_BINARIES_ONLY) ? mark_binaries_only(s, m, v, tmp)
							: mark_source(s, m, v, tmp);
	/* 3.4.3 measures the list with its newline: 200 characters or more */
	if (r == 0 && list.len + 1 > 200) {
		strbuf_release(&list);
		r = strbuf_adds(&list, "manykernels");
	}
	if (r == 0)
		r = tarball_target(s, m, v, strbuf_str(&list), &dir, &name);
	if (r == 0)
		r = write_tarball(s, tmp, dir, name);
	strbuf_release(&list);
	rm_rf(tmp);
	return r;
}
