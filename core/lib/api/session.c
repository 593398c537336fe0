/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A command's session: made from the context and framework.conf, the
 * command line's tree paths applied, the tree's writer lock taken (and
 * what a killed dkms left recovered under it). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"

/* The operations a journal's recovery may need, handed down to it. */
static const struct journal_handlers recovery_handlers = {
	.depmod = dkms_depmod_quiet,
	.keep_good = dkms_lkg_recover,
};

/* What loading an .rpm archive runs once rpm installed it (ldtarball.c):
 * an autoinstall, which sits above the loading. */
static const struct load_handlers archive_handlers = {
	.autoinstall = dkms_autoinstall,
};

int dkms_session_new(struct dkms_ctx *ctx, struct dkms_session **ret)
{
	struct dkms_session *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->ctx = dkms_ctx_ref(ctx);
	s->journal_handlers = &recovery_handlers;
	s->load_handlers = &archive_handlers;
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

/* framework.conf paths live inside the root the context was given; a
 * path the program linking us set itself stays. */
static int set_fw_path(struct dkms_session *s, enum dkms_path_id id,
		       const char *val)
{
	const char *root = dkms_ctx_get_path(s->ctx, DKMS_PATH_ROOT);
	_cleanup_free_ char *p = NULL;

	if (!val || !*val || dkms_ctx_path_is_explicit(s->ctx, id))
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

/* flock with the context's time limit (dkms_ctx_set_lock_timeout): a
 * package manager is not left hanging behind another dkms; the command
 * line waits as long as it takes. */
static int lock_wait(struct dkms_session *s, int fd, const char *tree)
{
	unsigned int limit = dkms_ctx_get_lock_timeout(s->ctx);
	struct timespec start, now, nap = { 0, 100 * 1000 * 1000 };

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flock(fd, LOCK_EX | (limit ? LOCK_NB : 0)) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return -errno;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)limit) {
			dkms_printf(s->ctx, DKMS_STDERR, "dkms: the DKMS tree %s "
				    "is locked by another dkms: gave up after %u "
				    "s\n", tree, limit);
			return -ETIMEDOUT;
		}
		nanosleep(&nap, NULL);
	}
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
	r = lock_wait(s, fd, real);
	if (r < 0) {
		close(fd);
		return r;
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
