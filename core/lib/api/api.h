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

#endif
