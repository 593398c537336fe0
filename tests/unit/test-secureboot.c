/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secureboot.c: a certificate's issuer CN and serial as libkmod names a
 * signature's key; MOK lists read from an efivars dir, enrolled or
 * revoked; truncated or damaged certificates and lists read safely at
 * every length (run under valgrind and ASan). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "tap-check.h"

struct buf {
	unsigned char b[512];
	size_t len;
};

static void put(struct buf *d, const void *p, size_t n)
{
	ck_assert_uint_le(d->len + n, sizeof(d->b));
	memcpy(d->b + d->len, p, n);
	d->len += n;
}

/* TAG, a DER length (long form when LONG), then the contents */
static void tlv(struct buf *d, unsigned char tag, const struct buf *in,
		bool long_form)
{
	unsigned char h[4] = { tag };
	size_t n = 2;

	if (long_form) {
		h[1] = 0x82;
		h[2] = (unsigned char)(in->len >> 8);
		h[3] = (unsigned char)in->len;
		n = 4;
	} else {
		h[1] = (unsigned char)in->len;
	}
	put(d, h, n);
	put(d, in->b, in->len);
}

/* Certificate { tbs { [0] v3, serial, sigalg, issuer CN, ... } } */
static void make_cert(struct buf *out, const unsigned char *serial,
		      size_t serial_len, const char *cn, bool version)
{
	static const unsigned char v3[] = { 0x02, 0x01, 0x02 };
	static const unsigned char oid_cn[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };
	static const unsigned char alg[] = { 0x06, 0x01, 0x00 };
	struct buf tbs = { 0 }, x = { 0 }, y = { 0 }, z = { 0 };

	if (version) {
		put(&x, v3, sizeof(v3));
		tlv(&tbs, 0xa0, &x, false);
	}
	memset(&x, 0, sizeof(x));
	put(&x, serial, serial_len);
	tlv(&tbs, 0x02, &x, false);
	memset(&x, 0, sizeof(x));
	put(&x, alg, sizeof(alg));
	tlv(&tbs, 0x30, &x, false);
	/* issuer: O=org, then CN */
	memset(&x, 0, sizeof(x));
	put(&x, "\x06\x03\x55\x04\x0a\x0c\x03org", 10);
	tlv(&y, 0x30, &x, false);
	tlv(&z, 0x31, &y, false);
	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	put(&x, oid_cn, sizeof(oid_cn));
	memset(&y, 0, sizeof(y));
	put(&y, cn, strlen(cn));
	tlv(&x, 0x0c, &y, false);
	memset(&y, 0, sizeof(y));
	tlv(&y, 0x30, &x, false);
	tlv(&z, 0x31, &y, false);
	tlv(&tbs, 0x30, &z, false);
	memset(&x, 0, sizeof(x));
	tlv(&x, 0x30, &tbs, true);
	memset(out, 0, sizeof(*out));
	tlv(out, 0x30, &x, true);
}

START_TEST(test_x509_key)
{
	static const unsigned char s1[] = { 0x00, 0x9a, 0x01 };
	static const unsigned char s2[] = { 0x05 };
	struct mok_key k = { 0 };
	struct buf c;

	make_cert(&c, s1, sizeof(s1), "DKMS module signing key", true);
	ck_assert_int_eq(x509_key(c.b, c.len, &k), 0);
	ck_assert_str_eq(k.serial, "9A:01"); /* DER's sign byte dropped */
	ck_assert_str_eq(k.issuer_cn, "DKMS module signing key");
	mok_key_clear(&k);
	make_cert(&c, s2, sizeof(s2), "v1", false);
	ck_assert_int_eq(x509_key(c.b, c.len, &k), 0);
	ck_assert_str_eq(k.serial, "05");
	ck_assert_str_eq(k.issuer_cn, "v1");
	mok_key_clear(&k);
}
END_TEST

START_TEST(test_x509_damaged)
{
	static const unsigned char s1[] = { 0x11, 0x22 };
	struct mok_key k = { 0 };
	struct buf c;
	size_t n, i, refused = 0, read = 0;
	int r;

	make_cert(&c, s1, sizeof(s1), "cn", true);
	/* the outer SEQUENCE claims every byte: each strict prefix is refused,
	 * and a refusal leaves nothing behind */
	for (n = 0; n < c.len; n++) {
		ck_assert_int_eq(x509_key(c.b, n, &k), -EINVAL);
		ck_assert_ptr_null(k.serial);
		ck_assert_ptr_null(k.issuer_cn);
	}
	for (i = 0; i < c.len; i++) {
		struct buf bad = c;

		bad.b[i] ^= 0xff;
		r = x509_key(bad.b, bad.len, &k);
		ck_assert(r == 0 || r == -EINVAL);
		if (r == 0) {
			/* read within itself: a serial, a CN no longer than the
			 * certificate */
			ck_assert_ptr_nonnull(k.serial);
			ck_assert(!k.issuer_cn || strlen(k.issuer_cn) < c.len);
			mok_key_clear(&k);
			read++;
		} else {
			ck_assert_ptr_null(k.serial);
			refused++;
		}
		bad.b[i] = 0x84; /* a long length of 4 bytes */
		r = x509_key(bad.b, bad.len, &k);
		ck_assert(r == 0 || r == -EINVAL);
		if (r == 0)
			mok_key_clear(&k);
	}
	/* a damaged outer tag is refused; a damaged CN byte still reads,
	 * with the damage in the name */
	ck_assert_uint_gt(refused, 0);
	ck_assert_uint_gt(read, 0);
	c.b[0] ^= 0xff;
	ck_assert_int_eq(x509_key(c.b, c.len, &k), -EINVAL);
	c.b[0] ^= 0xff;
	c.b[c.len - 1] = 'X'; /* the last byte is the CN's last letter */
	ck_assert_int_eq(x509_key(c.b, c.len, &k), 0);
	ck_assert_str_eq(k.issuer_cn, "cX");
	mok_key_clear(&k);
}
END_TEST

/* an efivarfs file: attributes, then an EFI_SIGNATURE_LIST of CERT */
static void write_var(const char *dir, const char *name, const struct buf *cert,
		      size_t cut)
{
	static const unsigned char x509[16] = {
		0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
		0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72,
	};
	unsigned char hdr[28] = { 0 }, owner[16] = { 1 };
	uint32_t lsize = (uint32_t)(28 + 16 + cert->len), esize = (uint32_t)(16 + cert->len);
	char *p = path_join(dir, name);
	struct buf all = { 0 };
	FILE *f;

	memcpy(hdr, x509, 16);
	memcpy(hdr + 16, &lsize, 4); /* little endian, as on x86 */
	memcpy(hdr + 24, &esize, 4);
	put(&all, "\x07\0\0\0", 4);
	put(&all, hdr, sizeof(hdr));
	put(&all, owner, sizeof(owner));
	put(&all, cert->b, cert->len);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fwrite(all.b, 1, cut < all.len ? cut : all.len, f);
	fclose(f);
	free(p);
}

#define MOK "MokListRT-605dab50-e046-4300-abb6-3dd810dd8b23"
#define MOKX "MokListXRT-605dab50-e046-4300-abb6-3dd810dd8b23"

START_TEST(test_mok_lists)
{
	static const unsigned char s1[] = { 0x01, 0x02 }, s2[] = { 0x03 };
	char dir[] = "/tmp/test-secureboot.XXXXXX";
	struct dkms_ctx *ctx;
	struct dkms_session *s;
	struct secureboot sb;
	struct buf c1, c2;
	size_t n;
	char *p;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(dkms_ctx_new(&ctx), 0);
	ck_assert_int_eq(dkms_ctx_set_path(ctx, DKMS_PATH_CONF_DIR, dir), 0);
	ck_assert_int_eq(dkms_session_new(ctx, &s), 0);
	make_cert(&c1, s1, sizeof(s1), "mine", true);
	make_cert(&c2, s2, sizeof(s2), "mine", true);

	/* no efivars dir: unknown */
	p = path_join(dir, "none");
	ck_assert_int_eq(dkms_ctx_set_path(ctx, DKMS_PATH_EFIVARS, p), 0);
	free(p);
	ck_assert_int_eq(secureboot_read(s, &sb), 0);
	ck_assert_str_eq(sb.state, "unknown");
	ck_assert_str_eq(secureboot_enrolled(&sb, "mine", "01:02"), "unknown");
	secureboot_clear(&sb);

	ck_assert_int_eq(dkms_ctx_set_path(ctx, DKMS_PATH_EFIVARS, dir), 0);
	write_var(dir, MOK, &c1, SIZE_MAX);
	ck_assert_int_eq(secureboot_read(s, &sb), 0);
	ck_assert_str_eq(secureboot_enrolled(&sb, "mine", "01:02"), "yes");
	ck_assert_str_eq(secureboot_enrolled(&sb, "mine", "00:01:02"), "yes");
	ck_assert_str_eq(secureboot_enrolled(&sb, "mine", "03"), "no");
	ck_assert_str_eq(secureboot_enrolled(&sb, "other", "01:02"), "no");
	ck_assert_str_eq(secureboot_enrolled(&sb, NULL, NULL), "no");
	secureboot_clear(&sb);

	write_var(dir, MOKX, &c1, SIZE_MAX);
	ck_assert_int_eq(secureboot_read(s, &sb), 0);
	ck_assert_str_eq(secureboot_enrolled(&sb, "mine", "01:02"), "no");
	secureboot_clear(&sb);
	p = path_join(dir, MOKX);
	unlink(p);
	free(p);

	/* every truncation of the list: read safely, enrolled only whole */
	for (n = 0; n < 4 + 28 + 16 + c2.len; n++) {
		write_var(dir, MOK, &c2, n);
		ck_assert_int_eq(secureboot_read(s, &sb), 0);
		ck_assert_str_eq(secureboot_enrolled(&sb, "mine", "03"), "no");
		secureboot_clear(&sb);
	}
	p = path_join(dir, MOK);
	unlink(p);
	free(p);
	rmdir(dir);
	dkms_session_free(s);
	dkms_ctx_unref(ctx);
}
END_TEST

static Suite *secureboot_suite(void)
{
	Suite *su = suite_create("secureboot");
	TCase *tc = tcase_create("secureboot");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_x509_key);
	tcase_add_test(tc, test_x509_damaged);
	tcase_add_test(tc, test_mok_lists);
	suite_add_tcase(su, tc);
	return su;
}

TAP_CHECK_MAIN(secureboot_suite)
