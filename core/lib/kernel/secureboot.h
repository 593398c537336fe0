/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Will a built module load under Secure Boot?  The firmware's
 * answer from efivarfs (DKMS_PATH_EFIVARS): the SecureBoot variable, and
 * shim's MOK lists (MokListRT, MokListXRT: EFI_SIGNATURE_LISTs of X.509
 * certificates), compared with the signature libkmod reads from the module
 * (sigcheck.c).  For status --json (status-json.c).
 */
#ifndef DKMS_SECUREBOOT_H
#define DKMS_SECUREBOOT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"
#include "kernel/sigcheck.h"

/* What identifies a signing key in a module signature (PKCS#7): the
 * certificate's issuer CN (libkmod's "signer") and serial number
 * (libkmod's "sig_key", "AB:CD:..."). */
struct mok_key {
	char *issuer_cn, *serial;
};

struct secureboot {
	const char *state; /* "enabled", "disabled", "unknown" */
	bool efivars;      /* the efivars dir is there: MOK lists known */
	struct mok_key *mok, *mokx;
	size_t n_mok, n_mokx;
	struct kconfig_cache *kc; /* the last kernel's signing config */
};

/* The SecureBoot variable: "enabled", "disabled" or "unknown" (no EFI
 * variables: not booted with UEFI, not visible here, or an image under
 * --root without them). */
const char *secureboot_state(struct dkms_session *s);

/* Read the state once per command.  0 or -ENOMEM; missing or unreadable
 * variables make "unknown", never an error. */
int secureboot_read(struct dkms_session *s, struct secureboot *ret);
void secureboot_clear(struct secureboot *sb);

/* The serial number and issuer CN of a DER certificate; 0 or -EINVAL. */
int x509_key(const void *der, size_t len, struct mok_key *ret);
void mok_key_clear(struct mok_key *k);

/* "yes" when a MokListRT certificate (and none of MokListXRT) is the
 * signer/key_id's, "no" when not, "unknown" without efivars. */
const char *secureboot_enrolled(const struct secureboot *sb,
				const char *signer, const char *key_id);

/* What the kernel KVER will make of the module file KO: its signature
 * (libkmod), whether its key is enrolled, whether it will load and why. */
struct module_trust {
	struct module_sig sig;   /* fields NULL when unsigned */
	bool is_signed;
	int read_error;          /* -errno: the signature could not be read */
	const char *enrolled;    /* "yes" | "no" | "unknown"; NULL: unsigned */
	const char *will_load;   /* "yes" | "no" | "unknown" */
	const char *why;         /* why will_load says so, in words */
};
/* 0 (a signature that cannot be read is read_error, not a failure) or
 * -ENOMEM. */
int secureboot_module(struct dkms_session *s, const struct secureboot *sb,
		      const char *kver, const char *ko,
		      struct module_trust *ret);
void module_trust_clear(struct module_trust *t);

/* status --json: the "signatures" and "secure_boot" members of the entry
 * built at <dkms_tree>/M/V/K/A (REPORT: the text of its build report,
 * build-report.h, may be NULL), or of an entry with nothing built (K
 * NULL): [] and null. */
void secureboot_json(struct dkms_session *s, struct json *j,
		     const struct secureboot *sb, const char *m, const char *v,
		     const char *k, const char *a, const char *report);

#endif
