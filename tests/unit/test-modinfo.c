/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modinfo.c: an uncompressed module's .modinfo read in place gives what
 * libkmod gives (both ELF classes, both byte orders, odd strings), and a
 * truncated or damaged file is read safely at every length (run under
 * valgrind and ASan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "tap-check.h"

static const char modinfo[] =
	"\0\0license=GPL\0version=1.2.3 ABCDEF\0srcversion=0123456789ABCDEF\0"
	"vermagic=6.1.0-1-fake SMP mod_unload \0version\0depends=\0"
	"version=2.0\0vermagicx=no\0name=m";

struct image {
	unsigned char b[512];
	size_t len;
	bool is64, msb;
};

static void put(struct image *im, size_t off, unsigned int n, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		im->b[off + (im->msb ? n - 1 - i : i)] = (unsigned char)(v >> (8 * i));
}

/* ELF header, then .shstrtab, .modinfo, then the section headers
 * (null, .shstrtab, .modinfo) */
static void make_elf(struct image *im, bool is64, bool msb)
{
	static const char shstr[] = "\0.shstrtab\0.modinfo";
	size_t eh = is64 ? 64 : 52, sz = is64 ? 64 : 40, w = is64 ? 8 : 4;
	size_t str_off = eh, mi_off = str_off + sizeof(shstr);
	size_t sh_off = (mi_off + sizeof(modinfo) - 1 + 7) & ~(size_t)7, sh;

	memset(im, 0, sizeof(*im));
	im->is64 = is64;
	im->msb = msb;
	memcpy(im->b, "\177ELF", 4);
	im->b[4] = is64 ? 2 : 1;
	im->b[5] = msb ? 2 : 1;
	im->b[6] = 1;
	put(im, 16, 2, 1);                 /* ET_REL */
	put(im, 18, 2, is64 ? 62 : 3);     /* x86-64, i386 */
	put(im, 20, 4, 1);
	put(im, is64 ? 0x28 : 0x20, (unsigned int)w, sh_off);
	put(im, is64 ? 0x34 : 0x28, 2, eh);
	put(im, is64 ? 0x3a : 0x2e, 2, sz);
	put(im, is64 ? 0x3c : 0x30, 2, 3);
	put(im, is64 ? 0x3e : 0x32, 2, 1);
	memcpy(im->b + str_off, shstr, sizeof(shstr));
	memcpy(im->b + mi_off, modinfo, sizeof(modinfo) - 1);
	/* section 1: .shstrtab, 2: .modinfo (name, type, flags, addr, offset, size) */
	sh = sh_off + sz;
	put(im, sh, 4, 1);
	put(im, sh + 4, 4, 3);
	put(im, sh + (is64 ? 0x18 : 0x10), (unsigned int)w, str_off);
	put(im, sh + (is64 ? 0x20 : 0x14), (unsigned int)w, sizeof(shstr));
	sh += sz;
	put(im, sh, 4, 11);
	put(im, sh + 4, 4, 1);
	put(im, sh + (is64 ? 0x18 : 0x10), (unsigned int)w, mi_off);
	put(im, sh + (is64 ? 0x20 : 0x14), (unsigned int)w, sizeof(modinfo) - 1);
	im->len = sh + sz;
	ck_assert_uint_le(im->len, sizeof(im->b));
}

static char *write_image(const unsigned char *b, size_t len)
{
	char *path = strdup("/tmp/test-modinfo.XXXXXX");
	int fd;

	ck_assert_ptr_nonnull(path);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, b, len), (ssize_t)len);
	close(fd);
	return path;
}

/* libkmod's answer, for comparison */
static char *kmod_field(struct dkms_ctx *ctx, const char *path, const char *key)
{
	return modinfo_field_kmod(ctx, path, key);
}

START_TEST(test_like_libkmod)
{
	struct dkms_ctx *ctx;
	int variant;

	ck_assert_int_eq(dkms_ctx_new(&ctx), 0);
	for (variant = 0; variant < 4; variant++) {
		struct image im;
		struct modver v = { 0 };
		char *path, *ours, *theirs;

		make_elf(&im, variant & 1, variant & 2);
		path = write_image(im.b, im.len);
		ours = modinfo_vermagic(ctx, path);
		theirs = kmod_field(ctx, path, "vermagic");
		ck_assert_str_eq(ours, "6.1.0-1-fake SMP mod_unload ");
		ck_assert_str_eq(ours, theirs);
		free(ours);
		free(theirs);
		/* the last "version" wins; srcversion as it is */
		ck_assert_int_eq(modinfo_version(ctx, path, &v), 0);
		theirs = kmod_field(ctx, path, "version");
		ck_assert_str_eq(theirs, "2.0");
		ck_assert_str_eq(v.version, theirs);
		ck_assert_str_eq(v.srcversion, "0123456789ABCDEF");
		free(theirs);
		modver_clear(&v);
		unlink(path);
		free(path);
	}
	dkms_ctx_unref(ctx);
}
END_TEST

/* every truncation, and a byte of the headers damaged: no crash, no read
 * out of bounds; what is read is NULL or a field of the module */
START_TEST(test_damaged)
{
	struct dkms_ctx *ctx;
	struct image im;
	size_t n, i;

	ck_assert_int_eq(dkms_ctx_new(&ctx), 0);
	make_elf(&im, true, false);
	for (n = 0; n <= im.len; n += 3) {
		char *path = write_image(im.b, n);
		char *vm = modinfo_vermagic(ctx, path);

		ck_assert(!vm || !strcmp(vm, "6.1.0-1-fake SMP mod_unload "));
		free(vm);
		unlink(path);
		free(path);
	}
	/* each byte of the ELF header and of the section headers */
	for (i = 0; i < im.len; i++) {
		struct image bad = im;
		char *path, *vm;

		if (i == 64)
			i = im.len - 3 * 64;
		bad.b[i] ^= 0xff;
		path = write_image(bad.b, bad.len);
		vm = modinfo_vermagic(ctx, path);
		free(vm);
		unlink(path);
		free(path);
	}
	ck_assert_ptr_null(modinfo_vermagic(ctx, "/nonexistent/m.ko"));
	dkms_ctx_unref(ctx);
}
END_TEST

static Suite *modinfo_suite(void)
{
	Suite *su = suite_create("modinfo");
	TCase *tc = tcase_create("modinfo");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_like_libkmod);
	tcase_add_test(tc, test_damaged);
	suite_add_tcase(su, tc);
	return su;
}

TAP_CHECK_MAIN(modinfo_suite)
