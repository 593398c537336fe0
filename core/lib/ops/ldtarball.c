/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ldtarball (and `dkms add ARCHIVE`): load an archive in dkms 3.4.3's
 * layout (tarball.c), a plain source tarball, or an .rpm.  Member names
 * are checked before anything is unpacked: absolute names and ".."
 * components are refused.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops.h"

static bool unsafe_member(const char *name)
{
	const char *p = name;

	if (*name == '/')
		return true;
	while (*p) {
		const char *e = strchrnul(p, '/');

		if (e - p == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}

/* List the archive's member names as stored and refuse it if one could
 * land outside the directory it is unpacked into. */
static int check_members(struct dkms_session *s, const char *archive,
			 const char *tmp)
{
	_cleanup_free_ char *lpath = path_join(tmp, "members");
	_cleanup_free_ char *text = NULL;
	char *argv[] = { "tar", "-taPf", (char *)archive, NULL };
	char *line, *save = NULL;
	size_t len;
	int fd, st, r;

	if (!lpath)
		return -ENOMEM;
	fd = open(lpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	st = tarball_run_tool(argv, fd);
	close(fd);
	r = read_file(lpath, &text, &len);
	unlink(lpath);
	if (r < 0)
		return r;
	/* not something tar can list: unpacking it fails the same way and
	 * 3.4.3's messages follow */
	if (st != 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (unsafe_member(line))
			return dkms_die(s, 7, "%s is not a valid DKMS tarball.\n"
					"Member %s is an absolute path or contains '..'.",
					archive, line);
	return 0;
}

static int unpack(struct dkms_session *s, const char *archive,
		  const char *tree)
{
	char *argv[] = { "tar", "-xaf", (char *)archive, "-C", (char *)tree,
			 "--no-same-owner", NULL };
	int r = mkdir_p(tree, 0755);

	if (r < 0)
		return r;
	/* 3.4.3 goes on whatever tar says; what is missing is found below */
	tarball_run_tool(argv, DKMS_RUN_OUT_INHERIT);
	(void)s;
	return 0;
}

/* find DIR -name dkms.conf | head -n 1: depth first, directory order. */
static char *find_conf(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *found = NULL;

	while (d && !found && (de = readdir(d))) {
		_cleanup_free_ char *p = NULL;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = path_join(dir, de->d_name);
		if (!p)
			break;
		if (!strcmp(de->d_name, "dkms.conf")) {
			found = p;
			p = NULL;
		} else if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			found = find_conf(p);
		}
	}
	if (d)
		closedir(d);
	return found;
}

/* get_pkginfo_from_conf: PACKAGE_NAME and PACKAGE_VERSION of a dkms.conf
 * into *ret_m and *ret_v, left NULL when one is empty (a malformed conf);
 * read_conf's code 8 when it is not valid. */
static int pkginfo(struct dkms_session *s, const struct dkms_kernels *k,
		   const char *conf, char **ret_m, char **ret_v)
{
	struct modconf mc;
	int r;

	*ret_m = *ret_v = NULL;
	r = modconf_read(s, "", "", k->n ? k->kernelver[0] : NULL,
			 k->n_arch ? k->arch[0] : NULL, conf, 0, &mc);
	if (r == 0 && mc.package_name && *mc.package_name &&
	    mc.package_version && *mc.package_version) {
		*ret_m = strdup(mc.package_name);
		*ret_v = strdup(mc.package_version);
		r = *ret_m && *ret_v ? 0 : -ENOMEM;
	}
	modconf_clear(&mc);
	return r;
}

/* What a staged directory is filled from at commit. */
struct fill {
	char *from;   /* merged in (cp -fprT), or its entries copied */
	char *old;    /* copied first, when what is there is merged into */
	bool entries;
};

static void fill_free(void *data)
{
	struct fill *f = data;

	free(f->from);
	free(f->old);
	free(f);
}

static int copy_entries(const char *src, const char *dst);

static int fill_dir(const char *dir, void *data)
{
	struct fill *f = data;
	int r = 0;

	if (f->old)
		r = tarball_copy_into(f->old, dir);
	if (r == 0)
		r = f->entries ? copy_entries(f->from, dir)
			       : tarball_copy_into(f->from, dir);
	return r;
}

/* Stage directory dst filled from `from` (see struct fill); the journal
 * frees what the fill needs. */
static int stage_dir(struct journal *j, const char *dst, const char *from,
		     const char *old, bool entries, bool replace)
{
	struct fill *f = calloc(1, sizeof(*f));
	int r;

	if (!f)
		return -ENOMEM;
	f->from = strdup(from);
	f->old = old ? strdup(old) : NULL;
	f->entries = entries;
	r = f->from && (!old || f->old) ? journal_call(j, NULL, f, fill_free) : -ENOMEM;
	if (r < 0) {
		if (!f->from || (old && !f->old))
			fill_free(f);
		return r;
	}
	return journal_stage_tree(j, dst, replace, fill_dir, f);
}

/* add_source_tree: copy a source tree to <source_tree>/<m>-<v>. */
static int add_source_tree(struct dkms_session *s, const struct dkms_kernels *k,
			   const char *dir, char **ret_m, char **ret_v,
			   struct journal *j)
{
	bool forced = false;

	_cleanup_free_ char *from = realpath(dir, NULL);
	_cleanup_free_ char *conf = from ? path_join(from, "dkms.conf") : NULL;
	_cleanup_free_ char *dst = NULL, *src_link = NULL, *build = NULL;
	struct stat st;
	int r;

	if (!conf || stat(conf, &st) < 0 || !S_ISREG(st.st_mode))
		return dkms_die(s, 9, "%s must contain a dkms.conf file!", dir);
	if (geteuid() != 0)
		return dkms_die(s, 1, "You must be root to use this command.");
	r = pkginfo(s, k, conf, ret_m, ret_v);
	if (r)
		return r;
	if (!*ret_m)
		return dkms_die(s, 10, "Malformed dkms.conf file. Cannot load source tree.");
	dst = xasprintf("%s/%s-%s", source_tree(s), *ret_m, *ret_v);
	src_link = tree_path(s, "%s/%s/source", *ret_m, *ret_v);
	build = tree_path(s, "%s/%s/build", *ret_m, *ret_v);
	if (!dst || !src_link || !build)
		return -ENOMEM;
	if (dkms_opt(s, DKMS_OPT_FORCE) && is_dir(dst)) {
		dkms_printf(s->ctx, DKMS_STDERR, "\n");
		dkms_echo(s, "Forcing install of %s/%s", *ret_m, *ret_v);
		forced = true;
	}
	/* already where it belongs */
	if (!strcmp(from, dst) || !strcmp(from, src_link) || !strcmp(from, build)) {
		/* (rm -rf first, as 3.4.3 does) */
		return forced ? journal_add(j, JOP_RMTREE, dst, NULL, NULL) : 0;
	}
	/* staged beside it: the old content (unless forced away) with the
	 * new merged in, renamed into place in one step */
	return stage_dir(j, dst, from, !forced && is_dir(dst) ? dst : NULL,
			 false, true);
}

/* Which part of a dkms archive holds a usable dkms.conf. */
static int pick_part(struct dkms_session *s, const struct dkms_kernels *k,
		     const char *tree, const char **ret_loc, char **ret_m,
		     char **ret_v)
{
	static const char *const parts[] = { "dkms_source_tree", "dkms_binaries_only" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		_cleanup_free_ char *conf = xasprintf("%s/%s/dkms.conf", tree, parts[i]);
		struct stat st;
		int r;

		if (!conf)
			return -ENOMEM;
		if (stat(conf, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		free(*ret_m);
		free(*ret_v);
		r = pkginfo(s, k, conf, ret_m, ret_v);
		if (r)
			return r;
		if (!*ret_m) {
			dkms_printf(s->ctx, DKMS_STDERR, "\nMalformed dkms.conf, refusing to load.\n");
			continue;
		}
		if (dkms_is_added(s, *ret_m, *ret_v) && !dkms_opt(s, DKMS_OPT_FORCE))
			return dkms_die(s, 8, "%s/%s is already added!\nAborting.",
					*ret_m, *ret_v);
		*ret_loc = parts[i];
		return 0;
	}
	return dkms_die(s, 7, "No valid dkms.conf in dkms_source_tree or dkms_binaries_only.\n"
			"%s is not a valid DKMS tarball.", s->archive);
}

/* A binaries-only archive gets a stub source dir holding its dkms.conf,
 * unless the real source is installed. */
static int stub_source(struct dkms_session *s, const char *tree,
		       const char *m, const char *v, struct journal *j)
{
	_cleanup_free_ char *real = xasprintf("%s/%s-%s", source_tree(s), m, v);
	_cleanup_free_ char *dir = tree_path(s, "%s/%s/source", m, v);
	_cleanup_free_ char *from = xasprintf("%s/dkms_binaries_only/dkms.conf", tree);
	_cleanup_free_ char *to = dir ? path_join(dir, "dkms.conf") : NULL;
	int r;

	if (!real || !dir || !from || !to)
		return -ENOMEM;
	if (is_dir(real))
		return 0;
	dkms_echo(s, "Creating %s", dir);
	r = journal_mkdir(j, dir);
	if (r < 0)
		return r;
	dkms_echo(s, "Copying dkms.conf to %s ...", dir);
	return journal_stage_copy(j, from, to, 0644, false);
}

/* "<kver>/<arch>" of every directory dkms_main_tree/ * / * in glob order. */
static int main_tree_dirs(const char *tree, struct namelist *out)
{
	_cleanup_free_ char *main_tree = path_join(tree, "dkms_main_tree");
	struct namelist ks = { 0 };
	size_t i;
	int r = 0;

	if (!main_tree)
		return -ENOMEM;
	r = namelist_dir(&ks, main_tree, false);
	for (i = 0; r == 0 && i < ks.n; i++) {
		_cleanup_free_ char *kd = path_join(main_tree, ks.v[i]);
		struct namelist as = { 0 };
		size_t j;

		r = kd ? namelist_dir(&as, kd, false) : -ENOMEM;
		for (j = 0; r == 0 && j < as.n; j++) {
			_cleanup_free_ char *ad = path_join(kd, as.v[j]);

			if (ad && is_dir(ad))
				r = namelist_addf(out, "%s/%s", ks.v[i], as.v[j]);
		}
		namelist_clear(&as);
	}
	namelist_clear(&ks);
	if (out->n)
		qsort(out->v, out->n, sizeof(char *), namelist_cmp);
	return r;
}

/* Copy the visible entries of src into dst (cp -rf src/ * dst/). */
static int copy_entries(const char *src, const char *dst)
{
	struct namelist es = { 0 };
	size_t i;
	int r = namelist_dir(&es, src, false);

	for (i = 0; r == 0 && i < es.n; i++) {
		_cleanup_free_ char *a = path_join(src, es.v[i]);
		_cleanup_free_ char *b = path_join(dst, es.v[i]);

		if (!a || !b)
			r = -ENOMEM;
		else
			r = path_exists(b) ? tarball_copy_into(a, b) : copy_tree(a, b);
	}
	namelist_clear(&es);
	return r;
}

/* Load the prebuilt modules.  3.4.3 declares the destination readonly
 * inside its loop, so every archive directory after the first goes to the
 * first one's place (and is skipped when that exists, without --force). */
static int load_binaries(struct dkms_session *s, const char *tree,
			 const char *m, const char *v, struct journal *j)
{
	struct namelist kas = { 0 };
	_cleanup_free_ char *dest = NULL, *last = NULL;
	bool planned = false;
	size_t i;
	int r = main_tree_dirs(tree, &kas);

	for (i = 0; r == 0 && i < kas.n; i++) {
		_cleanup_free_ char *from = xasprintf("%s/dkms_main_tree/%s", tree, kas.v[i]);

		if (!dest)
			dest = tree_path(s, "%s/%s/%s", m, v, kas.v[i]);
		if (!from || !dest) {
			r = -ENOMEM;
			break;
		}
		if ((planned || is_dir(dest)) && !dkms_opt(s, DKMS_OPT_FORCE)) {
			dkms_warn(s, "%s already exists. Skipping...", dest);
			continue;
		}
		dkms_echo(s, "Loading %s...", dest);
		/* rm -rf and a copy each time: the last one loaded stays */
		free(last);
		last = from;
		from = NULL;
		planned = true;
	}
	if (r == 0 && last)
		r = stage_dir(j, dest, last, NULL, true, true);
	namelist_clear(&kas);
	return r;
}

static int load_rpm(struct dkms_session *s, const struct dkms_kernels *k)
{
	char *argv[] = { "rpm", "-Uvh", s->archive, NULL };

	if (tarball_run_tool(argv, DKMS_RUN_OUT_INHERIT) != 0)
		return dkms_die(s, 9, "Unable to install %s using rpm.\n"
				"Check to ensure that your system can install .rpm files.",
				s->archive);
	return s->load_handlers->autoinstall(s, k->kernelver[0], k->arch[0]);
}

/* The archive unpacked in tree: register and load it; *unsourced: the
 * binaries were loaded without their source (3.4.3's load_tarball ends
 * with status 1, no message). */
static int load_unpacked(struct dkms_session *s, const struct dkms_kernels *k,
			 const char *tree, char **ret_m, char **ret_v,
			 struct journal *j, bool *unsourced)
{
	_cleanup_free_ char *main_tree = path_join(tree, "dkms_main_tree");
	_cleanup_free_ char *real = NULL;
	const char *loc = NULL;
	int r;

	if (!main_tree)
		return -ENOMEM;
	if (!is_dir(main_tree)) {
		/* not from mktarball: any dkms.conf inside names the source */
		_cleanup_free_ char *conf = find_conf(tree);

		if (!conf)
			return dkms_die(s, 3, "Tarball does not appear to be a correctly formed DKMS archive. No dkms.conf found within it.");
		conf[strlen(conf) - strlen("dkms.conf")] = '\0';
		return add_source_tree(s, k, conf, ret_m, ret_v, j);
	}
	r = pick_part(s, k, tree, &loc, ret_m, ret_v);
	if (r)
		return r;
	dkms_echo(s, "%s", "");
	dkms_echo(s, "Loading tarball for %s/%s", *ret_m, *ret_v);
	if (!strcmp(loc, "dkms_source_tree")) {
		_cleanup_free_ char *src = path_join(tree, loc);
		char *m2 = NULL, *v2 = NULL;

		r = src ? add_source_tree(s, k, src, &m2, &v2, j) : -ENOMEM;
		free(m2);
		free(v2);
	} else {
		r = stub_source(s, tree, *ret_m, *ret_v, j);
	}
	if (r == 0)
		r = load_binaries(s, tree, *ret_m, *ret_v, j);
	if (r)
		return r;
	real = xasprintf("%s/%s-%s", source_tree(s), *ret_m, *ret_v);
	if (!real)
		return -ENOMEM;
	/* binaries without their source: loaded, but not added */
	*unsourced = !strcmp(loc, "dkms_binaries_only") && !is_dir(real);
	return 0;
}

/* The steps of the add that follows (mkdir build, the source link), for
 * a recovery only: the run's own add does them, with its messages. */
static int plan_add(struct dkms_session *s, struct journal *j, const char *m,
		    const char *v)
{
	_cleanup_free_ char *build = tree_path(s, "%s/%s/build", m, v);
	_cleanup_free_ char *link = tree_path(s, "%s/%s/source", m, v);
	_cleanup_free_ char *src = xasprintf("%s/%s-%s", source_tree(s), m, v);
	struct stat st;
	int r;

	if (!build || !link || !src)
		return -ENOMEM;
	if (lstat(link, &st) == 0)
		return 0; /* added already: the add refuses */
	r = journal_add_recovery(j, JOP_MKDIR, build, NULL);
	return r ? r : journal_add_recovery(j, JOP_SYMLINK, link, src);
}

static int load_tarball(struct dkms_session *s, const struct dkms_kernels *k,
			char **ret_m, char **ret_v, struct journal *j, bool add,
			bool *unsourced)
{
	const char *a = s->archive ? s->archive : "";
	_cleanup_free_ char *tmp = NULL, *tree = NULL;
	int r, q;

	*ret_m = *ret_v = NULL;
	*unsourced = false;
	if (!*a || !path_exists(a))
		return dkms_die(s, 2, "%s does not exist.", a);
	if (endswith(a, ".rpm"))
		return load_rpm(s, k);
	r = tarball_temp_dir(s, &tmp);
	if (r)
		return r;
	tree = path_join(tmp, "tree");
	r = tree ? check_members(s, a, tmp) : -ENOMEM;
	if (r == 0)
		r = unpack(s, a, tree);
	if (r == 0)
		r = load_unpacked(s, k, tree, ret_m, ret_v, j, unsourced);
	if (r == 0 && add && !*unsourced)
		r = plan_add(s, j, *ret_m, *ret_v);
	/* what was planned is done, even for a binaries-only archive */
	if (r == 0 && !journal_empty(j)) {
		q = journal_commit(j);
		if (q == 0)
			q = journal_run(j, false);
		if (q < 0)
			r = q;
	}
	rm_rf(tmp);
	return r;
}

static struct journal *ldtarball_journal(struct dkms_session *s)
{
	const char *a = s->archive ? strrchr(s->archive, '/') : NULL;
	_cleanup_free_ char *what = xasprintf("load of %s", a ? a + 1 :
					      s->archive ? s->archive : "");

	return what ? journal_new(s, what) : NULL;
}

int dkms_load_tarball(struct dkms_session *s, const struct dkms_kernels *k,
		      char **ret_m, char **ret_v)
{
	_cleanup_(journal_freep) struct journal *j = ldtarball_journal(s);
	bool unsourced;
	int r;

	*ret_m = *ret_v = NULL;
	if (!j)
		return -ENOMEM;
	/* add_module goes on whatever load_tarball's status */
	r = load_tarball(s, k, ret_m, ret_v, j, false, &unsourced);
	if (r == 0 || dkms_errno_is_exit(r)) {
		int q = journal_end(j);

		if (q < 0)
			r = q;
	}
	return r;
}

int dkms_ldtarball(struct dkms_session *s, const struct dkms_kernels *k)
{
	_cleanup_(journal_freep) struct journal *j = NULL;
	char *m = NULL, *v = NULL;
	bool unsourced = false;
	int r, q;

	if (geteuid() != 0 && dkms_opt(s, DKMS_OPT_FORCE))
		return dkms_die(s, 1, "You must be root to use this command with the --force option.");
	j = ldtarball_journal(s);
	if (!j)
		return -ENOMEM;
	r = load_tarball(s, k, &m, &v, j, true, &unsourced);
	if (r == 0 && !unsourced) {
		struct dkms_op op = { m, v, NULL, NULL };

		/* a fault here: the recovery does the add's steps */
		r = dkms_fault("add");
		if (r == 0)
			r = dkms_op_add(s, &op);
	}
	/* the journal goes once the add is done (or refused) */
	if ((r == 0 || dkms_errno_is_exit(r)) && (q = journal_end(j)) < 0)
		r = q;
	/* load_tarball && add_module: a binaries-only load ends with 1 */
	if (r == 0 && unsourced)
		r = -DKMS_EFAILED;
	free(m);
	free(v);
	return r;
}
