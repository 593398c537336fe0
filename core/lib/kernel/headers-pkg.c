/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which package provides a kernel's headers, as the package databases
 * under the root know it (doc/headers.md).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "kernel/kernel.h"

/* a kernel release is one path component: it names a dir in /lib/modules */
static bool kver_valid(const char *kver)
{
	return kver && *kver && !strchr(kver, '/') && strcmp(kver, ".") &&
	       strcmp(kver, "..");
}

int kernel_headers_package(struct dkms_ctx *ctx, const char *kver, char **ret)
{
	if (!ctx || !ret || !kver_valid(kver))
		return -EINVAL;
	return -EOPNOTSUPP;
}

DKMS_EXPORT int dkms_kernel_headers_package(struct dkms_ctx *ctx,
					    const char *kver, char **ret)
{
	return kernel_headers_package(ctx, kver, ret);
}
