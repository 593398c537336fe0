/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The trees framework.conf names, taken by the context before a request
 * runs: an adapter that compares what its package manager installed
 * with the dkms tree looks at the tree the request will work on.
 */
#include "config.h"

#include "api/api.h"

DKMS_EXPORT int dkms_ctx_apply_framework(struct dkms_ctx *ctx)
{
	struct dkms_session *s = NULL;
	int r;

	r = dkms_session_new(ctx, &s);
	if (r == 0)
		r = dkms_session_apply_paths(s);
	dkms_session_free(s);
	return r;
}
