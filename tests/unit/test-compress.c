/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compress.c: every format round-trips through its library's decoder,
 * options reach the encoder, unknown suffixes are refused; sigcheck.c's
 * DER reading of a certificate's issuer CN; libkmod and the compressors
 * loaded on first use (dlopen.c), with a context and without. */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "api/api.h"
#include "tap-check.h"

/* Something module-like: text and repetition, some noise. */
static char *sample(size_t len)
{
	char *p = malloc(len);
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < len; i++)
		p[i] = (i % 97 < 60) ? "vermagic=6.1.0 SMP "[i % 19] : (char)(i * 2654435761u >> 24);
	return p;
}

static void gunzip(const struct strbuf *in, struct strbuf *out)
{
	z_stream z = { 0 };
	char buf[4096];
	int zr;

	ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)in->buf;
	z.avail_in = (uInt)in->len;
	do {
		z.next_out = (Bytef *)buf;
		z.avail_out = sizeof(buf);
		zr = inflate(&z, Z_NO_FLUSH);
		ck_assert(zr == Z_OK || zr == Z_STREAM_END);
		strbuf_add(out, buf, sizeof(buf) - z.avail_out);
	} while (zr != Z_STREAM_END);
	inflateEnd(&z);
}

static void unxz(const struct strbuf *in, struct strbuf *out)
{
	lzma_stream x = LZMA_STREAM_INIT;
	uint8_t buf[4096];
	lzma_ret lr;

	ck_assert_int_eq(lzma_stream_decoder(&x, UINT64_MAX, 0), LZMA_OK);
	x.next_in = (const uint8_t *)in->buf;
	x.avail_in = in->len;
	do {
		x.next_out = buf;
		x.avail_out = sizeof(buf);
		lr = lzma_code(&x, LZMA_FINISH);
		ck_assert(lr == LZMA_OK || lr == LZMA_STREAM_END);
		strbuf_add(out, (char *)buf, sizeof(buf) - x.avail_out);
	} while (lr != LZMA_STREAM_END);
	lzma_end(&x);
}

static void unzstd(const struct strbuf *in, struct strbuf *out, size_t len)
{
	char *buf = malloc(len + 1);
	size_t n;

	ck_assert_ptr_nonnull(buf);
	n = ZSTD_decompress(buf, len + 1, in->buf, in->len);
	ck_assert(!ZSTD_isError(n));
	strbuf_add(out, buf, n);
	free(buf);
}

static void roundtrip(struct dkms_ctx *ctx, const char *suffix,
		      const char *opts, size_t len)
{
	char *in = sample(len);
	struct strbuf c = { 0 }, d = { 0 };

	ck_assert_int_eq(compress_buffer(ctx, suffix, opts, in, len, &c), 0);
	ck_assert(c.len > 0 && (len < 1024 || c.len < len));
	if (!strcmp(suffix, ".gz"))
		gunzip(&c, &d);
	else if (!strcmp(suffix, ".xz"))
		unxz(&c, &d);
	else
		unzstd(&c, &d, len);
	ck_assert_uint_eq(d.len, len);
	ck_assert(len == 0 || memcmp(d.buf, in, len) == 0);
	strbuf_release(&c);
	strbuf_release(&d);
	free(in);
}

START_TEST(test_roundtrip)
{
	static const size_t lens[] = { 0, 1, 4096, 300000 };
	struct dkms_ctx *ctx;
	size_t i;

	/* the libraries loaded once into the context, closed by its unref */
	ck_assert_int_eq(dkms_ctx_new(&ctx), 0);
	for (i = 0; i < 4; i++) {
		roundtrip(ctx, ".gz", NULL, lens[i]);
		roundtrip(ctx, ".gz", "-9", lens[i]);
		roundtrip(ctx, ".xz", "--check=crc32 --lzma2=dict=1MiB", lens[i]);
		roundtrip(ctx, ".xz", "-0 --check=sha256", lens[i]);
		roundtrip(ctx, ".zst", "-q --rm -T0", lens[i]);
		roundtrip(ctx, ".zst", "-19", lens[i]);
	}
	dkms_ctx_unref(ctx);
}
END_TEST

START_TEST(test_options)
{
	char *in = sample(200000);
	struct strbuf fast = { 0 }, best = { 0 }, x = { 0 };

	/* no context: each call loads its library for itself */
	ck_assert_int_eq(compress_buffer(NULL, ".gz", "-1", in, 200000, &fast), 0);
	ck_assert_int_eq(compress_buffer(NULL, ".gz", "--best", in, 200000, &best), 0);
	ck_assert(best.len <= fast.len);
	/* xz stream flags: byte 7 is the check id (1 = crc32, 10 = sha256) */
	ck_assert_int_eq(compress_buffer(NULL, ".xz", NULL, in, 200000, &x), 0);
	ck_assert_int_eq(x.buf[7], 1);
	strbuf_release(&x);
	ck_assert_int_eq(compress_buffer(NULL, ".xz", "--check=sha256", in, 200000, &x), 0);
	ck_assert_int_eq(x.buf[7], 10);
	ck_assert_int_eq(compress_buffer(NULL, ".bz2", NULL, in, 10, &x), -EINVAL);
	strbuf_release(&fast);
	strbuf_release(&best);
	strbuf_release(&x);
	free(in);
}
END_TEST

START_TEST(test_cert_cn)
{
	/* issuer Name { SET { SEQ { OID 2.5.4.3, UTF8String "DKMS key" } } } */
	static const unsigned char der[] = {
		0x30, 0x16, 0x31, 0x14, 0x30, 0x12, 0x06, 0x03, 0x55, 0x04,
		0x03, 0x0c, 0x08, 'D', 'K', 'M', 'S', ' ', 'k', 'e', 'y',
		0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x02, 'n', 'o',
	};
	char path[] = "/tmp/test-compress-cert.XXXXXX";
	int fd = mkstemp(path);
	char *cn;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(write_file_atomic(path, (const char *)der, sizeof(der), 0644), 0);
	cn = cert_issuer_cn(path);
	ck_assert_str_eq(cn, "DKMS key");
	free(cn);
	/* truncated: no CN, no overread */
	ck_assert_int_eq(write_file_atomic(path, (const char *)der, 16, 0644), 0);
	ck_assert_ptr_null(cert_issuer_cn(path));
	unlink(path);
	ck_assert_ptr_null(cert_issuer_cn("/nonexistent/cert"));
}
END_TEST

/* libkmod through the context and without one: a missing file is no
 * module, and nothing is left behind (valgrind) */
START_TEST(test_kmod_loaded)
{
	struct module_sig sig = { 0 };
	struct modver v = { 0 };
	struct dkms_ctx *ctx;

	ck_assert_int_eq(dkms_ctx_new(&ctx), 0);
	ck_assert_ptr_null(modinfo_vermagic(ctx, "/nonexistent/m.ko"));
	ck_assert_ptr_null(modinfo_vermagic(ctx, "/nonexistent/m.ko"));
	ck_assert_int_eq(modinfo_version(ctx, "/nonexistent/m.ko", &v), 0);
	ck_assert_str_eq(v.version, "");
	modver_clear(&v);
	ck_assert_ptr_null(modinfo_vermagic(NULL, "/nonexistent/m.ko"));
	dkms_ctx_unref(ctx);
	ck_assert_int_lt(module_sig_read("/nonexistent/m.ko", &sig), 0);
	ck_assert_ptr_null(sig.signer);
}
END_TEST

static Suite *compress_suite(void)
{
	Suite *su = suite_create("compress");
	TCase *tc = tcase_create("compress");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_cert_cn);
	tcase_add_test(tc, test_kmod_loaded);
	suite_add_tcase(su, tc);
	return su;
}

TAP_CHECK_MAIN(compress_suite)
