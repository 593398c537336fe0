/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The door: a command's session made, its tree paths applied, the tree's
 * writer lock taken (and what a killed dkms left recovered), and requests
 * (libdkms.h) run on it.  The command line and the adapters come in here.
 */
#ifndef DKMS_API_API_H
#define DKMS_API_API_H

#include "cmd/cmd.h"

int dkms_session_new(struct dkms_ctx *ctx, struct dkms_session **ret);
void dkms_session_free(struct dkms_session *s);
/* After the command line: push tree overrides into the context paths. */
int dkms_session_apply_paths(struct dkms_session *s);
/* Take the tree's writer lock (waits; released by dkms_session_free). */
int dkms_session_lock(struct dkms_session *s);
/* journal_recover() when the tree lock is free right now
 * (status never waits); nothing otherwise. */
void dkms_session_recover_nowait(struct dkms_session *s);

/* ---- command.c, command-extras.c: dkms 3.4.3's commands -------------- */
/* A command as 3.4.3's command line gives it; the options that set the
 * session's fields (flags, -c, --archive, trees...) are applied to the
 * session before it runs. */
struct dkms_command {
	const char *action;      /* NULL or "": none given */
	const char *module, *version;
	struct dkms_kernels *k;  /* -k and -a, completed as 3.4.3 does */
	bool json;               /* status --json, diagnose --json (ours) */
};
/* No action was given: the error is said, the caller shows its usage
 * (and exits 0, as 3.4.3). */
#define DKMS_COMMAND_USAGE (-(DKMS_ESTATUS + 256))
/* Run it as 3.4.3 does: its checks in its order, the tree's lock and
 * the recovery under it, the operation, post_transaction, and the
 * initramfs once per kernel at the end.  0 or -errno
 * (dkms_errno_to_exit() gives the exit code), or DKMS_COMMAND_USAGE. */
int dkms_command_run(struct dkms_session *s, struct dkms_command *c);
/* 3.4.3's checks both files make: root, one kernel (no --all), no --all;
 * 0 or its error said. */
int command_check_root(struct dkms_session *s);
int command_one_kernel(struct dkms_session *s, const char *action,
		       const struct dkms_kernels *k);
int command_all_banned(struct dkms_session *s, const char *action);
/* autoinstall, match, mktarball, ldtarball, generate_mok, kernel_*. */
int dkms_command_extra(struct dkms_session *s, const struct dkms_command *c);

#endif
