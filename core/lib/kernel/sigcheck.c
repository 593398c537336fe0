/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signature check after signing.  3.4.3 trusts sign-file's exit status;
 * we read the signature back the way modprobe will (libkmod) and compare
 * it with what we asked for: the hash of CONFIG_MODULE_SIG_HASH and the
 * certificate's name.  The result, and a mismatch, go to the build report
 * (build-report.h) and from there to status --json; stdout, stderr and
 * make.log stay 3.4.3's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kernel/kernel.h"

void module_sig_clear(struct module_sig *sig)
{
	free(sig->signer);
	free(sig->sig_key);
	free(sig->sig_hashalgo);
	*sig = (struct module_sig){ 0 };
}

static int sig_read(const struct dl_kmod *k, const char *ko,
		    struct module_sig *ret)
{
	static const char *const no_config[] = { NULL };
	struct kmod_ctx *ctx = k->kmod_new(NULL, no_config);
	struct kmod_module *mod = NULL;
	struct kmod_list *list = NULL, *l;
	struct module_sig sig = { 0 };
	int r;

	if (!ctx)
		return -ENOMEM;
	r = k->kmod_module_new_from_path(ctx, ko, &mod);
	if (r == 0) {
		r = k->kmod_module_get_info(mod, &list);
		r = r < 0 ? r : 0;
	}
	for (l = list; l; l = k->kmod_list_next(list, l)) {
		const char *key = k->kmod_module_info_get_key(l);
		const char *v = k->kmod_module_info_get_value(l);
		char **slot = !strcmp(key, "signer") ? &sig.signer :
			      !strcmp(key, "sig_key") ? &sig.sig_key :
			      !strcmp(key, "sig_hashalgo") ? &sig.sig_hashalgo : NULL;

		if (slot && !*slot && v && !(*slot = strdup(v)))
			r = -ENOMEM;
	}
	k->kmod_module_info_free_list(list);
	k->kmod_module_unref(mod);
	k->kmod_unref(ctx);
	if (r < 0) {
		module_sig_clear(&sig);
		return r;
	}
	*ret = sig;
	return 0;
}

/* ux (secureboot.c): status --json reads many, with the context's
 * libkmod loaded once */
int module_sig_read_ctx(struct dkms_ctx *ctx, const char *ko,
			struct module_sig *ret)
{
	const struct dl_kmod *k;
	int r = dl_kmod(ctx, NULL, &k);

	return r < 0 ? r : sig_read(k, ko, ret);
}

/* libkmod loaded for this call: the callers have no context */
int module_sig_read(const char *ko, struct module_sig *ret)
{
	_cleanup_(dkms_dl_freep) struct dkms_dl *tmp = NULL;
	const struct dl_kmod *k;
	int r = dl_kmod(NULL, &tmp, &k);

	return r < 0 ? r : sig_read(k, ko, ret);
}

/* DER: the first commonName (OID 2.5.4.3) of a certificate is its
 * issuer's (the issuer comes before the subject). */
char *cert_issuer_cn(const char *cert_path)
{
	static const unsigned char oid_cn[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };
	_cleanup_free_ char *der = NULL;
	size_t len = 0, i;

	if (!cert_path || read_file(cert_path, &der, &len) < 0)
		return NULL;
	for (i = 0; i + sizeof(oid_cn) + 2 < len; i++) {
		const unsigned char *p = (const unsigned char *)der + i;
		size_t n;

		if (memcmp(p, oid_cn, sizeof(oid_cn)))
			continue;
		p += sizeof(oid_cn);
		/* UTF8String, PrintableString, IA5String, short length */
		if ((p[0] != 0x0c && p[0] != 0x13 && p[0] != 0x16) || p[1] > 0x7f)
			return NULL;
		n = p[1];
		if (i + sizeof(oid_cn) + 2 + n > len)
			return NULL;
		return strndup((const char *)p + 2, n);
	}
	return NULL;
}

void module_sig_report(struct dkms_session *s, const char *ko)
{
	_cleanup_free_ char *cn = NULL, *key = NULL;
	struct module_sig sig = { 0 };
	const struct dl_kmod *k;
	const char *base = strrchr(ko, '/') ? strrchr(ko, '/') + 1 : ko;
	struct build_report *rep = s->report;
	int r;

	/* only for kernels that check signatures */
	if (!rep || (!s->sign.on && !s->sign.hash))
		return;
	key = xasprintf("%s signature", base);
	if (!key)
		return;
	r = dl_kmod(s->ctx, NULL, &k);
	if (r == 0)
		r = sig_read(k, ko, &sig);

	if (r < 0)
		build_report_add(rep, key, "cannot read it: %s; Secure Boot: %s",
				 strerror(-r), secureboot_state(s));
	else if (sig.signer || sig.sig_hashalgo)
		build_report_add(rep, key, "signed by '%s' (%s, key %s); Secure Boot: %s",
				 sig.signer ? sig.signer : "",
				 sig.sig_hashalgo ? sig.sig_hashalgo : "?",
				 sig.sig_key ? sig.sig_key : "?",
				 secureboot_state(s));
	else
		build_report_add(rep, key, "unsigned; Secure Boot: %s",
				 secureboot_state(s));
	if (!s->sign.on || r < 0)
		goto out;
	cn = startswith(s->sign.key ? s->sign.key : "", "pkcs11:") ? NULL
								    : cert_issuer_cn(s->sign.cert);
	if (!sig.signer && !sig.sig_hashalgo)
		build_report_add(rep, "warning", "%s is not signed after signing it.",
				 base);
	else if (s->sign.hash && sig.sig_hashalgo &&
		 strcasecmp(s->sign.hash, sig.sig_hashalgo))
		build_report_add(rep, "warning", "%s is signed with %s, not %s as "
				 "the kernel asks.", base, sig.sig_hashalgo,
				 s->sign.hash);
	else if (cn && (!sig.signer || strcmp(cn, sig.signer)))
		build_report_add(rep, "warning", "%s is signed by '%s', not by "
				 "the certificate %s ('%s').", base,
				 sig.signer ? sig.signer : "", s->sign.cert, cn);
out:
	module_sig_clear(&sig);
}
