/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Secure Boot report for status --json.
 *
 * The kernel checks a module's PKCS#7 signature against the keys it
 * trusts; with shim, the keys a user enrolled (mokutil --import) are the
 * MOK list, which shim leaves in the runtime variable MokListRT (split
 * into MokListRT1, MokListRT2, ... when large), and the revoked ones in
 * MokListXRT.  A PKCS#7 signature names its key by the certificate's
 * issuer and serial number: libkmod reports the issuer's CN as "signer"
 * and the serial as "sig_key", so we compare those with each enrolled
 * certificate.  The kernel's built-in (distribution) keys are not
 * visible from here: a module signed by one of those is "no" in
 * "enrolled", though it loads.
 *
 * efivarfs files are 4 bytes of attributes, then the value.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kernel/kernel.h"

#define GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define SHIM_GUID "605dab50-e046-4300-abb6-3dd810dd8b23"

enum tri { NO, YES, UNKNOWN };

struct kernel_sig {
	enum tri checks; /* CONFIG_MODULE_SIG */
	enum tri force;  /* CONFIG_MODULE_SIG_FORCE: no unsigned module */
};

/* each kernel's .config is read once per status --json */
struct kconfig_cache {
	struct kconfig_seen {
		char *kver;
		struct kernel_sig ks;
	} *v;
	size_t n;
};

/* EFI_CERT_X509_GUID a5c059a1-94e4-4aa7-87b5-ab155c2bf072, as stored */
static const unsigned char cert_x509_guid[16] = {
	0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
	0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72,
};

/* ---- DER, as much as a certificate's issuer and serial need ----------- */

struct der {
	const unsigned char *p;
	size_t len;
};

/* The next element of D: its tag and contents; D moves past it. */
static bool der_next(struct der *d, unsigned char *tag, struct der *ret)
{
	size_t len, hdr = 2, i;

	if (d->len < 2)
		return false;
	*tag = d->p[0];
	len = d->p[1];
	if (len & 0x80) {
		size_t n = len & 0x7f;

		if (n == 0 || n > 4 || d->len < 2 + n)
			return false;
		for (len = 0, i = 0; i < n; i++)
			len = len << 8 | d->p[2 + i];
		hdr += n;
	}
	if (len > d->len - hdr)
		return false;
	ret->p = d->p + hdr;
	ret->len = len;
	d->p += hdr + len;
	d->len -= hdr + len;
	return true;
}

static bool der_enter(struct der *d, unsigned char want, struct der *ret)
{
	unsigned char tag;

	return der_next(d, &tag, ret) && tag == want;
}

/* "AB:CD:..." without the sign byte DER puts before a high bit, as
 * libkmod prints a serial (from the number, so no leading zeros) */
static char *hex_serial(const struct der *v)
{
	struct strbuf sb = { 0 };
	size_t i = 0;

	while (i + 1 < v->len && v->p[i] == 0)
		i++;
	for (; i < v->len; i++)
		strbuf_addf(&sb, "%s%02X", sb.len ? ":" : "", v->p[i]);
	return strbuf_steal(&sb);
}

/* the first commonName of a Name (SEQUENCE of SETs of SEQUENCEs) */
static char *name_cn(struct der name)
{
	static const unsigned char oid_cn[] = { 0x55, 0x04, 0x03 };
	struct der set, atv, oid, val;
	unsigned char tag;

	while (der_enter(&name, 0x31, &set))
		while (der_enter(&set, 0x30, &atv)) {
			if (!der_enter(&atv, 0x06, &oid) || !der_next(&atv, &tag, &val))
				break;
			/* UTF8String, PrintableString, T61String, IA5String */
			if (oid.len == sizeof(oid_cn) && !memcmp(oid.p, oid_cn, oid.len) &&
			    (tag == 0x0c || tag == 0x13 || tag == 0x14 || tag == 0x16))
				return strndup((const char *)val.p, val.len);
		}
	return NULL;
}

int x509_key(const void *der, size_t len, struct mok_key *ret)
{
	struct der d = { der, len }, cert, tbs, serial, alg, issuer, first;
	unsigned char tag;

	if (!der_enter(&d, 0x30, &cert) || !der_enter(&cert, 0x30, &tbs))
		return -EINVAL;
	first = tbs;
	if (!der_next(&first, &tag, &serial))
		return -EINVAL;
	if (tag == 0xa0) /* [0] version */
		tbs = first;
	if (!der_enter(&tbs, 0x02, &serial) || !der_enter(&tbs, 0x30, &alg) ||
	    !der_enter(&tbs, 0x30, &issuer))
		return -EINVAL;
	ret->serial = hex_serial(&serial);
	ret->issuer_cn = name_cn(issuer);
	if (!ret->serial) {
		mok_key_clear(ret);
		return -ENOMEM;
	}
	return 0;
}

void mok_key_clear(struct mok_key *k)
{
	free(k->issuer_cn);
	free(k->serial);
	*k = (struct mok_key){ 0 };
}

/* ---- efivarfs ----------------------------------------------------------- */

/* NAME's value (after the attributes); -ENOENT when it is not there */
static int read_var(struct dkms_session *s, const char *name, char **ret,
		    size_t *len)
{
	const char *dir = dkms_ctx_get_path(s->ctx, DKMS_PATH_EFIVARS);
	_cleanup_free_ char *p = dir ? path_join(dir, name) : NULL;
	char *v = NULL;
	size_t n = 0;
	int r;

	if (!p)
		return -ENOMEM;
	r = read_file(p, &v, &n);
	if (r < 0)
		return r;
	if (n < 4) {
		free(v);
		return -EINVAL;
	}
	memmove(v, v + 4, n - 4);
	*ret = v;
	*len = n - 4;
	return 0;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int add_key(struct mok_key **v, size_t *n, const unsigned char *der,
		   size_t len)
{
	struct mok_key k = { 0 }, *nv;

	if (x509_key(der, len, &k) < 0)
		return 0; /* not a certificate we can read: no key of ours */
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv) {
		mok_key_clear(&k);
		return -ENOMEM;
	}
	*v = nv;
	(*v)[(*n)++] = k;
	return 0;
}

/* EFI_SIGNATURE_LISTs: type GUID, list size, header size, entry size,
 * header, entries (owner GUID, data); X.509 entries are certificates */
static int parse_esl(const unsigned char *p, size_t len, struct mok_key **v,
		     size_t *n)
{
	while (len >= 28) {
		uint32_t lsize = le32(p + 16), hsize = le32(p + 20),
			 esize = le32(p + 24);
		size_t off;
		int r;

		if (lsize < 28 || lsize > len || hsize > lsize - 28 || esize <= 16)
			return -EINVAL;
		for (off = 28 + hsize; off + esize <= lsize; off += esize) {
			if (memcmp(p, cert_x509_guid, 16))
				break;
			r = add_key(v, n, p + off + 16, esize - 16);
			if (r < 0)
				return r;
		}
		p += lsize;
		len -= lsize;
	}
	return 0;
}

/* NAME, NAME1, NAME2, ... (shim splits what does not fit one variable) */
static int read_list(struct dkms_session *s, const char *name,
		     struct mok_key **v, size_t *n)
{
	unsigned int i;
	int r = 0;

	for (i = 0; r == 0; i++) {
		_cleanup_free_ char *var = NULL, *val = NULL;
		size_t len = 0;

		var = i ? xasprintf("%s%u-" SHIM_GUID, name, i)
			: xasprintf("%s-" SHIM_GUID, name);
		if (!var)
			return -ENOMEM;
		r = read_var(s, var, &val, &len);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return 0;
		/* a damaged list: what was read before stays */
		r = parse_esl((const unsigned char *)val, len, v, n);
		if (r == -EINVAL)
			return 0;
	}
	return r;
}

const char *secureboot_state(struct dkms_session *s)
{
	_cleanup_free_ char *v = NULL;
	size_t len = 0;

	if (read_var(s, "SecureBoot-" GLOBAL_GUID, &v, &len) < 0 || len < 1)
		return "unknown";
	return v[0] == 1 ? "enabled" : "disabled";
}

int secureboot_read(struct dkms_session *s, struct secureboot *ret)
{
	const char *dir = dkms_ctx_get_path(s->ctx, DKMS_PATH_EFIVARS);
	struct secureboot sb = { .state = "unknown" };
	int r;

	sb.kc = calloc(1, sizeof(*sb.kc));
	if (!sb.kc)
		return -ENOMEM;
	sb.efivars = dir && is_dir(dir);
	if (!sb.efivars) {
		*ret = sb;
		return 0;
	}
	sb.state = secureboot_state(s);
	r = read_list(s, "MokListRT", &sb.mok, &sb.n_mok);
	if (r == 0)
		r = read_list(s, "MokListXRT", &sb.mokx, &sb.n_mokx);
	if (r < 0) {
		secureboot_clear(&sb);
		return r;
	}
	*ret = sb;
	return 0;
}

static void keys_free(struct mok_key *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		mok_key_clear(&v[i]);
	free(v);
}

void secureboot_clear(struct secureboot *sb)
{
	size_t i;

	keys_free(sb->mok, sb->n_mok);
	keys_free(sb->mokx, sb->n_mokx);
	for (i = 0; sb->kc && i < sb->kc->n; i++)
		free(sb->kc->v[i].kver);
	if (sb->kc)
		free(sb->kc->v);
	free(sb->kc);
	*sb = (struct secureboot){ .state = "unknown" };
}

/* serials compare as numbers: without leading "00:" */
static const char *serial_digits(const char *s)
{
	while (startswith(s, "00:"))
		s += 3;
	return s;
}

static bool key_in(const struct mok_key *v, size_t n, const char *signer,
		   const char *key_id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].issuer_cn && !strcmp(v[i].issuer_cn, signer) &&
		    !strcasecmp(serial_digits(v[i].serial), serial_digits(key_id)))
			return true;
	return false;
}

const char *secureboot_enrolled(const struct secureboot *sb,
				const char *signer, const char *key_id)
{
	if (!sb->efivars)
		return "unknown";
	if (!signer || !key_id || key_in(sb->mokx, sb->n_mokx, signer, key_id))
		return "no";
	return key_in(sb->mok, sb->n_mok, signer, key_id) ? "yes" : "no";
}

/* ---- status --json ------------------------------------------------------- */

static const char *const tri_name[] = { "no", "yes", "unknown" };

/* CONFIG_NAME=y in the kernel's .config: YES, NO, UNKNOWN without one */
static enum tri kconfig_y(const char *text, const char *name)
{
	_cleanup_free_ char *line = xasprintf("\n%s=y\n", name);

	if (!text)
		return UNKNOWN;
	if (!line)
		return UNKNOWN;
	return strstr(text, line) || startswith(text, line + 1) ? YES : NO;
}

static struct kernel_sig kernel_sig(struct dkms_session *s,
				    struct kconfig_cache *kc, const char *kver)
{
	_cleanup_free_ char *ksrc = NULL, *conf = NULL, *text = NULL;
	struct kernel_sig ks = { UNKNOWN, UNKNOWN };
	struct kconfig_seen *nv;
	size_t i;

	for (i = 0; kc && i < kc->n; i++)
		if (!strcmp(kc->v[i].kver, kver))
			return kc->v[i].ks;
	ksrc = kernel_source_dir(s, kver);
	conf = ksrc ? kernel_config_path(s, ksrc) : NULL;
	if (conf && read_file(conf, &text, NULL) == 0)
		ks = (struct kernel_sig){ kconfig_y(text, "CONFIG_MODULE_SIG"),
					  kconfig_y(text, "CONFIG_MODULE_SIG_FORCE") };
	nv = kc ? realloc(kc->v, (kc->n + 1) * sizeof(*nv)) : NULL;
	if (nv) {
		kc->v = nv;
		nv[kc->n].ks = ks;
		nv[kc->n].kver = strdup(kver);
		if (nv[kc->n].kver)
			kc->n++;
	}
	return ks;
}

/* whether the kernel will load a module, and why (for diagnose) */
static enum tri will_load(const struct secureboot *sb, struct kernel_sig ks,
			  bool is_signed, const char *enrolled,
			  const char **why)
{
	bool on = !strcmp(sb->state, "enabled");
	bool off = !strcmp(sb->state, "disabled");

	if (ks.checks == NO) {
		*why = "the kernel checks no signature: CONFIG_MODULE_SIG is not set";
		return YES;
	}
	if (is_signed && !strcmp(enrolled, "yes")) {
		*why = "signed with an enrolled key";
		return YES;
	}
	if (off && ks.force == NO) {
		*why = "Secure Boot is off: the kernel is only tainted";
		return YES; /* unsigned or unknown keys only taint */
	}
	if (on || ks.force == YES) {
		if (!is_signed) {
			*why = on ? "unsigned, and Secure Boot is on"
				  : "unsigned, and the kernel's "
				    "CONFIG_MODULE_SIG_FORCE requires a signature";
			return NO;
		}
		if (!strcmp(enrolled, "no")) {
			*why = on ? "the signing key is not enrolled, and Secure "
				    "Boot is on"
				  : "the signing key is not enrolled, and the "
				    "kernel's CONFIG_MODULE_SIG_FORCE requires a "
				    "known one";
			return NO;
		}
		*why = "the kernel's CONFIG_MODULE_SIG_FORCE requires a known "
		       "key, and the MOK list cannot be read: no EFI variables";
		return UNKNOWN;
	}
	*why = "the Secure Boot state is unknown: no EFI variables";
	return UNKNOWN;
}

/* the build report's "NAME signing failed: why" (signing.c) */
static char *signing_failure(const char *report, const char *name)
{
	_cleanup_free_ char *key = xasprintf("%s signing failed", name);

	if (!report || !key)
		return NULL;
	return build_report_get(report, key);
}

static void key_str(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	if (v)
		json_string(j, v);
	else
		json_null(j);
}

int secureboot_module(struct dkms_session *s, const struct secureboot *sb,
		      const char *kver, const char *ko,
		      struct module_trust *ret)
{
	struct module_trust t = { .read_error = 0 };
	enum tri load;

	t.read_error = module_sig_read_ctx(s->ctx, ko, &t.sig);
	if (t.read_error == -ENOMEM)
		return -ENOMEM;
	t.is_signed = t.read_error == 0 && (t.sig.signer || t.sig.sig_hashalgo);
	if (t.is_signed)
		t.enrolled = secureboot_enrolled(sb, t.sig.signer, t.sig.sig_key);
	if (t.read_error < 0) {
		load = UNKNOWN;
		t.why = "the signature cannot be read";
	} else {
		load = will_load(sb, kernel_sig(s, sb->kc, kver), t.is_signed,
				 t.enrolled, &t.why);
	}
	t.will_load = tri_name[load];
	*ret = t;
	return 0;
}

void module_trust_clear(struct module_trust *t)
{
	module_sig_clear(&t->sig);
	*t = (struct module_trust){ 0 };
}

static enum tri tri_of(const char *name)
{
	return !strcmp(name, "yes") ? YES : !strcmp(name, "no") ? NO : UNKNOWN;
}

/* one module file; returns what will_load says */
static enum tri write_one(struct dkms_session *s, struct json *j,
			  const struct secureboot *sb, const char *kver,
			  const char *path, const char *file,
			  const char *report)
{
	_cleanup_free_ char *name = strndup(file, strstr(file, ".ko") + 3 - file);
	_cleanup_free_ char *failed = NULL, *error = NULL;
	struct module_trust t = { 0 };
	enum tri load = UNKNOWN;

	if (secureboot_module(s, sb, kver, path, &t) == 0)
		load = tri_of(t.will_load);
	else
		t.read_error = -ENOMEM;
	failed = name ? signing_failure(report, name) : NULL;
	if (t.read_error < 0)
		error = xasprintf("cannot read the signature: %s",
				  strerror(-t.read_error));
	else if (failed && !t.is_signed)
		error = xasprintf("signing failed: %s", failed);

	json_begin_object(j);
	key_str(j, "file", path);
	json_key(j, "signed");
	json_bool(j, t.is_signed);
	key_str(j, "signer", t.sig.signer);
	key_str(j, "key_id", t.sig.sig_key);
	key_str(j, "hash_algo", t.sig.sig_hashalgo);
	key_str(j, "enrolled", t.enrolled);
	key_str(j, "will_load", tri_name[load]);
	key_str(j, "error", error);
	json_end_object(j);
	module_trust_clear(&t);
	return load;
}

void secureboot_json(struct dkms_session *s, struct json *j,
		     const struct secureboot *sb, const char *m, const char *v,
		     const char *k, const char *a, const char *report)
{
	_cleanup_free_ char *dir = NULL;
	struct namelist files = { 0 };
	enum tri all = UNKNOWN;
	size_t i, n = 0;

	json_key(j, "signatures");
	json_begin_array(j);
	if (!k) {
		json_end_array(j);
		json_key(j, "secure_boot");
		json_null(j);
		return;
	}
	dir = tree_path(s, "%s/%s/%s/%s/module", m, v, k, a);
	if (dir)
		namelist_dir(&files, dir, false);
	for (i = 0; i < files.n; i++) {
		_cleanup_free_ char *path = NULL;
		enum tri t;

		if (!strstr(files.v[i], ".ko"))
			continue;
		path = path_join(dir, files.v[i]);
		if (!path)
			continue;
		t = write_one(s, j, sb, k, path, files.v[i], report);
		/* the entry loads when each of its modules does */
		all = n++ == 0 ? t : (t == NO || all == NO) ? NO
				   : (t == UNKNOWN || all == UNKNOWN) ? UNKNOWN : YES;
	}
	json_end_array(j);
	namelist_clear(&files);
	json_key(j, "secure_boot");
	json_begin_object(j);
	key_str(j, "state", sb->state);
	key_str(j, "will_load", tri_name[all]);
	json_end_object(j);
}
