/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Commands made of operations: autoinstall (one plan for several
 * kernels), the kernel package hooks, match, status --json, and
 * diagnose.
 */
#ifndef DKMS_CMD_CMD_H
#define DKMS_CMD_CMD_H

#include "ops/ops.h"
#include "cmd/progress-live.h"
#include "cmd/batch.h"

/* ---- autoinstall.c ------------------------------------------------------- */
/* autoinstall for one kernel: the newest version of every AUTOINSTALL
 * module, in BUILD_DEPENDS order; 0, 11 (some failed), or a code that
 * stops it at once (8 bad conf, 21 no headers). */
int dkms_autoinstall(struct dkms_session *s, const char *kver,
		     const char *arch);
/* Ours: autoinstall for several kernels in one call; every kernel's
 * builds in one plan under one job budget (serially, kernel after kernel,
 * when BUILD_DEPENDS are involved), depmod once per kernel at the end,
 * the output of each kernel that of a call for it alone.  The first
 * non-zero exit code of the kernels, in order, else 0. */
int dkms_autoinstall_kernels(struct dkms_session *s, char *const *kvers,
			     char *const *archs, size_t n);
/* ---- status-json.c ------------------------------------------------------ */
/* `dkms status --json`: one object per (module, version, kernel, arch),
 * schema in status-json.c; filters as dkms_status_print (k may be NULL). */
int dkms_status_json(struct dkms_session *s, const char *m, const char *v,
		     const struct dkms_kernels *k);

/* ---- diagnose.c ---------------------------------------------------------- */
/* `dkms diagnose`: for each module version (m, v: filters as status's)
 * and kernel (k's, else those it is built for and the installed ones),
 * why it is or is not usable there.  Text: a screen per module version
 * and kernel that is not (every one with DKMS_DIAG_ALL), one line for
 * the rest; DKMS_DIAG_JSON: one JSON object (schema in diagnose-print.c).
 * 0 whatever was found; 1 (the tree cannot be read) or 3 (m/v not in
 * it) with a message; -errno. */
enum {
	DKMS_DIAG_JSON = 1u << 0,
	DKMS_DIAG_ALL = 1u << 1,
};
int dkms_diagnose(struct dkms_session *s, const char *m, const char *v,
		  const struct dkms_kernels *k, unsigned int flags);

/* ---- kernel-hooks.c ------------------------------------------------------ */
/* kernel_preinst: unbuild the AUTOINSTALL modules built for the kernel;
 * kernel_prerm: unbuild every module built for it; 0 or 14. */
int dkms_kernel_preinst(struct dkms_session *s, const char *kver,
			const char *arch);
int dkms_kernel_prerm(struct dkms_session *s, const char *kver,
		      const char *arch);
/* kernel_postinst: autoinstall. */
int dkms_kernel_postinst(struct dkms_session *s, const char *kver,
			 const char *arch);
/* list_module_version_combos: "m/v" of every version directory, in
 * 3.4.3's glob order; *ret NULL-terminated, free with strv_free(). */
int dkms_list_combos(struct dkms_session *s, char ***ret);

/* ---- match.c ------------------------------------------------------------- */
/* match --templatekernel: build and install on kver what is installed on
 * s->template_kernel (only `module` when not NULL). */
int dkms_match(struct dkms_session *s, const char *module, const char *kver,
	       const char *arch);

#endif
