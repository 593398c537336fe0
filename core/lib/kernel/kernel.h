/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What is read off a kernel and its modules: headers dir, config, module
 * suffix and compression, VER() order, modinfo through libkmod, signatures
 * and Secure Boot, the package of its headers.  Reads; never prints a
 * step or runs a build.
 */
#ifndef DKMS_KERNEL_KERNEL_H
#define DKMS_KERNEL_KERNEL_H

#include "tree/tree.h"
#include "kernel/compress.h"
#include "kernel/secureboot.h"
#include "kernel/sigcheck.h"

/* ---- kernel.c --------------------------------------------------------- */
char *kernel_source_dir(const struct dkms_session *s, const char *kver);
char *kernel_config_path(const struct dkms_session *s, const char *ksrc);
/* set_module_suffix: "" or ".gz"/".xz"/".zst" (compressed part). */
const char *module_compressed_suffix(const struct dkms_session *s,
				     const char *kver);
char *uname_r(void);
char *uname_m(void);
/* 3.4.3's VER(): numbers padded to 3 digits, compared as strings. */
char *ver_key(const char *v);
int ver_cmp(const char *a, const char *b);

/* ---- modinfo.c -------------------------------------------------------- */
struct modver {
	char *version;    /* "" when none */
	char *srcversion; /* srcversion, else the checksum after version */
};
/* CTX keeps libkmod loaded (dlopen.h); NULL loads it for the one call. */
int modinfo_version(struct dkms_ctx *ctx, const char *path,
		    struct modver *ret);
void modver_clear(struct modver *v);
char *modinfo_vermagic(struct dkms_ctx *ctx, const char *path);
/* the last "key" field of a module file through libkmod (any compression) */
char *modinfo_field_kmod(struct dkms_ctx *ctx, const char *path,
			 const char *key);
/* compare_module_version: "==", "=", ">", "<" */
const char *compare_module_version(struct dkms_ctx *ctx, const char *a,
				   const char *b);

/* ---- headers-pkg.c ---------------------------------------------------- */
/* dkms_kernel_headers_package (libdkms.h): the package that provides
 * KVER's headers, named by the package databases under the root. */
int kernel_headers_package(struct dkms_ctx *ctx, const char *kver, char **ret);

#endif
