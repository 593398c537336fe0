/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The status cache (status-cache.c): plain `dkms status` on a large tree
 * replays the last walk's output while the tree is unchanged. */
#ifndef DKMS_STATUS_CACHE_H
#define DKMS_STATUS_CACHE_H

#include "base/base.h"

struct status_cache;

/* 0: the cached output was written (nothing else to do); -ENOENT: walk. */
int status_cache_replay(struct dkms_session *s, const char *m, const char *v,
			const char *kver, const char *arch);
/* Before the walk: stamps the tree and records the output from now on;
 * NULL when this walk is not cached (filters, small or read-only tree). */
struct status_cache *status_cache_begin(struct dkms_session *s, const char *m,
					const char *v, const char *kver,
					const char *arch);
/* After the walk (its result): stops recording, writes the cache. */
void status_cache_end(struct status_cache *c, int walk_result);

#endif
