/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dkms-dpkg-trigger: what dpkg's packages hold (dpkg-db.c), what the dkms
 * tree holds (tree.c), and the batch that brings the tree in line with
 * the packages (main.c).
 */
#ifndef DKMS_DPKG_TRIGGER_H
#define DKMS_DPKG_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>

/* A sorted set of strings; strset_add copies. */
struct strset {
	char **v;
	size_t n;
};
int strset_add(struct strset *s, const char *str);
int strset_addn(struct strset *s, const char *str, size_t len);
bool strset_has(const struct strset *s, const char *str);
void strset_clear(struct strset *s);

/* What dpkg's packages own: driver sources (/usr/src/D/dkms.conf: "D"),
 * kernels' headers (/lib/modules/K/build: "K") and images
 * (/boot/vmlinuz-K, /lib/modules/K/kernel: "K").  *_conf: owned by a
 * configured package, whose postinst has run; *_any: by any package
 * whose files are on the system. */
struct dpkg_view {
	struct strset sources_conf, sources_any;
	struct strset headers_conf, headers_any;
	struct strset images_any;
};
/* Read dpkg's database (admindir, else DPKG_ADMINDIR, else under root,
 * else DPKG_ROOT) in a child process: libdpkg ends the process on any
 * error.  0, or -EIO once libdpkg said why on stderr. */
int dpkg_view_read(const char *root, const char *admindir,
		   struct dpkg_view *v);
void dpkg_view_clear(struct dpkg_view *v);

/* One version in the dkms tree. */
struct tree_module {
	char *mv;               /* "M/V" */
	char *source;           /* what its source link reads, or NULL */
	bool usable;            /* its source is there */
	struct strset built;    /* kernels with a <m>/<v>/<k>/ */
};
struct tree_view {
	struct tree_module *v;
	size_t n;
};
int tree_view_read(const char *tree, struct tree_view *t);
void tree_view_clear(struct tree_view *t);

/* What dpkg's packages held when the tree was last brought in line:
 * <tree>/.dpkg-trigger-seen (a dot file, which dkms 3.4.3 never sees). */
struct seen {
	struct strset sources, headers;
};
int seen_read(const char *tree, struct seen *s);
int seen_write(const char *tree, const struct seen *s);
void seen_clear(struct seen *s);

#endif
