/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One command's options and 3.4.3's message shapes (error, warn, echo). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "ctx.h"
#include "journal.h"
#include "ops.h"
#include "sandbox.h"

/* The operations a journal's recovery may need, handed down to it. */
static const struct journal_handlers recovery_handlers = {
	.depmod = dkms_depmod_quiet,
	.keep_good = dkms_lkg_recover,
};

int dkms_session_new(struct dkms_ctx *ctx, struct dkms_session **ret)
{
	struct dkms_session *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->ctx = dkms_ctx_ref(ctx);
	s->journal_handlers = &recovery_handlers;
	r = dkms_framework_read(ctx, &s->fw);
	if (r < 0) {
		dkms_session_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

void dkms_session_free(struct dkms_session *s)
{
	char **d;

	if (!s)
		return;
	dkms_framework_clear(&s->fw);
	sandbox_shared_free(s->sandbox.shared);
	free(s->last_error);
	for (d = s->initramfs_pending; d && *d; d++)
		free(*d);
	free(s->initramfs_pending);
	free(s->conf);
	free(s->kernel_source_dir);
	free(s->kernel_config);
	free(s->archive);
	free(s->source_path);
	free(s->template_kernel);
	for (d = s->directives; d && *d; d++)
		free(*d);
	free(s->directives);
	free(s->parallel_jobs);
	free(s->prepared_kernel);
	free(s->sign.file);
	free(s->sign.hash);
	free(s->sign.key);
	free(s->sign.cert);
	if (s->lock_fd > 0)
		close(s->lock_fd);
	free(s->resolved_module);
	free(s->conf_cache.mvka);
	free(s->conf_cache.conf);
	free(s->resolved_version);
	for (d = s->child_env; d && *d; d++)
		free(*d);
	free(s->child_env);
	dkms_ctx_unref(s->ctx);
	free(s);
}

/* framework.conf paths live inside the root the context was given. */
static int set_fw_path(struct dkms_session *s, enum dkms_path_id id,
		       const char *val)
{
	const char *root = dkms_ctx_get_path(s->ctx, DKMS_PATH_ROOT);
	_cleanup_free_ char *p = NULL;

	if (!val || !*val)
		return 0;
	if (root && strcmp(root, "/") != 0) {
		p = path_join(root, val);
		if (!p)
			return -ENOMEM;
		val = p;
	}
	return dkms_ctx_set_path(s->ctx, id, val);
}

int dkms_session_apply_paths(struct dkms_session *s)
{
	int r;

	r = set_fw_path(s, DKMS_PATH_DKMS_TREE, s->fw.dkms_tree);
	if (r == 0)
		r = set_fw_path(s, DKMS_PATH_SOURCE_TREE, s->fw.source_tree);
	if (r == 0)
		r = set_fw_path(s, DKMS_PATH_INSTALL_TREE, s->fw.install_tree);
	/* else the context's (the caller's ${TMPDIR:-/tmp}) */
	if (r == 0 && s->fw.tmp_location && *s->fw.tmp_location)
		r = set_fw_path(s, DKMS_PATH_TMP, s->fw.tmp_location);
	if (s->fw.verbose && *s->fw.verbose)
		s->flags |= DKMS_OPT_VERBOSE;
	if (s->fw.symlink_modules && *s->fw.symlink_modules)
		s->flags |= DKMS_OPT_SYMLINK_MODULES;
	if (s->fw.modprobe_on_install && *s->fw.modprobe_on_install)
		s->flags |= DKMS_OPT_MODPROBE_ON_INSTALL;
	return r;
}

int dkms_session_setenv(struct dkms_session *s, const char *name,
			const char *v)
{
	size_t n = 0, nl = strlen(name);
	char **nv;
	char *e = xasprintf("%s=%s", name, v);

	if (!e)
		return -ENOMEM;
	for (; s->child_env && s->child_env[n]; n++) {
		if (!strncmp(s->child_env[n], name, nl) &&
		    s->child_env[n][nl] == '=') {
			free(s->child_env[n]);
			s->child_env[n] = e;
			return 0;
		}
	}
	nv = realloc(s->child_env, (n + 2) * sizeof(char *));
	if (!nv) {
		free(e);
		return -ENOMEM;
	}
	nv[n] = e;
	nv[n + 1] = NULL;
	s->child_env = nv;
	return 0;
}

/* One writer at a time on a tree: flock(2) on the tree directory itself,
 * so nothing is added to the layout 3.4.3 reads.  Scripts run by a locked
 * dkms may call dkms again: they inherit the lock (DKMS_TREE_LOCK). */
int dkms_session_lock(struct dkms_session *s)
{
	const char *tree = dkms_ctx_get_path(s->ctx, DKMS_PATH_DKMS_TREE);
	const char *held = dkms_ctx_getenv(s->ctx, "DKMS_TREE_LOCK");
	_cleanup_free_ char *real = NULL;
	int fd, r;

	if (s->lock_fd > 0)
		return 0;
	real = realpath(tree, NULL);
	if (!real)
		return 0; /* no tree yet: the command will say so */
	if (held && !strcmp(held, real))
		return 0;
	fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			r = -errno;
			close(fd);
			return r;
		}
	}
	s->lock_fd = fd;
	r = dkms_session_setenv(s, "DKMS_TREE_LOCK", real);
	/* before anything else: what a killed run left is completed or
	 * rolled back (journal.c); a dkms that inherited the lock runs
	 * inside an operation and leaves its journal alone */
	if (r == 0 && journal_pending(real))
		journal_recover(s);
	return r;
}

/* For commands that never wait for the lock (status): recover only when
 * the lock is free now, else leave it to its holder. */
void dkms_session_recover_nowait(struct dkms_session *s)
{
	const char *tree = dkms_ctx_get_path(s->ctx, DKMS_PATH_DKMS_TREE);
	int fd;

	if (s->lock_fd > 0 || !tree || !journal_pending(tree) ||
	    access(tree, W_OK) < 0)
		return;
	fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		journal_recover(s);
	close(fd);
}

/* 3.4.3 runs each kernel of build/install in a subshell: what one sets
 * (CC, the conf cache, the prepared kernel) does not reach the next. */
struct dkms_session_state {
	char **child_env;
	struct session_conf_cache conf_cache;
	char *prepared_kernel;
	unsigned int flags;
};

static char **strv_copy(char **v)
{
	size_t n = 0, i;
	char **c;

	while (v && v[n])
		n++;
	c = calloc(n + 1, sizeof(char *));
	for (i = 0; c && i < n; i++)
		c[i] = strdup(v[i]);
	return c;
}

static void strv_free_(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

struct dkms_session_state *dkms_session_save(struct dkms_session *s)
{
	struct dkms_session_state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->child_env = strv_copy(s->child_env);
	st->conf_cache.mvka = s->conf_cache.mvka ? strdup(s->conf_cache.mvka) : NULL;
	st->conf_cache.conf = s->conf_cache.conf ? strdup(s->conf_cache.conf) : NULL;
	st->prepared_kernel = s->prepared_kernel ? strdup(s->prepared_kernel) : NULL;
	st->flags = s->flags;
	return st;
}

void dkms_session_restore(struct dkms_session *s, struct dkms_session_state *st)
{
	if (!st)
		return;
	strv_free_(s->child_env);
	free(s->conf_cache.mvka);
	free(s->conf_cache.conf);
	free(s->prepared_kernel);
	s->child_env = st->child_env;
	s->conf_cache.mvka = st->conf_cache.mvka;
	s->conf_cache.conf = st->conf_cache.conf;
	s->prepared_kernel = st->prepared_kernel;
	s->flags = st->flags;
	free(st);
}

int dkms_each_kernel(struct dkms_session *s, const char *m, const char *v,
		     const struct dkms_kernels *k,
		     int (*step)(struct dkms_session *s, const struct dkms_op *op))
{
	size_t i;
	int r = 0;

	for (i = 0; i < k->n; i++) {
		struct dkms_op op = { m, v, k->kernelver[i], k->arch[i] };
		struct dkms_session_state *st = dkms_session_save(s);

		r = step(s, &op);
		dkms_session_restore(s, st);
	}
	return r;
}
