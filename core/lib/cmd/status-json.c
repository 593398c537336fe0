/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `dkms status --json`: the state of every (module, version, kernel, arch)
 * for tools, in a stable schema (version 1; fields are only ever added).
 *
 * The output is one JSON array; each element is an object:
 *
 *   "module", "version"  strings
 *   "kernel", "arch"     strings; null for a broken module, and for an
 *                        added one when no kernel is known (no -k, and no
 *                        kernel under the install tree with a build dir)
 *   "state"              "broken" | "added" | "built" | "installed"
 *   "reason"             null, or why it is not built for that kernel:
 *                        "source missing" (broken),
 *                        "excluded by BUILD_EXCLUSIVE_KERNEL" (the
 *                        BUILD_EXCLUSIVE_* directives the dkms.conf sets,
 *                        ", "-joined), "make failed with exit N" (the last
 *                        build for that kernel, from build/make.log), or
 *                        what a batch noted of its failure there
 *                        (failure.c: "the build failed", "PRE_INSTALL
 *                        failed", ...)
 *   "log"                path of the make.log of that kernel's build
 *                        (<m>/<v>/<k>/<a>/log/make.log once built, the
 *                        failed build's <m>/<v>/build/make.log, or the
 *                        copy a batch kept, <m>/<v>/.<k>-<a>.make.log),
 *                        or null
 *   "installed_paths"    array of the installed module files (installed
 *                        state; [] otherwise)
 *   "original_kept"      true when dkms archived a module of the same name
 *                        the distribution shipped (original_module/)
 *   "sandboxed"          built entries: whether the build ran in the build
 *                        sandbox (sandbox.c; the build report's "sandbox"
 *                        line), null without a report (another dkms built
 *                        it); null for other states
 *   "signatures"         built/installed entries: one object per module
 *                        file in <m>/<v>/<k>/<a>/module/ (secureboot.c);
 *                        [] for other states:
 *       "file"           its path
 *       "signed"         true when it carries a signature
 *       "signer", "key_id", "hash_algo"
 *                        what libkmod reads from the signature (signer:
 *                        the certificate's issuer CN; key_id: its serial,
 *                        "AB:CD:..."); null when unsigned
 *       "enrolled"       "yes" | "no" | "unknown": a certificate in the
 *                        MOK list (efivars MokListRT, MokListRT1, ...) has
 *                        that issuer and serial, and MokListXRT does not
 *                        revoke it; "unknown" without efivars; null when
 *                        unsigned
 *       "will_load"      "yes" | "no" | "unknown" under the Secure Boot
 *                        state and the kernel's CONFIG_MODULE_SIG(_FORCE)
 *       "error"          null, "signing failed: <sign-file's words>" (the
 *                        build report says so: the module is left
 *                        unsigned), or "cannot read the signature: ..."
 *   "secure_boot"        built/installed entries: an object, else null:
 *       "state"          "enabled" | "disabled" | "unknown" (the efivars
 *                        SecureBoot variable; the efivars dir is the
 *                        context's DKMS_PATH_EFIVARS, under --root)
 *       "will_load"      "no" when a module of the entry will not load,
 *                        else "unknown" when one may not, else "yes"
 *                        ("unknown" when there is no module file)
 *   "report"             path of the build report beside "log"
 *                        (build-report.h: our facts of the build, which
 *                        make.log, 3.4.3's, has no line for), or null
 *   "memory_limit"       the build sandbox's memory limit the build ran
 *                        under ("8192 MiB for the whole build (cgroup v2
 *                        memory.max)", "... per process (RLIMIT_AS ...)"),
 *                        null when none or no report
 *   "warnings"           what that build found that 3.4.3 does not look
 *                        for, one string each: a module built for another
 *                        kernel, signed otherwise than asked, a command
 *                        killed at a limit; [] when none or no report
 *
 * Order: 3.4.3's status order for built/installed entries, then the
 * kernels a module is only added for.  Filters (-m, -v, -k, -a) as for the
 * text status.  "added" entries per kernel are listed for the -k kernels,
 * else for the kernels of the install tree that have a build dir.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"

struct rec {
	enum dkms_state state;
	char *m, *v, *k, *a;
};

struct recs {
	struct rec *r;
	size_t n;
};

static int collect(void *data, const struct dkms_status_entry *e)
{
	struct recs *l = data;
	struct rec *nr = realloc(l->r, (l->n + 1) * sizeof(*nr));
	struct rec *r;

	if (!nr)
		return -ENOMEM;
	l->r = nr;
	r = &l->r[l->n++];
	r->state = e->state;
	r->m = strdup(e->module);
	r->v = strdup(e->version);
	r->k = e->kernelver ? strdup(e->kernelver) : NULL;
	r->a = e->arch ? strdup(e->arch) : NULL;
	if (!r->m || !r->v || (e->kernelver && !r->k) || (e->arch && !r->a))
		return -ENOMEM;
	return 0;
}

static void recs_clear(struct recs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->r[i].m);
		free(l->r[i].v);
		free(l->r[i].k);
		free(l->r[i].a);
	}
	free(l->r);
}

/* Kernels with a build dir under the install tree, in glob order. */
static int known_kernels(struct dkms_session *s, struct namelist *out)
{
	struct namelist all = { 0 };
	size_t i;
	int r = namelist_dir(&all, install_tree(s), true);

	for (i = 0; r == 0 && i < all.n; i++) {
		_cleanup_free_ char *b = xasprintf("%s/%s/build", install_tree(s),
						   all.v[i]);

		if (!b)
			r = -ENOMEM;
		else if (is_dir(b))
			r = namelist_add(out, all.v[i]);
	}
	namelist_clear(&all);
	return r;
}

static void key_string(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	if (v)
		json_string(j, v);
	else
		json_null(j);
}

/* "excluded by ..." when BUILD_EXCLUSIVE keeps m/v off kver. */
static char *exclusion(struct dkms_session *s, const char *m, const char *v,
		       const char *kver, const char *arch)
{
	static const char *const names[] = {
		"BUILD_EXCLUSIVE_KERNEL", "BUILD_EXCLUSIVE_KERNEL_MIN",
		"BUILD_EXCLUSIVE_KERNEL_MAX", "BUILD_EXCLUSIVE_ARCH",
		"BUILD_EXCLUSIVE_CONFIG",
	};
	_cleanup_free_ char *conf = tree_path(s, "%s/%s/source/dkms.conf", m, v);
	struct strbuf sb = { 0 };
	struct modconf mc;
	size_t i;
	char *ret = NULL;

	if (!conf)
		return NULL;
	if (modconf_read(s, m, v, kver, arch, conf,
			 MC_NO_DIE | MC_NO_CACHE | MC_NO_STDERR, &mc)) {
		modconf_clear(&mc);
		return NULL;
	}
	if (mc.build_exclude) {
		strbuf_adds(&sb, "excluded by ");
		for (i = 0; i < ARRAY_SIZE(names); i++) {
			const char *val = dkms_var_get(dkms_conf_raw(mc.conf, names[i]), 0);

			if (!val || !*val)
				continue;
			if (!endswith(strbuf_str(&sb), " "))
				strbuf_adds(&sb, ", ");
			strbuf_adds(&sb, names[i]);
		}
		ret = strdup(strbuf_str(&sb));
	}
	strbuf_release(&sb);
	modconf_clear(&mc);
	return ret;
}

/* The build report's "sandbox: yes|no (...)" line: written by dkms
 * after the build, where make.log holds what the build printed. */
static void key_sandboxed(struct json *j, const char *report)
{
	_cleanup_free_ char *v = report ? build_report_get(report, "sandbox") : NULL;

	json_key(j, "sandboxed");
	if (v)
		json_bool(j, startswith(v, "yes"));
	else
		json_null(j);
}

static int add_warning(void *data, const char *value, size_t len)
{
	json_string_len(data, value, len);
	return 0;
}

/* The keys the build report gives (report: its text, at path). */
static void key_report(struct json *j, const char *path, const char *report)
{
	_cleanup_free_ char *mem = report ? build_report_get(report, "memory limit")
					  : NULL;

	key_string(j, "report", report ? path : NULL);
	key_string(j, "memory_limit", mem);
	json_key(j, "warnings");
	json_begin_array(j);
	if (report)
		build_report_each(report, "warning", add_warning, j);
	json_end_array(j);
}

/* build/make.log of a failed build for kver: its exit code, or 0. */
static int failed_make(const char *log, const char *kver, const char *arch)
{
	_cleanup_free_ char *text = NULL, *head = NULL;
	const char *p;
	size_t len;
	int code = 0;

	if (read_file(log, &text, &len) < 0)
		return 0;
	head = xasprintf(" for kernel %s (%s)\n", kver, arch);
	p = strchr(text, '\n');
	if (!head || !p || !memmem(text, (size_t)(p - text) + 1, head, strlen(head)))
		return 0;
	for (p = text; (p = strstr(p, "# exit code: ")); p++)
		code = atoi(p + 13);
	return code;
}

/* The keys after "log" of an entry without a build (added or broken):
 * nothing installed, kept, sandboxed or signed; a failed build's report
 * (at path, text report, or NULL); then the object ends. */
static void end_unbuilt(struct dkms_session *s, struct json *j,
			const char *m, const char *v, const char *path,
			const char *report)
{
	json_key(j, "installed_paths");
	json_begin_array(j);
	json_end_array(j);
	json_key(j, "original_kept");
	json_bool(j, false);
	key_sandboxed(j, NULL);
	secureboot_json(s, j, NULL, m, v, NULL, NULL, NULL);
	key_report(j, path, report);
	json_end_object(j);
}

static void write_added(struct dkms_session *s, struct json *j,
			const char *m, const char *v, const char *kver,
			const char *arch)
{
	_cleanup_free_ char *reason = NULL, *log = NULL, *build = NULL;
	_cleanup_free_ char *path = NULL, *report = NULL;
	int code;

	json_begin_object(j);
	key_string(j, "module", m);
	key_string(j, "version", v);
	key_string(j, "kernel", kver);
	key_string(j, "arch", kver ? arch : NULL);
	key_string(j, "state", "added");
	if (kver) {
		struct dkms_op op = { m, v, kver, arch };
		struct dkms_failure f;

		reason = exclusion(s, m, v, kver, arch);
		log = tree_path(s, "%s/%s/build/make.log", m, v);
		code = !reason && log ? failed_make(log, kver, arch) : 0;
		/* what a batch kept of its failure (failure.c) */
		if (!reason && dkms_failure_read(s, &op, &f) == 0) {
			free(log);
			reason = f.reason;
			log = f.log;
		} else if (code) {
			reason = xasprintf("make failed with exit %d", code);
			build = tree_path(s, "%s/%s/build", m, v);
			report = build ? build_report_read(build, kver, arch) : NULL;
			path = build ? path_join(build, BUILD_REPORT_NAME) : NULL;
		} else {
			free(log);
			log = NULL;
		}
	}
	key_string(j, "reason", reason);
	key_string(j, "log", log);
	end_unbuilt(s, j, m, v, path, report);
}

static void installed_paths(struct dkms_session *s, struct json *j,
			    const struct rec *e)
{
	const char *cs = module_compressed_suffix(s, e->k);
	struct modconf mc;
	size_t i;
	int r;

	r = modconf_read(s, e->m, e->v, e->k, e->a, NULL,
			 MC_NO_DIE | MC_NO_CACHE | MC_NO_STDERR, &mc);
	for (i = 0; (r == 0 || r == -DKMS_EBADCONF) && i < mc.n; i++) {
		_cleanup_free_ char *dest = NULL, *dir = NULL, *ko = NULL;

		if (mc.mod[i].excluded)
			continue;
		dest = find_actual_dest(s, &mc, i, e->m, e->k, e->a, cs);
		dir = dest ? xasprintf("%s/%s%s", install_tree(s), e->k, dest) : NULL;
		ko = dir ? ko_in_dir(dir, mc.mod[i].dest_name, cs) : NULL;
		if (ko)
			json_string(j, ko);
	}
	modconf_clear(&mc);
}

static void write_built(struct dkms_session *s, struct json *j,
			const struct secureboot *sb, const struct rec *e)
{
	_cleanup_free_ char *dir = tree_path(s, "%s/%s/%s/%s/log", e->m, e->v,
					     e->k, e->a);
	_cleanup_free_ char *log = dir ? path_join(dir, "make.log") : NULL;
	_cleanup_free_ char *path = dir ? path_join(dir, BUILD_REPORT_NAME) : NULL;
	_cleanup_free_ char *report = dir ? build_report_read(dir, e->k, e->a) : NULL;
	_cleanup_free_ char *orig = tree_path(s, "%s/original_module/%s/%s",
					      e->m, e->k, e->a);

	json_begin_object(j);
	key_string(j, "module", e->m);
	key_string(j, "version", e->v);
	key_string(j, "kernel", e->k);
	key_string(j, "arch", e->a);
	key_string(j, "state", e->state == DKMS_STATE_INSTALLED ? "installed" : "built");
	key_string(j, "reason", NULL);
	key_string(j, "log", log && access(log, F_OK) == 0 ? log : NULL);
	json_key(j, "installed_paths");
	json_begin_array(j);
	if (e->state == DKMS_STATE_INSTALLED)
		installed_paths(s, j, e);
	json_end_array(j);
	json_key(j, "original_kept");
	json_bool(j, orig && is_dir(orig));
	key_sandboxed(j, report);
	secureboot_json(s, j, sb, e->m, e->v, e->k, e->a, report);
	key_report(j, path, report);
	json_end_object(j);
}

static void write_broken(struct dkms_session *s, struct json *j,
			 const struct rec *e)
{
	json_begin_object(j);
	key_string(j, "module", e->m);
	key_string(j, "version", e->v);
	key_string(j, "kernel", NULL);
	key_string(j, "arch", NULL);
	key_string(j, "state", "broken");
	key_string(j, "reason", "source missing");
	key_string(j, "log", NULL);
	end_unbuilt(s, j, e->m, e->v, NULL, NULL);
}

/* One module/version: records [b, e) of the walk. */
static void write_group(struct dkms_session *s, struct json *j,
			const struct secureboot *sb,
			const struct recs *l, size_t b, size_t e,
			const struct namelist *kernels, const char *arch,
			bool only_k)
{
	size_t i, k;

	if (l->r[b].state == DKMS_STATE_BROKEN) {
		write_broken(s, j, &l->r[b]);
		return;
	}
	for (i = b; i < e; i++)
		if (l->r[i].state != DKMS_STATE_ADDED &&
		    (!only_k || namelist_has(kernels, l->r[i].k)))
			write_built(s, j, sb, &l->r[i]);
	for (k = 0; k < kernels->n; k++) {
		bool seen = false;

		for (i = b; i < e && !seen; i++)
			seen = l->r[i].k && !strcmp(l->r[i].k, kernels->v[k]) &&
			       !strcmp(l->r[i].a, arch);
		if (!seen)
			write_added(s, j, l->r[b].m, l->r[b].v, kernels->v[k], arch);
	}
	if (!kernels->n && l->r[b].state == DKMS_STATE_ADDED)
		write_added(s, j, l->r[b].m, l->r[b].v, NULL, NULL);
}

static int write_all(struct dkms_session *s, struct json *j,
		     const struct secureboot *sb, const struct recs *l, const struct namelist *kernels,
		     const char *arch, bool only_k)
{
	size_t b = 0, e;

	json_begin_array(j);
	while (b < l->n) {
		for (e = b + 1; e < l->n && !strcmp(l->r[e].m, l->r[b].m) &&
				!strcmp(l->r[e].v, l->r[b].v); e++)
			;
		write_group(s, j, sb, l, b, e, kernels, arch, only_k);
		b = e;
	}
	json_end_array(j);
	fputc('\n', j->out);
	return json_finish(j);
}

int dkms_status_json(struct dkms_session *s, const char *m, const char *v,
		     const struct dkms_kernels *k)
{
	struct recs l = { 0 };
	struct namelist kernels = { 0 };
	struct secureboot sb = { .state = "unknown" };
	_cleanup_free_ char *arch = NULL, *buf = NULL;
	size_t i, len = 0;
	struct json j;
	FILE *f = NULL;
	int r;

	arch = k && k->n_arch ? strdup(k->arch[0]) : uname_m();
	if (!arch)
		return -ENOMEM;
	/* one walk for all kernels keeps each module's entries together */
	r = dkms_status_walk(s, m, v, NULL, k && k->n_arch ? k->arch[0] : NULL,
			     collect, &l);
	r = r < 0 ? r : 0;
	if (r == 0 && k && k->n)
		for (i = 0; r == 0 && i < k->n; i++)
			r = namelist_add(&kernels, k->kernelver[i]);
	else if (r == 0)
		r = known_kernels(s, &kernels);
	if (r == 0)
		r = secureboot_read(s, &sb);
	if (r == 0) {
		f = open_memstream(&buf, &len);
		r = f ? 0 : -errno;
	}
	if (r == 0) {
		json_init(&j, f, true);
		r = write_all(s, &j, &sb, &l, &kernels, arch, k && k->n);
		if (fclose(f) != 0 && r == 0)
			r = -EIO;
		if (r == 0)
			dkms_write(s->ctx, DKMS_STDOUT, buf, len);
	}
	namelist_clear(&kernels);
	recs_clear(&l);
	secureboot_clear(&sb);
	return r;
}
