/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What dpkg's packages own, read from its database with libdpkg as
 * dpkg-query --search does: every installed package's file list, then
 * each path under /usr/src, /lib/modules, /usr/lib/modules and /boot
 * with its owners.
 *
 * libdpkg ends the process on any error (ohshit) and keeps its state in
 * globals, so it runs in a child that hands the answer back through a
 * pipe, one "TAG NAME" line each: the handler survives a database it
 * cannot read, and none of libdpkg's state is left in the process that
 * runs the batch.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIBDPKG_VOLATILE_API 1
#include <dpkg/dpkg.h>
#include <dpkg/dpkg-db.h>
#include <dpkg/db-fsys.h>
#include <dpkg/fsys.h>
#include <dpkg/program.h>

#include "trigger.h"

enum owned { OWNED_NONE, OWNED_SOURCE, OWNED_HEADERS, OWNED_IMAGE };

static const char *skip_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) ? NULL : s + n;
}

/* What a path a package owns tells: a driver source's dir (D of
 * /usr/src/D/dkms.conf), or the kernel whose headers (its build link)
 * or image it is.  *name, *len: that name inside path. */
static enum owned classify(const char *path, const char **name, size_t *len)
{
	static const char *const moddirs[] = { "/lib/modules/", "/usr/lib/modules/" };
	const char *p, *end;
	size_t i;

	if ((p = skip_prefix(path, "/usr/src/"))) {
		end = strchr(p, '/');
		if (!end || end == p || strcmp(end, "/dkms.conf"))
			return OWNED_NONE;
		*name = p;
		*len = end - p;
		return OWNED_SOURCE;
	}
	if ((p = skip_prefix(path, "/boot/vmlinuz-"))) {
		if (!*p || strchr(p, '/'))
			return OWNED_NONE;
		*name = p;
		*len = strlen(p);
		return OWNED_IMAGE;
	}
	for (i = 0; i < sizeof(moddirs) / sizeof(moddirs[0]); i++) {
		if (!(p = skip_prefix(path, moddirs[i])))
			continue;
		end = strchr(p, '/');
		if (!end || end == p)
			return OWNED_NONE;
		*name = p;
		*len = end - p;
		if (!strcmp(end, "/build"))
			return OWNED_HEADERS;
		if (!strcmp(end, "/kernel"))
			return OWNED_IMAGE;
		return OWNED_NONE;
	}
	return OWNED_NONE;
}

/* Its postinst has run: configured, whatever triggers it waits for. */
static bool configured(const struct pkginfo *pkg)
{
	return pkg->status >= PKG_STAT_TRIGGERSAWAITED;
}

/* Its files are on the system (however far its unpacking got). */
static bool on_system(const struct pkginfo *pkg)
{
	return pkg->status >= PKG_STAT_HALFINSTALLED;
}

static void report_node(FILE *out, struct fsys_namenode *node)
{
	static const char *const tag[] = {
		[OWNED_SOURCE] = "source", [OWNED_HEADERS] = "headers",
		[OWNED_IMAGE] = "image",
	};
	struct fsys_node_pkgs_iter *it;
	struct pkginfo *pkg;
	bool any = false, conf = false;
	const char *name;
	size_t len;
	enum owned what = classify(node->name, &name, &len);

	if (what == OWNED_NONE)
		return;
	it = fsys_node_pkgs_iter_new(node);
	while ((pkg = fsys_node_pkgs_iter_next(it))) {
		any = any || on_system(pkg);
		conf = conf || configured(pkg);
	}
	fsys_node_pkgs_iter_free(it);
	if (any)
		fprintf(out, "%s-any %.*s\n", tag[what], (int)len, name);
	/* an image's own configuration is its hooks' business */
	if (conf && what != OWNED_IMAGE)
		fprintf(out, "%s-conf %.*s\n", tag[what], (int)len, name);
}

/* The child: the database read, the answer written to out. */
static void read_database(const char *root, const char *admindir, FILE *out)
{
	struct fsys_hash_iter *it;
	struct fsys_namenode *node;

	dpkg_program_init("dkms-dpkg-trigger");
	dpkg_fsys_set_dir(root);
	dpkg_db_set_dir(admindir);
	modstatdb_open(msdbrw_readonly);
	ensure_allinstfiles_available_quiet();
	it = fsys_hash_iter_new();
	while ((node = fsys_hash_iter_next(it)))
		report_node(out, node);
	fsys_hash_iter_free(it);
	modstatdb_shutdown();
}

static int take_line(struct dpkg_view *v, char *line)
{
	static const struct {
		const char *tag;
		size_t off;
	} sets[] = {
		{ "source-conf", offsetof(struct dpkg_view, sources_conf) },
		{ "source-any", offsetof(struct dpkg_view, sources_any) },
		{ "headers-conf", offsetof(struct dpkg_view, headers_conf) },
		{ "headers-any", offsetof(struct dpkg_view, headers_any) },
		{ "image-any", offsetof(struct dpkg_view, images_any) },
	};
	char *name = strchr(line, ' ');
	size_t i;

	if (!name)
		return -EIO;
	*name++ = '\0';
	name[strcspn(name, "\n")] = '\0';
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (!strcmp(line, sets[i].tag))
			return strset_add((struct strset *)((char *)v + sets[i].off),
					  name);
	return -EIO;
}

int dpkg_view_read(const char *root, const char *admindir, struct dpkg_view *v)
{
	char *line = NULL;
	size_t cap = 0;
	int fds[2], status, r = 0;
	FILE *in;
	pid_t pid;

	if (pipe(fds) < 0)
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		FILE *out = fdopen(fds[1], "w");

		close(fds[0]);
		if (!out)
			_exit(1);
		read_database(root, admindir, out);
		_exit(fclose(out) == 0 ? 0 : 1);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	if (!in) {
		r = -errno;
		close(fds[0]);
	}
	while (in && getline(&line, &cap, in) >= 0)
		if (r == 0)
			r = take_line(v, line);
	free(line);
	if (in)
		fclose(in);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status)))
		r = -EIO;
	return r;
}

void dpkg_view_clear(struct dpkg_view *v)
{
	strset_clear(&v->sources_conf);
	strset_clear(&v->sources_any);
	strset_clear(&v->headers_conf);
	strset_clear(&v->headers_any);
	strset_clear(&v->images_any);
}
