/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernels of a command: 3.4.3's kernelver[] and arch[] arrays. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

void dkms_kernels_clear(struct dkms_kernels *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->kernelver[i]);
	for (i = 0; i < k->n_arch; i++)
		free(k->arch[i]);
	free(k->kernelver);
	free(k->arch);
	memset(k, 0, sizeof(*k));
}

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **p = realloc(*v, (*n + 2) * sizeof(char *));

	if (!p)
		return -ENOMEM;
	*v = p;
	p[*n] = strdup(s);
	if (!p[*n])
		return -ENOMEM;
	p[++*n] = NULL;
	return 0;
}

int dkms_kernels_add_kernel(struct dkms_kernels *k, const char *kver)
{
	return strv_push(&k->kernelver, &k->n, kver);
}

int dkms_kernels_add_arch(struct dkms_kernels *k, const char *arch)
{
	return strv_push(&k->arch, &k->n_arch, arch);
}
