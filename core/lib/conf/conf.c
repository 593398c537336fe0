/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dkms_conf_read: read_conf of dkms 3.4.3 for one (conf, kernel, arch).
 * The files (the dkms.conf, then the /etc/dkms overrides that exist) are
 * evaluated natively when they are declarative, else by bash; then
 * conf-derive.c does read_conf's post-processing.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "conf/conf.h"

const char *const conf_variables[] = {
	"PACKAGE_NAME", "PACKAGE_VERSION", "POST_ADD", "POST_BUILD",
	"POST_INSTALL", "POST_REMOVE", "PRE_BUILD", "PRE_INSTALL",
	"BUILD_DEPENDS", "BUILD_EXCLUSIVE_ARCH", "BUILD_EXCLUSIVE_CONFIG",
	"BUILD_EXCLUSIVE_KERNEL", "BUILD_EXCLUSIVE_KERNEL_MIN",
	"BUILD_EXCLUSIVE_KERNEL_MAX", "build_exclude", "MAKE", "MAKE_MATCH",
	"PATCH", "PATCH_MATCH", "patch_array", "BUILT_MODULE_NAME",
	"built_module_name", "BUILT_MODULE_LOCATION", "built_module_location",
	"DEST_MODULE_NAME", "dest_module_name", "DEST_MODULE_LOCATION",
	"dest_module_location", "STRIP", "strip", "AUTOINSTALL",
	"NO_WEAK_MODULES", "BUILD_DEPENDS_REBUILD", "OBSOLETE_BY", "CLEAN",
	"REMAKE_INITRD", "MODULES_CONF", "MODULES_CONF_OBSOLETES",
	"MODULES_CONF_ALIAS_TYPE", "MODULES_CONF_OBSOLETE_ONLY",
};
const size_t conf_variables_count = ARRAY_SIZE(conf_variables);

bool conf_is_variable(const char *name)
{
	size_t i;

	for (i = 0; i < conf_variables_count; i++)
		if (!strcmp(conf_variables[i], name))
			return true;
	return false;
}

static bool is_upper_name(const char *name)
{
	return name[0] >= 'A' && name[0] <= 'Z';
}

static void conf_free(struct dkms_conf *conf)
{
	free(conf->path);
	free(conf->module);
	free(conf->module_version);
	free(conf->kernelver);
	free(conf->arch);
	free(conf->kernel_source_dir);
	free(conf->kernel_config);
	free(conf->dkms_tree);
	free(conf->distribution);
	free(conf->addon_modules_dir);
	free(conf->excluded);
	free(conf->exclusion);
	strbuf_release(&conf->err);
	varset_release(&conf->vars);
	free(conf);
}

static char *absolute(const char *path)
{
	char cwd[4096];

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	return path_join(cwd, path);
}

static int conf_setup(struct dkms_ctx *ctx, const struct dkms_conf_query *q,
		      struct dkms_conf *conf)
{
	const char *install = dkms_ctx_get_path(ctx, DKMS_PATH_INSTALL_TREE);

	conf->refcount = 1;
	conf->jobs = dkms_ctx_get_jobs(ctx);
	conf->path = absolute(q->path);
	conf->module = strdup(q->module ? q->module : "");
	conf->module_version = strdup(q->module_version ? q->module_version : "");
	conf->kernelver = strdup(q->kernelver);
	conf->arch = strdup(q->arch);
	conf->dkms_tree = strdup(dkms_ctx_get_path(ctx, DKMS_PATH_DKMS_TREE));
	conf->distribution = strdup(dkms_ctx_get_distribution(ctx));
	if (dkms_ctx_get_addon_modules_dir(ctx) &&
	    !(conf->addon_modules_dir = strdup(dkms_ctx_get_addon_modules_dir(ctx))))
		return -ENOMEM;
	if (q->kernel_source_dir)
		conf->kernel_source_dir = strdup(q->kernel_source_dir);
	else
		conf->kernel_source_dir = xasprintf("%s/%s/build", install, q->kernelver);
	if (!conf->path || !conf->module || !conf->module_version ||
	    !conf->kernelver || !conf->arch || !conf->dkms_tree ||
	    !conf->distribution || !conf->kernel_source_dir)
		return -ENOMEM;
	if (q->kernel_config) {
		conf->kernel_config = strdup(q->kernel_config);
	} else {
		_cleanup_free_ char *auto_conf = xasprintf("%s/include/config/auto.conf",
							   conf->kernel_source_dir);

		if (!auto_conf)
			return -ENOMEM;
		if (path_exists(auto_conf))
			conf->kernel_config = strdup(auto_conf);
		else
			conf->kernel_config = xasprintf("%s/.config", conf->kernel_source_dir);
	}
	return conf->kernel_config ? 0 : -ENOMEM;
}

/* read_conf's list: the conf, then user overrides by specificity. */
static char **override_files(struct dkms_ctx *ctx, const struct dkms_conf *conf,
			     bool none, size_t *n)
{
	const char *d = dkms_ctx_get_path(ctx, DKMS_PATH_CONF_DIR);
	const char *m = conf->module, *v = conf->module_version;
	const char *k = conf->kernelver, *a = conf->arch;
	char **f = calloc(8, sizeof(char *));
	size_t i;

	if (!f)
		return NULL;
	f[0] = strdup(conf->path);
	*n = 1;
	if (!none) {
		f[1] = xasprintf("%s/%s.conf", d, m);
		f[2] = xasprintf("%s/%s-%s.conf", d, m, v);
		f[3] = xasprintf("%s/%s-%s-%s.conf", d, m, v, k);
		f[4] = xasprintf("%s/%s-%s-%s-%s.conf", d, m, v, k, a);
		f[5] = xasprintf("%s/%s--%s.conf", d, m, k);
		f[6] = xasprintf("%s/%s--%s-%s.conf", d, m, k, a);
		*n = 7;
	}
	for (i = 0; i < *n; i++) {
		if (f[i])
			continue;
		for (i = 0; i < 7; i++)
			free(f[i]);
		free(f);
		return NULL;
	}
	return f;
}

static int evaluate(struct dkms_ctx *ctx, const struct dkms_conf_query *q,
		    struct dkms_conf *conf)
{
	struct utsname u;
	struct conf_eval ev = {
		.kernelver = conf->kernelver, .arch = conf->arch,
		.module = conf->module, .module_version = conf->module_version,
		.kernel_source_dir = conf->kernel_source_dir,
		.kernel_config = conf->kernel_config,
		.dkms_tree = conf->dkms_tree,
		.source_tree = dkms_ctx_get_path(ctx, DKMS_PATH_SOURCE_TREE),
		.install_tree = dkms_ctx_get_path(ctx, DKMS_PATH_INSTALL_TREE),
		.tmp_dir = dkms_ctx_get_path(ctx, DKMS_PATH_TMP),
		.distribution = conf->distribution,
		.env = dkms_ctx_environ(ctx),
		.path = dkms_ctx_path_var(ctx),
		.strict = q->strict,
		.sandbox = !q->no_sandbox && geteuid() == 0,
		.timeout_ms = q->timeout_ms ? q->timeout_ms : CONF_DEFAULT_TIMEOUT_MS,
		.output_limit = q->output_limit ? q->output_limit : CONF_DEFAULT_OUTPUT_LIMIT,
	};
	char **files;
	size_t i, n = 0;
	int r = -EOPNOTSUPP;

	ev.current_kernel = uname(&u) == 0 ? u.release : "";
	files = override_files(ctx, conf, q->no_overrides, &n);
	if (!files)
		return -ENOMEM;
	ev.files = (const char *const *)files;
	ev.nfiles = n;
	if (!q->force_shell)
		r = conf_eval_native(&ev);
	if (r == -EOPNOTSUPP && !q->native_only) {
		varset_release(&ev.vars);
		strbuf_release(&ev.err);
		conf->used_shell = true;
		r = conf_eval_bash(&ev);
		if (*ev.sandbox_why)
			dkms_log(ctx, LOG_WARNING, __FILE__, __LINE__, __func__,
				 "dkms.conf evaluated without the sandbox: %s",
				 ev.sandbox_why);
	}
	if (r == 0) {
		conf->vars = ev.vars;
		conf->err = ev.err;
	} else {
		varset_release(&ev.vars);
		strbuf_release(&ev.err);
	}
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return r;
}

/* directive_array: NAME=VALUE exported after sourcing, and announced on
 * stdout as read_conf does. */
static int apply_directives(struct dkms_ctx *ctx, struct dkms_conf *conf,
			    const char *const *d)
{
	for (; d && *d; d++) {
		const char *eq = strchr(*d, '=');
		const char *value = eq ? eq + 1 : *d;
		_cleanup_free_ char *name = strndup(*d, eq ? (size_t)(eq - *d) : strlen(*d));

		if (!name)
			return -ENOMEM;
		if (varset_assign(&conf->vars, name, 0, value) < 0)
			return -ENOMEM;
		dkms_printf(ctx, DKMS_STDOUT, "DIRECTIVE: %s=\"%s\"\n", name, value);
	}
	return 0;
}

DKMS_EXPORT int dkms_conf_read(struct dkms_ctx *ctx,
			       const struct dkms_conf_query *q,
			       struct dkms_conf **ret)
{
	struct dkms_conf *conf;
	int r;

	if (!ctx || !q || !q->path || !q->kernelver || !q->arch || !ret)
		return -EINVAL;
	/* [[ -r $read_conf_file ]] */
	if (access(q->path, R_OK) < 0)
		return -errno;
	conf = calloc(1, sizeof(*conf));
	if (!conf)
		return -ENOMEM;
	r = conf_setup(ctx, q, conf);
	if (r == 0)
		r = evaluate(ctx, q, conf);
	if (r == 0)
		r = apply_directives(ctx, conf, q->directives);
	if (r == 0)
		r = conf_derive(conf, q->strict);
	if (r < 0) {
		dkms_dbg(ctx, "%s: %s", q->path, strerror(-r));
		conf_free(conf);
		return r;
	}
	*ret = conf;
	return 0;
}

DKMS_EXPORT struct dkms_conf *dkms_conf_ref(struct dkms_conf *conf)
{
	if (conf)
		conf->refcount++;
	return conf;
}

DKMS_EXPORT struct dkms_conf *dkms_conf_unref(struct dkms_conf *conf)
{
	if (conf && --conf->refcount == 0)
		conf_free(conf);
	return NULL;
}

DKMS_EXPORT int dkms_conf_rc(const struct dkms_conf *conf)
{
	return conf->rc;
}

DKMS_EXPORT const char *dkms_conf_stderr(const struct dkms_conf *conf)
{
	return strbuf_str(&conf->err);
}

DKMS_EXPORT const struct dkms_var *dkms_conf_raw(const struct dkms_conf *conf,
						 const char *name)
{
	const struct dkms_var *v;

	if (!is_upper_name(name) || !conf_is_variable(name))
		return NULL;
	v = varset_get(&conf->vars, name);
	return v && v->n ? v : NULL;
}

DKMS_EXPORT const struct dkms_var *dkms_conf_derived(const struct dkms_conf *conf,
						     const char *name)
{
	const struct dkms_var *v;

	if (is_upper_name(name))
		return NULL;
	v = varset_get(&conf->vars, name);
	return v && v->n ? v : NULL;
}

DKMS_EXPORT size_t dkms_conf_num_modules(const struct dkms_conf *conf)
{
	return conf->num_modules;
}

DKMS_EXPORT bool dkms_conf_used_shell(const struct dkms_conf *conf)
{
	return conf->used_shell;
}

DKMS_EXPORT bool dkms_conf_module_excluded(const struct dkms_conf *conf,
					   size_t index)
{
	return index >= conf->num_modules || conf->excluded[index];
}

DKMS_EXPORT const char *dkms_conf_kernelver(const struct dkms_conf *conf)
{
	return conf->kernelver;
}

DKMS_EXPORT const char *dkms_conf_arch(const struct dkms_conf *conf)
{
	return conf->arch;
}

DKMS_EXPORT const char *dkms_conf_module(const struct dkms_conf *conf)
{
	return conf->module;
}

DKMS_EXPORT const char *dkms_conf_module_version(const struct dkms_conf *conf)
{
	return conf->module_version;
}

DKMS_EXPORT const char *dkms_conf_kernel_source_dir(const struct dkms_conf *conf)
{
	return conf->kernel_source_dir;
}

DKMS_EXPORT const char *dkms_conf_kernel_config(const struct dkms_conf *conf)
{
	return conf->kernel_config;
}

DKMS_EXPORT char *dkms_conf_make_invocation(const struct dkms_conf *conf,
					    unsigned int jobs)
{
	const char *mc = varset_value(&conf->vars, "make_command", 0);
	char j[32] = "";

	if (!startswith(mc, "make"))
		return strdup(mc);
	if (jobs)
		snprintf(j, sizeof(j), "%u", jobs);
	return xasprintf("make -j%s KERNELRELEASE=%s%s", j, conf->kernelver, mc + 4);
}
