/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framework.conf and framework.conf.d/<name>.conf, read as data.
 *
 * 3.4.3 sources these files in a subshell and keeps only the variables it
 * accepts.  We never run them: we take the simple assignments
 * (NAME=value, NAME="value", NAME='value', with an optional `export`) of
 * the accepted names, later files overriding earlier ones, and ignore
 * anything else (what a shell would have run is logged at debug level).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <string.h>

#include "conf/conf.h"

struct fw_var {
	const char *name;
	size_t offset;
};

#define FW(n) { #n, offsetof(struct dkms_framework, n) }
static const struct fw_var fw_vars[] = {
	FW(source_tree), FW(dkms_tree), FW(install_tree), FW(tmp_location),
	FW(verbose), FW(symlink_modules), FW(autoinstall_all_kernels),
	FW(modprobe_on_install), FW(parallel_jobs), FW(compress_gzip_opts),
	FW(compress_xz_opts), FW(compress_zstd_opts), FW(build_environment),
	FW(post_transaction), FW(sign_file), FW(mok_signing_key),
	FW(mok_certificate), FW(try_sign_modules),
	FW(initramfs_command), /* ours: initramfs.c */
	FW(build_sandbox), FW(build_sandbox_user), /* ours: sandbox.c */
	FW(build_time_limit), FW(build_memory_limit),
	FW(script_sandbox), /* ours: sandbox.c */
	FW(strict_transactions), /* ours: batch-run.c */
};

/* Where a file's assignment to NAME (len bytes) goes; NULL: ignored. */
typedef char **(*slot_fn)(void *data, const char *name, size_t len);

static char **fw_slot(void *data, const char *name, size_t len)
{
	struct dkms_framework *fw = data;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fw_vars); i++)
		if (strlen(fw_vars[i].name) == len &&
		    !strncmp(fw_vars[i].name, name, len))
			return (char **)((char *)fw + fw_vars[i].offset);
	return NULL;
}

/* $kernelver / ${kernelver}: kept as written, expanded where used (3.4.3
 * sources the file while $kernelver is set, see fw_expand) */
static bool kernelver_ref(const char *p)
{
	return startswith(p, "$kernelver") || startswith(p, "${kernelver}");
}

/* One shell word of the simple kinds: quoted pieces and plain text,
 * up to blank or comment.  Returns NULL on what needs a shell. */
static char *parse_value(const char *p)
{
	struct strbuf sb = { 0 };

	while (*p && !isspace((unsigned char)*p) && *p != '#' && *p != ';') {
		if (*p == '\'') {
			const char *e = strchr(p + 1, '\'');

			if (!e)
				goto bad;
			strbuf_add(&sb, p + 1, (size_t)(e - p - 1));
			p = e + 1;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '$' && kernelver_ref(p)) {
					strbuf_addch(&sb, *p);
					continue;
				}
				if (*p == '$' || *p == '`')
					goto bad;
				if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
					p++;
				strbuf_addch(&sb, *p);
			}
			if (*p != '"')
				goto bad;
			p++;
		} else if (*p == '$' && kernelver_ref(p)) {
			strbuf_addch(&sb, *p++);
		} else if (*p == '$' || *p == '`' || *p == '(') {
			goto bad;
		} else {
			if (*p == '\\' && p[1])
				p++;
			strbuf_addch(&sb, *p++);
		}
	}
	return strbuf_steal(&sb);
bad:
	strbuf_release(&sb);
	return NULL;
}

static void parse_line(struct dkms_ctx *ctx, slot_fn slot_of, void *data,
		       const char *path, unsigned int lineno, const char *line)
{
	const char *name, *eq;
	char **slot;
	char *val;

	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return;
	if (startswith(line, "export "))
		line += 7;
	name = line;
	while (isalnum((unsigned char)*line) || *line == '_')
		line++;
	eq = line;
	if (*eq != '=' || eq == name) {
		dkms_dbg(ctx, "%s:%u: not an assignment, ignored", path, lineno);
		return;
	}
	slot = slot_of(data, name, (size_t)(eq - name));
	if (!slot)
		return;
	val = parse_value(eq + 1);
	if (!val) {
		dkms_dbg(ctx, "%s:%u: value needs a shell, ignored", path, lineno);
		return;
	}
	free(*slot);
	*slot = val;
}

static int read_one(struct dkms_ctx *ctx, slot_fn slot_of, void *data,
		    const char *path)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	unsigned int n = 0;
	int r;

	r = read_file(path, &text, NULL);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		parse_line(ctx, slot_of, data, path, ++n, line);
	return 0;
}

struct one_var {
	const char *name;
	char *value;
};

static char **one_slot(void *data, const char *name, size_t len)
{
	struct one_var *v = data;

	return strlen(v->name) == len && !strncmp(v->name, name, len)
		       ? &v->value : NULL;
}

int dkms_assignment_read(struct dkms_ctx *ctx, const char *path,
			 const char *name, char **ret)
{
	struct one_var v = { name, NULL };
	int r = read_one(ctx, one_slot, &v, path);

	if (r < 0) {
		free(v.value);
		return r;
	}
	*ret = v.value;
	return 0;
}

int dkms_framework_read(struct dkms_ctx *ctx, struct dkms_framework *fw)
{
	const char *dir = dkms_ctx_get_path(ctx, DKMS_PATH_CONF_DIR);
	_cleanup_free_ char *main_conf = path_join(dir, "framework.conf");
	_cleanup_free_ char *pattern = path_join(dir, "framework.conf.d/*.conf");
	glob_t g;
	size_t i;
	int r;

	if (!main_conf || !pattern)
		return -ENOMEM;
	r = read_one(ctx, fw_slot, fw, main_conf);
	if (r < 0)
		return r;
	/* glob sorts, as bash's pathname expansion does. */
	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	for (i = 0; i < g.gl_pathc && r == 0; i++)
		r = read_one(ctx, fw_slot, fw, g.gl_pathv[i]);
	globfree(&g);
	return r;
}

void dkms_framework_clear(struct dkms_framework *fw)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fw_vars); i++) {
		char **slot = (char **)((char *)fw + fw_vars[i].offset);

		free(*slot);
		*slot = NULL;
	}
}

/* framework.conf values may name $kernelver (3.4.3 sources them while it
 * is set); that is the one expansion we do. */
char *fw_expand(const char *v, const char *kver)
{
	struct strbuf sb = { 0 };

	if (!v)
		return NULL;
	while (*v) {
		if (startswith(v, "${kernelver}")) {
			strbuf_adds(&sb, kver);
			v += 12;
		} else if (startswith(v, "$kernelver")) {
			strbuf_adds(&sb, kver);
			v += 10;
		} else {
			strbuf_addch(&sb, *v++);
		}
	}
	return strbuf_steal(&sb);
}
