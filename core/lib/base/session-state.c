/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a step changes in the session and 3.4.3 would not pass on from a
 * subshell: the builds' environment, the conf cache, the prepared kernel,
 * the flags; saved before a step and put back after it. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

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
