/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Refusing hostile input (see safety.h).  3.4.3 trusts dkms.conf and the
 * command line to name paths inside its trees; we check it, once, before
 * the first write, so a refused command leaves nothing behind. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cycle.h"
#include "safety.h"

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

/* A link at <root>/<rel>/NAME (rel "" at the top) stays inside when its
 * target, taken from there, never climbs above root.  An absolute target
 * never does: once the tree is copied it names the original, or worse. */
static bool link_stays_inside(const char *rel, const char *path)
{
	char target[4096];
	_cleanup_free_ char *joined = NULL;
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	if (n < 0)
		return false;
	target[n] = '\0';
	if (target[0] == '/')
		return false;
	joined = *rel ? xasprintf("%s/%s", rel, target) : strdup(target);
	return joined && path_stays_inside(joined);
}

/* Someone other than root could change what root then builds and runs. */
static bool writable_by_others(const struct stat *st)
{
	return st->st_uid != 0 || (st->st_mode & S_IWOTH) ||
	       ((st->st_mode & S_IWGRP) && st->st_gid != 0);
}

static int walk(struct dkms_session *s, const char *root, const char *rel,
		bool check_owner, int depth)
{
	_cleanup_free_ char *dir = *rel ? path_join(root, rel) : strdup(root);
	struct dirent *de;
	struct stat st;
	DIR *d;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	if (depth > 64)
		return dkms_die(s, 9, "Source tree too deep: %s", dir);
	if (check_owner && lstat(dir, &st) == 0 && writable_by_others(&st))
		return dkms_die(s, 9, "Unsafe source tree: %s is writable by "
				"a user other than root (use --force to accept).",
				dir);
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
			if (!link_stays_inside(rel, p))
				r = dkms_die(s, 9, "Unsafe source tree: the "
					     "symlink %s leads outside %s.",
					     p, root);
		} else if (S_ISDIR(st.st_mode)) {
			r = walk(s, root, sub, check_owner, depth + 1);
		} else if (check_owner && writable_by_others(&st)) {
			r = dkms_die(s, 9, "Unsafe source tree: %s is writable "
				     "by a user other than root (use --force "
				     "to accept).", p);
		}
	}
	closedir(d);
	return r;
}

int safety_check_source(struct dkms_session *s, const char *dir)
{
	_cleanup_free_ char *root = realpath(dir, NULL);

	if (!root || dkms_opt(s, DKMS_OPT_FORCE))
		return 0;
	return walk(s, root, "", geteuid() == 0, 0);
}
