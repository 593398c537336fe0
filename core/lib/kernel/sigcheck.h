/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * After signing: read a module's signature back with
 * libkmod and say what it is in the build report (build-report.h); a
 * module that should be signed and is not, or not as asked, is a warning
 * there and in status --json (3.4.3 prints nothing of it).
 */
#ifndef DKMS_SIGCHECK_H
#define DKMS_SIGCHECK_H

#include "base/base.h"

struct module_sig {
	char *signer, *sig_key, *sig_hashalgo; /* NULL: unsigned */
};

/* Read KO's signature (libkmod's kmod_module_get_info).  0 or -errno; an
 * unsigned module is 0 with every field NULL. */
int module_sig_read(const char *ko, struct module_sig *ret);
/* The same with the libkmod of CTX (loaded on first use). */
int module_sig_read_ctx(struct dkms_ctx *ctx, const char *ko,
			struct module_sig *ret);
void module_sig_clear(struct module_sig *sig);

/* The CN of a DER certificate's issuer (what libkmod reports as the
 * signer of a module signed with it), or NULL. */
char *cert_issuer_cn(const char *cert_path);

/* After the build signed (or not) KO: "signed by ..." / "unsigned" and
 * the Secure Boot state in the build's report; when the session signs,
 * signer and hash checked, a "warning" there when they are wrong. */
void module_sig_report(struct dkms_session *s, const char *ko);

#endif
