/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A read conf as the per-kernel object of corpus/dkms-conf/README.md. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "conf/conf.h"

static const char *const derived_names[] = {
	"package_name", "package_version", "built_module_name",
	"built_module_location", "dest_module_name", "dest_module_location",
	"strip", "make_command", "clean", "patch_array", "build_exclude",
	"pre_build", "post_build", "pre_install", "post_install", "post_add",
	"post_remove", "obsolete_by",
};

static void write_var(struct json *j, const char *name, const struct dkms_var *v)
{
	size_t i;

	json_key(j, name);
	if (!v || !v->n) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	for (i = 0; i < v->n; i++) {
		char idx[32];

		snprintf(idx, sizeof(idx), "%ld", v->e[i].index);
		json_key(j, idx);
		json_string(j, v->e[i].value);
	}
	json_end_object(j);
}

/* stderr lines with the conf's path shown as <conf>. */
static void write_stderr(struct json *j, const struct dkms_conf *conf)
{
	const char *p = strbuf_str(&conf->err);
	size_t plen = strlen(conf->path);

	json_key(j, "stderr");
	json_begin_array(j);
	while (*p) {
		const char *nl = strchrnul(p, '\n');
		struct strbuf line = { 0 };
		const char *q = p;

		while (q < nl) {
			const char *hit = plen ? memmem(q, (size_t)(nl - q), conf->path, plen) : NULL;

			if (!hit) {
				strbuf_add(&line, q, (size_t)(nl - q));
				break;
			}
			strbuf_add(&line, q, (size_t)(hit - q));
			strbuf_adds(&line, "<conf>");
			q = hit + plen;
		}
		json_string_len(j, line.buf ? line.buf : "", line.len);
		strbuf_release(&line);
		p = *nl ? nl + 1 : nl;
	}
	json_end_array(j);
}

DKMS_EXPORT int dkms_conf_write_json(const struct dkms_conf *conf, FILE *out)
{
	_cleanup_free_ char *inv = dkms_conf_make_invocation(conf, conf->jobs);
	struct json j;
	size_t i;

	if (!inv)
		return -ENOMEM;
	json_init(&j, out, true);
	json_begin_object(&j);
	json_key(&j, "kernelver");
	json_string(&j, conf->kernelver);
	json_key(&j, "arch");
	json_string(&j, conf->arch);
	json_key(&j, "kernel_source_dir");
	json_string(&j, conf->kernel_source_dir);
	json_key(&j, "module");
	json_string(&j, conf->module);
	json_key(&j, "module_version");
	json_string(&j, conf->module_version);
	json_key(&j, "read_conf_rc");
	json_int(&j, conf->rc);
	json_key(&j, "error");
	json_bool(&j, conf->rc != 0);
	write_stderr(&j, conf);
	json_key(&j, "raw");
	json_begin_object(&j);
	for (i = 0; i < conf_variables_count; i++)
		if (conf_variables[i][0] >= 'A' && conf_variables[i][0] <= 'Z')
			write_var(&j, conf_variables[i],
				  varset_get(&conf->vars, conf_variables[i]));
	json_end_object(&j);
	json_key(&j, "derived");
	json_begin_object(&j);
	for (i = 0; i < ARRAY_SIZE(derived_names); i++)
		write_var(&j, derived_names[i], varset_get(&conf->vars, derived_names[i]));
	json_end_object(&j);
	json_key(&j, "make_invocation");
	json_string(&j, inv);
	json_end_object(&j);
	return json_finish(&j);
}
