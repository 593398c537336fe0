/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which package provides a kernel's headers, as the package databases
 * under the root know it (doc/headers.md).  Each family's databases are
 * read with libsolv, loaded on first use:
 *   dpkg:   dpkg's status and apt's package lists: the package named
 *           linux-headers-KVER, or one that provides it;
 *   rpm:    the rpmdb (unless the context says not to: inside an rpm
 *           transaction) and the repository metadata dnf cached: the
 *           provider of kernel-devel-uname-r = KVER, which Fedora's and
 *           RHEL's kernel-*devel packages declare;
 *   pacman: the local and sync databases: the kernel's pkgbase (its
 *           usr/lib/modules/KVER/pkgbase, else the package owning its
 *           vmlinuz) + "-headers".
 * A family counts when its database of installed packages is there; the
 * first one whose databases know a package names it.
 */
#include "config.h"

#define DKMS_DL_SOLV /* the libsolv tables (dlopen.h) */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel/kernel.h"

/* a kernel release is one path component: it names a dir in /lib/modules */
static bool kver_valid(const char *kver)
{
	return kver && *kver && !strchr(kver, '/') && strcmp(kver, ".") &&
	       strcmp(kver, "..");
}

static bool exists_under(const char *root, const char *rel)
{
	_cleanup_free_ char *p = path_join(root, rel);

	return p && path_exists(p);
}

static bool dpkg_present(const char *root)
{
	return exists_under(root, "var/lib/dpkg/status");
}

/* the rpmdb where libsolv looks for it (/usr/share/rpm: ostree), in any
 * of rpm's formats: sqlite, ndb, bdb, lmdb */
static bool rpm_present(const char *root)
{
	static const char *const dbs[] = {
		"var/lib/rpm/rpmdb.sqlite", "var/lib/rpm/Packages.db",
		"var/lib/rpm/Packages", "var/lib/rpm/data.mdb",
		"usr/share/rpm/rpmdb.sqlite", "usr/share/rpm/Packages",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dbs); i++)
		if (exists_under(root, dbs[i]))
			return true;
	return false;
}

static bool pacman_present(const char *root)
{
	_cleanup_free_ char *p = path_join(root, "var/lib/pacman/local");

	return p && is_dir(p);
}

#ifdef HAVE_LIBSOLV

/* one lookup: the libraries, the question, the pool being filled */
struct hp {
	struct dkms_ctx *ctx;
	const struct dl_solv *sv;
	const struct dl_solvext *ext;
	const char *root;
	const char *kver;
	Pool *pool;
};

/* libsolv's complaints (a file it could not parse) go to our log, not
 * to stderr, where it writes them without a callback */
static void solv_debug(Pool *pool, void *data, int type, const char *str)
{
	struct dkms_ctx *ctx = data;
	size_t len = strlen(str);

	(void)pool;
	(void)type;
	while (len && str[len - 1] == '\n')
		len--;
	dkms_dbg(ctx, "libsolv: %.*s", (int)len, str);
}

static int pool_new(struct hp *h, int disttype)
{
	const struct dl_solv *sv = h->sv;

	h->pool = sv->pool_create();
	if (!h->pool)
		return -ENOMEM;
	sv->pool_setdebugcallback(h->pool, solv_debug, h->ctx);
	/* < 0 from a libsolv of one semantics only: its own is used */
	sv->pool_setdisttype(h->pool, disttype);
	if (strcmp(h->root, "/"))
		sv->pool_set_rootdir(h->pool, h->root);
	return 0;
}

static void pool_done(struct hp *h)
{
	if (h->pool)
		h->sv->pool_free(h->pool);
	h->pool = NULL;
}

/* what a reader said when it failed, for the log */
static void reader_failed(const struct hp *h, const char *what)
{
	dkms_dbg(h->ctx, "%s: %s", what, h->sv->pool_errstr(h->pool));
}

/*
 * The package to name among the providers Q: the one called NAME when
 * there is one (0: no such preference), else the newest, of two as new
 * the first by name; so the answer does not depend on the order in which
 * the databases were read.
 */
static Solvable *pick(const struct hp *h, const Queue *q, Id name)
{
	const struct dl_solv *sv = h->sv;
	Pool *pool = h->pool;
	Solvable *best = NULL;
	int i, c;

	for (i = 0; i < q->count; i++) {
		Solvable *s = pool->solvables + q->elements[i];

		if (!best) {
			best = s;
			continue;
		}
		if (name && (s->name == name) != (best->name == name)) {
			if (s->name == name)
				best = s;
			continue;
		}
		c = sv->pool_evrcmp(pool, s->evr, best->evr, EVRCMP_COMPARE);
		if (c == 0)
			c = strcmp(sv->pool_id2str(pool, best->name),
				   sv->pool_id2str(pool, s->name));
		if (c > 0)
			best = s;
	}
	return best;
}

/* of the packages that provide DEP (a package provides its own name),
 * the one to name; NULL when none */
static Solvable *provider(const struct hp *h, Id dep, Id name)
{
	Solvable *s;
	Queue q;

	h->sv->queue_init(&q);
	h->sv->pool_whatmatchesdep(h->pool, SOLVABLE_PROVIDES, dep, &q, 0);
	s = pick(h, &q, name);
	h->sv->queue_free(&q);
	return s;
}

static int answer(const char *s, char **ret)
{
	char *p = strdup(s);

	if (!p)
		return -ENOMEM;
	*ret = p;
	return 0;
}

/* the package named NAME, else one that provides NAME: its name */
static int answer_named(const struct hp *h, const char *name, char **ret)
{
	Id id = h->sv->pool_str2id(h->pool, name, 0);
	Solvable *s;

	/* a string the pool never saw names no package */
	if (!id || !(s = provider(h, id, id)))
		return -ENOENT;
	return answer(h->sv->pool_id2str(h->pool, s->name), ret);
}

/* ---- package lists ----------------------------------------------------- */

enum list_kind { LIST_DEB, LIST_RPMMD, LIST_ARCH };

/*
 * Whether a file of a list directory is a list of KIND: apt's
 * *_Packages (compressed when apt is told to keep them so), dnf's
 * *primary.xml.*, pacman's sync *.db.
 */
static bool is_list(const char *file, enum list_kind kind)
{
	static const char *const deb_suffixes[] = {
		"_Packages", "_Packages.gz", "_Packages.xz", "_Packages.bz2",
		"_Packages.zst", "_Packages.lz4",
	};
	size_t i;

	switch (kind) {
	case LIST_DEB:
		for (i = 0; i < ARRAY_SIZE(deb_suffixes); i++)
			if (endswith(file, deb_suffixes[i]))
				return true;
		return false;
	case LIST_RPMMD:
		return strstr(file, "primary.xml") != NULL;
	case LIST_ARCH:
		return endswith(file, ".db");
	}
	return false;
}

/*
 * The name suffix that makes libsolv's reader uncompress what FD holds,
 * told by its first bytes, not its name: pacman names its sync
 * databases .db whatever compresses them.  NULL when it is compressed in
 * a way libsolv cannot read (lz4, which apt may keep its lists in).
 */
static const char *compression_suffix(int fd)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *suffix;
	} kinds[] = {
		{ "\x1f\x8b", 2, ".gz" },
		{ "\xfd" "7zXZ\0", 6, ".xz" },
		{ "BZh", 3, ".bz2" },
		{ "\x28\xb5\x2f\xfd", 4, ".zst" },
#ifdef LIBSOLVEXT_FEATURE_ZCHUNK_COMPRESSION
		{ "\0ZCK1", 5, ".zck" },
#else
		{ "\0ZCK1", 5, NULL },
#endif
		{ "\x04\x22\x4d\x18", 4, NULL },
	};
	unsigned char buf[8];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	size_t i;

	for (i = 0; n > 0 && i < ARRAY_SIZE(kinds); i++)
		if ((size_t)n >= kinds[i].len &&
		    !memcmp(buf, kinds[i].magic, kinds[i].len))
			return kinds[i].suffix;
	return "";
}

static int list_read(const struct hp *h, Repo *repo, FILE *f,
		     enum list_kind kind)
{
	const struct dl_solvext *ext = h->ext;

	/* the lists' texts (descriptions...) are never looked at: not
	 * internalized */
	switch (kind) {
#ifdef LIBSOLVEXT_FEATURE_DEBIAN
	case LIST_DEB:
		return ext->repo_add_debpackages(repo, f, REPO_NO_INTERNALIZE);
#endif
#ifdef LIBSOLVEXT_FEATURE_RPMMD
	case LIST_RPMMD:
		return ext->repo_add_rpmmd(repo, f, NULL, REPO_NO_INTERNALIZE);
#endif
#ifdef LIBSOLVEXT_FEATURE_ARCHREPO
	case LIST_ARCH:
		return ext->repo_add_arch_repo(repo, f, REPO_NO_INTERNALIZE);
#endif
	default:
		return 0;
	}
}

/* Add the list at PATH to REPO; one that cannot be read is logged and
 * left out: the others may still know the package. */
static void list_add(const struct hp *h, Repo *repo, const char *path,
		     enum list_kind kind)
{
	_cleanup_free_ char *as = NULL;
	const char *suffix;
	FILE *f;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		dkms_dbg(h->ctx, "%s: %m", path);
		return;
	}
	suffix = compression_suffix(fd);
	if (!suffix)
		dkms_dbg(h->ctx, "%s: compressed in a way libsolv cannot read",
			 path);
	/* libsolv picks the decompressor by the name's suffix */
	as = suffix ? xasprintf("list%s", suffix) : NULL;
	if (!as) {
		close(fd);
		return;
	}
	f = h->ext->solv_xfopen_fd(as, fd, "r");
	if (!f) {
		dkms_dbg(h->ctx, "%s: cannot be opened", path);
		close(fd);
		return;
	}
	if (list_read(h, repo, f, kind) < 0)
		reader_failed(h, path);
	fclose(f);
}

/* Every list of KIND in DIR (under the root) into one repo. */
static int lists_add(const struct hp *h, const char *dir, enum list_kind kind)
{
	_cleanup_free_ char *d = path_join(h->root, dir);
	struct namelist files = { 0 };
	Repo *repo = NULL;
	size_t i;
	int r;

	if (!d)
		return -ENOMEM;
	r = namelist_dir(&files, d, false);
	if (r == 0 && files.n)
		repo = h->sv->repo_create(h->pool, dir);
	for (i = 0; r == 0 && i < files.n; i++) {
		_cleanup_free_ char *p = NULL;

		if (!is_list(files.v[i], kind))
			continue;
		p = path_join(d, files.v[i]);
		if (!p)
			r = -ENOMEM;
		else
			list_add(h, repo, p, kind);
	}
	namelist_clear(&files);
	return r;
}

/* ---- dpkg and apt ------------------------------------------------------ */

#ifdef LIBSOLVEXT_FEATURE_DEBIAN
static int dpkg_lookup(struct hp *h, char **ret)
{
	_cleanup_free_ char *name = xasprintf("linux-headers-%s", h->kver);
	Repo *repo;
	int r;

	if (!name)
		return -ENOMEM;
	r = pool_new(h, DISTTYPE_DEB);
	if (r < 0)
		return r;
	repo = h->sv->repo_create(h->pool, "dpkg");
	if (h->ext->repo_add_debdb(repo, REPO_USE_ROOTDIR |
					 REPO_NO_INTERNALIZE) < 0)
		reader_failed(h, "dpkg's status");
	r = lists_add(h, "var/lib/apt/lists", LIST_DEB);
	if (r == 0)
		r = answer_named(h, name, ret);
	pool_done(h);
	return r;
}
#endif

/* ---- rpm and dnf ------------------------------------------------------- */

#if defined(LIBSOLVEXT_FEATURE_RPMDB) && defined(LIBSOLVEXT_FEATURE_RPMMD)
/* the repodata/ of every repository in a dnf cache (dnf 4, dnf 5) */
static int rpmmd_add(const struct hp *h)
{
	static const char *const caches[] = { "var/cache/dnf",
					      "var/cache/libdnf5" };
	size_t i, j;
	int r = 0;

	for (i = 0; r == 0 && i < ARRAY_SIZE(caches); i++) {
		_cleanup_free_ char *d = path_join(h->root, caches[i]);
		struct namelist repos = { 0 };

		r = d ? namelist_dir(&repos, d, true) : -ENOMEM;
		for (j = 0; r == 0 && j < repos.n; j++) {
			_cleanup_free_ char *md = xasprintf(
				"%s/%s/repodata", caches[i], repos.v[j]);

			r = md ? lists_add(h, md, LIST_RPMMD) : -ENOMEM;
		}
		namelist_clear(&repos);
	}
	return r;
}

static int rpm_lookup(struct hp *h, char **ret)
{
	const struct dl_solv *sv = h->sv;
	Repo *repo;
	Solvable *s;
	Id dep;
	int r = pool_new(h, DISTTYPE_RPM);

	if (r < 0)
		return r;
	repo = sv->repo_create(h->pool, "rpmdb");
	/* file lists are the bulk of the rpmdb, and not looked at; inside
	 * an rpm transaction the rpmdb is the transaction's, not ours */
	if (!dkms_ctx_get_rpmdb(h->ctx))
		dkms_dbg(h->ctx, "the rpmdb is left alone (dkms_ctx_set_rpmdb)");
	else if (h->ext->repo_add_rpmdb(repo, NULL, REPO_USE_ROOTDIR |
						    RPM_ADD_NO_FILELIST |
						    REPO_NO_INTERNALIZE) < 0)
		reader_failed(h, "the rpmdb");
	r = rpmmd_add(h);
	if (r == 0) {
		Id name = sv->pool_str2id(h->pool, "kernel-devel-uname-r", 0);

		dep = name ? sv->pool_rel2id(h->pool, name,
					     sv->pool_str2id(h->pool, h->kver, 1),
					     REL_EQ, 1) : 0;
		s = dep ? provider(h, dep, 0) : NULL;
		/* name-version-release.arch: what dnf installs, and no
		 * other build of the same name */
		r = s ? answer(sv->pool_solvable2str(h->pool, s), ret) : -ENOENT;
	}
	pool_done(h);
	return r;
}
#endif

/* ---- pacman ------------------------------------------------------------ */

#ifdef LIBSOLVEXT_FEATURE_ARCHREPO
/* the first line of usr/lib/modules/KVER/pkgbase, which Arch's kernel
 * packages install to name their pkgbase; NULL when there is none */
static char *pkgbase_file(const struct hp *h)
{
	_cleanup_free_ char *rel = xasprintf("usr/lib/modules/%s/pkgbase", h->kver);
	_cleanup_free_ char *p = rel ? path_join(h->root, rel) : NULL;
	char *s = NULL;
	size_t len, n;

	if (!p || read_file(p, &s, &len) < 0)
		return NULL;
	n = strcspn(s, " \t\r\n");
	s[n] = '\0';
	if (!n || strchr(s, '/')) {
		free(s);
		return NULL;
	}
	return s;
}

/* the name of the local package that owns the kernel's vmlinuz */
static char *vmlinuz_owner(const struct hp *h, Repo *local)
{
	const struct dl_solv *sv = h->sv;
	_cleanup_free_ char *path = xasprintf("/usr/lib/modules/%s/vmlinuz",
					      h->kver);
	Dataiterator di;
	char *name = NULL;

	if (!path || sv->dataiterator_init(&di, h->pool, local, 0,
					   SOLVABLE_FILELIST, path,
					   SEARCH_STRING | SEARCH_FILES) < 0)
		return NULL;
	if (sv->dataiterator_step(&di))
		name = strdup(sv->pool_id2str(h->pool,
					      h->pool->solvables[di.solvid].name));
	sv->dataiterator_free(&di);
	return name;
}

static int pacman_lookup(struct hp *h, char **ret)
{
	_cleanup_free_ char *dir = path_join(h->root, "var/lib/pacman/local");
	_cleanup_free_ char *base = NULL, *name = NULL;
	Repo *local;
	int r;

	if (!dir)
		return -ENOMEM;
	r = pool_new(h, DISTTYPE_ARCH);
	if (r < 0)
		return r;
	local = h->sv->repo_create(h->pool, "local");
	/* internalized: the file lists are searched */
	if (h->ext->repo_add_arch_local(local, dir, 0) < 0)
		reader_failed(h, dir);
	base = pkgbase_file(h);
	if (!base)
		base = vmlinuz_owner(h, local);
	if (!base) {
		r = -ENOENT;
	} else if (!(name = xasprintf("%s-headers", base))) {
		r = -ENOMEM;
	} else {
		r = lists_add(h, "var/lib/pacman/sync", LIST_ARCH);
		if (r == 0)
			r = answer_named(h, name, ret);
	}
	pool_done(h);
	return r;
}
#endif

#endif /* HAVE_LIBSOLV */

/* ---- the families ------------------------------------------------------ */

/* a family this build cannot read: without libsolv, or with one built
 * without its readers */
#if !defined(HAVE_LIBSOLV) || !defined(LIBSOLVEXT_FEATURE_DEBIAN)
#define dpkg_lookup NULL
#endif
#if !defined(HAVE_LIBSOLV) || !defined(LIBSOLVEXT_FEATURE_RPMDB) || \
	!defined(LIBSOLVEXT_FEATURE_RPMMD)
#define rpm_lookup NULL
#endif
#if !defined(HAVE_LIBSOLV) || !defined(LIBSOLVEXT_FEATURE_ARCHREPO)
#define pacman_lookup NULL
#endif

struct hp;
static const struct family {
	const char *name;
	bool (*present)(const char *root);
	int (*lookup)(struct hp *h, char **ret);
} families[] = {
	{ "dpkg", dpkg_present, dpkg_lookup },
	{ "rpm", rpm_present, rpm_lookup },
	{ "pacman", pacman_present, pacman_lookup },
};

static int family_lookup(struct dkms_ctx *ctx, const struct family *fam,
			 const char *root, const char *kver, char **ret)
{
#ifdef HAVE_LIBSOLV
	struct hp h = { .ctx = ctx, .root = root, .kver = kver };
	int r;

	if (fam->lookup) {
		r = dl_solv(ctx, NULL, &h.sv, &h.ext);
		if (r < 0)
			return r == -ENOMEM ? r : -EOPNOTSUPP;
		r = fam->lookup(&h, ret);
		dkms_dbg(ctx, "%s: the headers of %s: %s", fam->name, kver,
			 r == 0 ? *ret : strerror(-r));
		return r;
	}
#else
	(void)root;
	(void)kver;
	(void)ret;
#endif
	dkms_dbg(ctx, "%s: no reader for it in this build", fam->name);
	return -EOPNOTSUPP;
}

int kernel_headers_package(struct dkms_ctx *ctx, const char *kver, char **ret)
{
	const char *root;
	bool unread = false;
	size_t i;
	int r;

	if (!ctx || !ret || !kver_valid(kver))
		return -EINVAL;
	root = dkms_ctx_get_path(ctx, DKMS_PATH_ROOT);
	for (i = 0; i < ARRAY_SIZE(families); i++) {
		if (!families[i].present(root))
			continue;
		r = family_lookup(ctx, &families[i], root, kver, ret);
		/* unknown here may be known to the next family */
		if (r == 0 || r == -ENOMEM)
			return r;
		if (r == -EOPNOTSUPP)
			unread = true;
	}
	/* -EOPNOTSUPP: a database is there that could not be read */
	return unread ? -EOPNOTSUPP : -ENOENT;
}

DKMS_EXPORT int dkms_kernel_headers_package(struct dkms_ctx *ctx,
					    const char *kver, char **ret)
{
	return kernel_headers_package(ctx, kver, ret);
}
