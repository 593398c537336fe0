/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dkms.conf as the cycle needs it: dkms_conf_read() (conf*.c) turned into
 * plain fields, with read_conf(_strict)_or_die's messages and exit codes. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"

static char *derived0(const struct dkms_conf *c, const char *name)
{
	const char *v = dkms_var_get(dkms_conf_derived(c, name), 0);

	return strdup(v ? v : "");
}

static const char *raw_at(const struct dkms_conf *c, const char *name,
			  long i)
{
	return dkms_var_get(dkms_conf_raw(c, name), i);
}

static bool yes(const char *v)
{
	return v && !strcasecmp(v, "yes");
}

static const char *const exclusive_names[] = {
	"BUILD_EXCLUSIVE_KERNEL", "BUILD_EXCLUSIVE_KERNEL_MIN",
	"BUILD_EXCLUSIVE_KERNEL_MAX", "BUILD_EXCLUSIVE_ARCH",
	"BUILD_EXCLUSIVE_CONFIG",
};

static bool has_exclusive_per_module(const struct dkms_conf *c, size_t n)
{
	size_t i, k;

	for (k = 0; k < ARRAY_SIZE(exclusive_names); k++)
		for (i = 0; i < n; i++) {
			const char *v = raw_at(c, exclusive_names[k], (long)i);

			if (v && *v)
				return true;
		}
	return false;
}

static char **var_list(const struct dkms_var *var)
{
	size_t n = dkms_var_count(var), i;
	char **v = calloc(n + 1, sizeof(char *));

	if (!v)
		return NULL;
	for (i = 0; i < n; i++) {
		const char *val = NULL;
		long idx;

		dkms_var_element(var, i, &idx, &val);
		v[i] = strdup(val ? val : "");
	}
	return v;
}

static int fill(struct modconf *mc, const struct dkms_conf *c)
{
	_cleanup_free_ char *build_exclude = derived0(c, "build_exclude");
	size_t i;

	if (!build_exclude)
		return -ENOMEM;
	mc->n = dkms_conf_num_modules(c);
	mc->mod = calloc(mc->n + 1, sizeof(*mc->mod));
	if (!mc->mod)
		return -ENOMEM;
	for (i = 0; i < mc->n; i++) {
		struct modrec *r = &mc->mod[i];
		const char *v;

#define D(field, name)                                                          \
		v = dkms_var_get(dkms_conf_derived(c, name), (long)i);          \
		r->field = strdup(v ? v : "");
		D(built_name, "built_module_name");
		D(built_location, "built_module_location");
		D(dest_name, "dest_module_name");
		D(dest_location, "dest_module_location");
#undef D
		v = raw_at(c, "DEST_MODULE_LOCATION", (long)i);
		r->raw_dest_location = strdup(v ? v : "");
		v = dkms_var_get(dkms_conf_derived(c, "strip"), (long)i);
		r->strip = !v || strcmp(v, "no") != 0;
		/* the global directives (element 0) hold for every record:
		 * conf-derive.c decides, build_exclude[i] is no verdict */
		r->excluded = dkms_conf_module_excluded(c, i);
		if (r->excluded && c->exclusion) {
			r->excluded_by = c->exclusion[i].directive;
			r->excluded_index = c->exclusion[i].index;
		}
	}
	mc->build_exclude = *build_exclude;
	mc->has_exclusive_per_module = has_exclusive_per_module(c, mc->n);
	mc->make_command = derived0(c, "make_command");
	mc->pre_build = derived0(c, "pre_build");
	mc->post_build = derived0(c, "post_build");
	mc->pre_install = derived0(c, "pre_install");
	mc->post_install = derived0(c, "post_install");
	mc->post_add = derived0(c, "post_add");
	mc->post_remove = derived0(c, "post_remove");
	mc->obsolete_by = derived0(c, "obsolete_by");
	mc->package_name = derived0(c, "package_name");
	mc->package_version = derived0(c, "package_version");
	mc->patches = var_list(dkms_conf_derived(c, "patch_array"));
	mc->build_depends = var_list(dkms_conf_raw(c, "BUILD_DEPENDS"));
	mc->build_depends_rebuild = yes(raw_at(c, "BUILD_DEPENDS_REBUILD", 0));
	mc->autoinstall = yes(raw_at(c, "AUTOINSTALL", 0));
	mc->no_weak_modules = yes(raw_at(c, "NO_WEAK_MODULES", 0));
	if (!mc->make_command || !mc->patches || !mc->build_depends)
		return -ENOMEM;
	return 0;
}

/* read_conf remembers the last m/v/k/a and conf it read well and does not
 * read it again: no second round of the conf's messages then, only what
 * read_conf_strict checks on its own each time. */
static char *mvka(const char *m, const char *v, const char *k, const char *a)
{
	return xasprintf("%s/%s/%s/%s", m ? m : "", v ? v : "", k ? k : "",
			 a ? a : "");
}

/* The file a conf path names, as "dev:ino": one stat, where realpath()
 * reads every component's link (a build reads its conf several times). */
static char *file_id(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return NULL;
	return xasprintf("%llu:%llu", (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino);
}

static bool is_cached(struct dkms_session *s, const char *m, const char *v,
		      const char *k, const char *a, const char *path)
{
	_cleanup_free_ char *key = mvka(m, v, k, a);
	_cleanup_free_ char *id = NULL;

	if (!key || !s->conf_cache.mvka || !s->conf_cache.conf || strcmp(key, s->conf_cache.mvka))
		return false;
	id = file_id(path);
	return id && !strcmp(id, s->conf_cache.conf);
}

static void set_cached(struct dkms_session *s, const char *m, const char *v,
		       const char *k, const char *a, const char *path)
{
	free(s->conf_cache.mvka);
	free(s->conf_cache.conf);
	s->conf_cache.mvka = mvka(m, v, k, a);
	s->conf_cache.conf = file_id(path);
}

static void print_conf_messages(struct dkms_session *s, const char *err,
				bool cached)
{
	const char *line = err;

	if (!cached) {
		dkms_write(s->ctx, DKMS_STDERR, err, strlen(err));
		return;
	}
	while (*line) {
		size_t len = strcspn(line, "\n");

		if (line[len] == '\n')
			len++;
		if (startswith(line, "dkms.conf: Warning! Zero modules") ||
		    startswith(line, "dkms.conf: Error! Duplicate module"))
			dkms_write(s->ctx, DKMS_STDERR, line, len);
		line += len;
	}
}

/* dkms exports each --directive and says so on stdout */
static int directives(struct dkms_session *s)
{
	char **d;

	for (d = s->directives; d && *d; d++) {
		_cleanup_free_ char *name = strndup(*d, strcspn(*d, "="));
		const char *eq = strchr(*d, '=');
		const char *val = eq ? eq + 1 : *d;
		int r;

		if (!name)
			return -ENOMEM;
		dkms_echo(s, "DIRECTIVE: %s=\"%s\"", name, val);
		r = dkms_session_setenv(s, name, val);
		if (r < 0)
			return r;
	}
	return 0;
}

int modconf_read(struct dkms_session *s, const char *m, const char *v,
		 const char *kver, const char *arch, const char *conf_path,
		 unsigned int flags, struct modconf *ret)
{
	_cleanup_free_ char *def = NULL, *ksrc = NULL, *kconf = NULL;
	struct dkms_conf_query q = { 0 };
	struct dkms_conf *c = NULL;
	const char *path = conf_path;
	const char *err;
	bool cached;
	int r, rc;

	memset(ret, 0, sizeof(*ret));
	if (!path)
		path = s->conf;
	if (!path) {
		def = tree_path(s, "%s/%s/source/dkms.conf", m, v);
		if (!def)
			return -ENOMEM;
		path = def;
	}
	if (access(path, R_OK) < 0) {
		if (flags & MC_NO_STDERR)
			return -DKMS_ENOCONF;
		return dkms_die(s, 4, "Could not locate dkms.conf file.\n"
				"File: %s does not exist.", path);
	}
	ksrc = kernel_source_dir(s, kver ? kver : "");
	kconf = ksrc ? kernel_config_path(s, ksrc) : NULL;
	if (!kconf)
		return -ENOMEM;
	q.path = path;
	q.module = m;
	q.module_version = v;
	q.kernelver = kver ? kver : "";
	q.arch = arch ? arch : "";
	q.kernel_source_dir = ksrc;
	q.kernel_config = kconf;
	q.strict = flags & MC_STRICT;
	q.directives = (const char *const *)s->directives;
	/* sandbox.c: as builds, --no-sandbox or build_sandbox="no" */
	q.no_sandbox = sandbox_disabled(s);
	r = dkms_conf_read(s->ctx, &q, &c);
	if (r < 0)
		return r;
	err = dkms_conf_stderr(c);
	cached = !(flags & MC_NO_CACHE) && is_cached(s, m, v, kver, arch, path);
	if (!(flags & MC_NO_STDERR) && err && *err)
		print_conf_messages(s, err, cached);
	rc = dkms_conf_rc(c);
	if (!cached && !(flags & MC_NO_STDERR)) {
		r = directives(s);
		if (r < 0) {
			dkms_conf_unref(c);
			return r;
		}
	}
	if (rc == 0 && !(flags & MC_NO_CACHE))
		set_cached(s, m, v, kver, arch, path);
	if (rc != 0 && !(flags & MC_NO_DIE)) {
		dkms_conf_unref(c);
		return dkms_die(s, 8, "Bad conf file.\n"
				"File: %s does not represent a valid dkms.conf file.",
				conf_path ? conf_path : s->conf ? s->conf : "");
	}
	ret->conf = c;
	ret->path = strdup(path);
	r = fill(ret, c);
	/* safety.c: names and locations that leave their roots */
	if (r == 0 && !(flags & MC_NO_DIE))
		r = safety_check_modconf(s, ret);
	if (r) {
		modconf_clear(ret);
		return r;
	}
	return rc ? -DKMS_EBADCONF : 0;
}

static void strv_free_(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

void modconf_clear(struct modconf *c)
{
	size_t i;

	for (i = 0; c->mod && i < c->n; i++) {
		free(c->mod[i].built_name);
		free(c->mod[i].built_location);
		free(c->mod[i].dest_name);
		free(c->mod[i].dest_location);
		free(c->mod[i].raw_dest_location);
	}
	free(c->mod);
	free(c->path);
	free(c->make_command);
	free(c->pre_build);
	free(c->post_build);
	free(c->pre_install);
	free(c->post_install);
	free(c->post_add);
	free(c->post_remove);
	free(c->obsolete_by);
	free(c->package_name);
	free(c->package_version);
	strv_free_(c->patches);
	strv_free_(c->build_depends);
	dkms_conf_unref(c->conf);
	memset(c, 0, sizeof(*c));
}
