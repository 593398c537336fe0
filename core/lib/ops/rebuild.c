/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * BUILD_DEPENDS_REBUILD: a module built against another dkms module
 * records, per kernel, which version of each dependency it saw
 * (<m>/<v>/<k>/<a>/.dep_<dependency>, 3.4.3's names, written by the
 * build); when a dependency is installed at another version the module
 * must be rebuilt and reinstalled.  This file finds those modules; the
 * install that changed a dependency rebuilds them (install.c), so it
 * calls here and nothing here calls an install.
 */
#include <errno.h>
#include <string.h>

#include "ops/ops.h"

struct newest {
	char *v;
};

static int pick_newest(void *data, const struct dkms_status_entry *e)
{
	struct newest *n = data;

	/* 3.4.3 takes every line module_status prints: sort -V | tail -n1 */
	if (!n->v || strverscmp(e->version, n->v) > 0) {
		char *v = strdup(e->version);

		if (!v)
			return -ENOMEM;
		free(n->v);
		n->v = v;
	}
	return 0;
}

/* The newest registered version of module dep (any state), or NULL. */
static char *dependency_version(struct dkms_session *s, const char *dep,
				const char *kver, const char *arch)
{
	struct newest n = { 0 };
	int r;

	r = dkms_status_walk(s, dep, NULL, kver, arch, pick_newest, &n);
	if (r < 0) {
		free(n.v);
		return NULL;
	}
	return n.v;
}

/* check_dependencies_updated: some dependency has a version other than
 * the one recorded (or none was recorded). */
static bool dependencies_changed(struct dkms_session *s,
				 const struct dkms_op *op,
				 char *const *build_depends)
{
	size_t i;

	for (i = 0; build_depends && build_depends[i]; i++) {
		_cleanup_free_ char *v = dependency_version(s, build_depends[i],
							   op->kernelver, op->arch);
		_cleanup_free_ char *path = NULL, *old = NULL;
		size_t len;

		if (!v)
			continue;
		path = tree_path(s, "%s/%s/%s/%s/.dep_%s", op->module,
				 op->version, op->kernelver, op->arch,
				 build_depends[i]);
		if (!path || read_file(path, &old, &len) < 0)
			return true;
		/* 3.4.3 compares $(cat file): trailing newlines do not count */
		while (len && old[len - 1] == '\n')
			old[--len] = '\0';
		if (strcmp(old, v))
			return true;
	}
	return false;
}

struct candidates {
	struct dkms_session *s;
	const char *kver, *arch;
	struct namelist mv;
	int rc;
};

static int collect_candidate(void *data, const struct dkms_status_entry *e)
{
	struct candidates *c = data;
	struct dkms_op op = { e->module, e->version, e->kernelver, e->arch };
	struct modconf mc;
	bool want;
	int r;

	if (e->state != DKMS_STATE_BUILT && e->state != DKMS_STATE_INSTALLED)
		return 0;
	if (strcmp(e->kernelver, c->kver) || strcmp(e->arch, c->arch))
		return 0;
	r = modconf_read(c->s, e->module, e->version, c->kver, c->arch, NULL,
			 0, &mc);
	if (r) {
		modconf_clear(&mc);
		c->rc = r;
		return r;
	}
	want = mc.build_depends && mc.build_depends[0] &&
	       mc.build_depends_rebuild && !dkms_opt(c->s, DKMS_OPT_FORCE) &&
	       dependencies_changed(c->s, &op, mc.build_depends);
	modconf_clear(&mc);
	if (!want)
		return 0;
	return namelist_addf(&c->mv, "%s/%s", e->module, e->version);
}

int dkms_dependents_to_rebuild(struct dkms_session *s, const char *kver,
			       const char *arch, struct namelist *out)
{
	struct candidates c = { .s = s, .kver = kver, .arch = arch };
	int r;

	if (s->autoinstall.no_dependents) /* autoinstall knows: none */
		return 0;
	r = dkms_status_walk(s, NULL, NULL, NULL, NULL, collect_candidate, &c);
	if (c.rc)
		r = c.rc;
	if (r < 0) {
		namelist_clear(&c.mv);
		return r;
	}
	*out = c.mv;
	return 0;
}
