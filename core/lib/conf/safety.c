/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Refusing hostile input (see safety.h).  3.4.3 trusts dkms.conf and the
 * command line to name paths inside its trees; we check it, once, before
 * the first write, so a refused command leaves nothing behind. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"

bool safe_component(const char *s)
{
	const unsigned char *p;

	if (!s || !*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* Walk the components: ".." one up, "." and "" nowhere; never below 0. */
bool path_stays_inside(const char *p)
{
	long depth = 0;

	while (p && *p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return false;
		} else if (n && !(n == 1 && p[0] == '.')) {
			depth++;
		}
		p += n;
		p += strspn(p, "/");
	}
	return true;
}

int safety_check_names(struct dkms_session *s, const char *m, const char *v,
		       const struct dkms_kernels *k)
{
	size_t i;

	if (m && *m && !safe_component(m))
		return dkms_die(s, 1, "Invalid module name: '%s'\n"
				"A module name must be one path component "
				"(no '/', not '.' or '..').", m);
	if (v && *v && !safe_component(v))
		return dkms_die(s, 1, "Invalid module version: '%s'\n"
				"A module version must be one path component "
				"(no '/', not '.' or '..').", v);
	for (i = 0; k && i < k->n; i++)
		if (*k->kernelver[i] && !safe_component(k->kernelver[i]))
			return dkms_die(s, 1, "Invalid kernel version: '%s'",
					k->kernelver[i]);
	for (i = 0; k && i < k->n_arch; i++)
		if (*k->arch[i] && !safe_component(k->arch[i]))
			return dkms_die(s, 1, "Invalid architecture: '%s'",
					k->arch[i]);
	return 0;
}

static int unsafe_conf(struct dkms_session *s, const struct modconf *mc,
		       const char *what, long i, const char *val)
{
	if (i < 0)
		return dkms_die(s, 8, "Unsafe dkms.conf: %s\n"
				"%s=\"%s\" is not a single path component.",
				mc->path, what, val);
	return dkms_die(s, 8, "Unsafe dkms.conf: %s\n"
			"%s in record #%ld (\"%s\") leads outside its directory.",
			mc->path, what, i, val);
}

int safety_check_modconf(struct dkms_session *s, const struct modconf *mc)
{
	size_t i;

	if (mc->package_name && *mc->package_name &&
	    !safe_component(mc->package_name))
		return unsafe_conf(s, mc, "PACKAGE_NAME", -1, mc->package_name);
	if (mc->package_version && *mc->package_version &&
	    !safe_component(mc->package_version))
		return unsafe_conf(s, mc, "PACKAGE_VERSION", -1,
				   mc->package_version);
	for (i = 0; i < mc->n; i++) {
		const struct modrec *r = &mc->mod[i];

		if (r->built_name && *r->built_name && !safe_component(r->built_name))
			return unsafe_conf(s, mc, "BUILT_MODULE_NAME", (long)i,
					   r->built_name);
		if (r->dest_name && *r->dest_name && !safe_component(r->dest_name))
			return unsafe_conf(s, mc, "DEST_MODULE_NAME", (long)i,
					   r->dest_name);
		if (!path_stays_inside(r->built_location))
			return unsafe_conf(s, mc, "BUILT_MODULE_LOCATION",
					   (long)i, r->built_location);
		if (!path_stays_inside(r->raw_dest_location))
			return unsafe_conf(s, mc, "DEST_MODULE_LOCATION",
					   (long)i, r->raw_dest_location);
		if (!path_stays_inside(r->dest_location))
			return unsafe_conf(s, mc, "DEST_MODULE_LOCATION",
					   (long)i, r->dest_location);
	}
	return 0;
}

/* What a walk of a source tree is for, and what it found. */
struct walk {
	const char *root;
	enum safety_use use;
	bool check_owner;       /* as root: look for what others can write */
	char *foreign;          /* the first such file or dir */
	struct stat foreign_st;
};

/* realpath is safe here: root's own trees, or checked before they
 * are read (a tree its owner changes meanwhile is copied by copy_tree,
 * which follows nothing). */
bool safety_resolves_inside(const char *root, const char *path)
{
	_cleanup_free_ char *rroot = realpath(root, NULL);
	_cleanup_free_ char *real = realpath(path, NULL);
	size_t n = rroot ? strlen(rroot) : 0;

	if (!rroot || !real)
		return false;
	if (!strcmp(rroot, "/"))
		return true;
	return !strncmp(real, rroot, n) && (real[n] == '/' || !real[n]);
}

/* Someone other than root could change what root then builds and runs. */
static bool writable_by_others(const struct stat *st)
{
	return st->st_uid != 0 || (st->st_mode & S_IWOTH) ||
	       ((st->st_mode & S_IWGRP) && st->st_gid != 0);
}

/* A file with other hard links that the owner of its dir does not own
 * can be a file that owner may not read, linked in for root to copy
 * (where fs.protected_hardlinks is off).  copy_tree refuses it too. */
static bool foreign_hard_link(const struct stat *st, const struct stat *dir)
{
	return !S_ISDIR(st->st_mode) && !S_ISLNK(st->st_mode) &&
	       st->st_nlink > 1 && st->st_uid != dir->st_uid;
}

static void note_foreign(struct walk *w, const char *path,
			 const struct stat *st)
{
	if (w->foreign || !w->check_owner || !writable_by_others(st))
		return;
	w->foreign = strdup(path);
	w->foreign_st = *st;
}

static int walk(struct dkms_session *s, struct walk *w, const char *rel,
		int depth)
{
	_cleanup_free_ char *dir = *rel ? path_join(w->root, rel) : strdup(w->root);
	struct dirent *de;
	struct stat st, dst;
	DIR *d;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	if (depth > 64)
		return dkms_die(s, 9, "Source tree too deep: %s", dir);
	if (lstat(dir, &dst) < 0)
		return 0;
	note_foreign(w, dir, &dst);
	d = opendir(dir);
	if (!d)
		return 0; /* what cannot be read is not copied either */
	while (r == 0 && (de = readdir(d))) {
		_cleanup_free_ char *p = NULL, *sub = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = path_join(dir, de->d_name);
		sub = *rel ? xasprintf("%s/%s", rel, de->d_name)
			   : strdup(de->d_name);
		if (!p || !sub || lstat(p, &st) < 0) {
			r = p && sub ? 0 : -ENOMEM;
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			/* links are copied as links, and only the sandboxed
			 * build follows them; but root reads dkms.conf */
			if (!*rel && !strcmp(de->d_name, "dkms.conf") &&
			    !safety_resolves_inside(w->root, p))
				r = dkms_die(s, 9, "Unsafe source tree: the "
					     "symlink %s leads outside %s.",
					     p, w->root);
		} else if (S_ISDIR(st.st_mode)) {
			r = walk(s, w, sub, depth + 1);
		} else if (foreign_hard_link(&st, &dst)) {
			r = dkms_die(s, 9, "Unsafe source tree: %s is a hard "
				     "link to a file the owner of %s does not "
				     "own.", p, dir);
		} else {
			note_foreign(w, p, &st);
		}
	}
	closedir(d);
	return r;
}

/* "owned by alice", "writable by its group", "writable by everyone" */
static char *foreign_why(const struct stat *st)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (st->st_uid != 0) {
		if (getpwuid_r(st->st_uid, &pw, buf, sizeof(buf), &res) == 0 && res)
			return xasprintf("owned by %s", res->pw_name);
		return xasprintf("owned by uid %u", (unsigned int)st->st_uid);
	}
	return strdup(st->st_mode & S_IWOTH ? "writable by everyone"
					   : "writable by its group");
}

/* A tree another user can write: what they can do with it depends on
 * what runs from it.  Sandboxed, they decide what the module does, not
 * what root does: a warning at build.  Where its code would run as root
 * (the sandbox off by choice, or not available), they would be root:
 * refused, as --force accepts. */
static int judge_foreign(struct dkms_session *s, struct walk *w)
{
	_cleanup_free_ char *why = foreign_why(&w->foreign_st);
	bool unsandboxed;

	if (!why)
		return -ENOMEM;
	if (w->use == SAFETY_ADD)
		unsandboxed = sandbox_scripts_disabled(s);
	else
		unsandboxed = !sandbox_on(s->sandbox.build);
	if (unsandboxed)
		return dkms_die(s, 9, "Unsafe source tree: %s is %s, and its "
				"code would run as root, not in the sandbox "
				"(use --force to accept).", w->foreign, why);
	if (w->use == SAFETY_BUILD)
		dkms_warn(s, "%s is %s: the module built from it is loaded by "
			  "the kernel, and whoever can change the source decides "
			  "what it does.  Its build runs in the sandbox.",
			  w->foreign, why);
	return 0;
}

/* Whoever may rename an entry of a dir above the tree may put a tree of
 * theirs in its place (a sticky dir's entries only by their owners). */
static void note_foreign_above(struct walk *w)
{
	_cleanup_free_ char *p = strdup(w->root);
	char *slash;
	struct stat st;

	while (p && !w->foreign && (slash = strrchr(p, '/'))) {
		slash[slash == p] = '\0';
		if (lstat(p, &st) < 0)
			break;
		if (!(st.st_mode & S_ISVTX) || st.st_uid != 0)
			note_foreign(w, p, &st);
		if (slash == p)
			break;
	}
}

int safety_check_source(struct dkms_session *s, const char *dir,
			enum safety_use use)
{
	_cleanup_free_ char *root = realpath(dir, NULL);
	struct walk w = { .use = use };
	int r;

	if (!root || dkms_opt(s, DKMS_OPT_FORCE))
		return 0;
	w.root = root;
	/* a copy is root's: no one else changes it afterwards */
	w.check_owner = use != SAFETY_COPY && geteuid() == 0;
	if (w.check_owner)
		note_foreign_above(&w);
	r = walk(s, &w, "", 0);
	if (r == 0 && w.foreign)
		r = judge_foreign(s, &w);
	free(w.foreign);
	return r;
}
