/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Module compression.  3.4.3 runs gzip, xz or zstd on each module, and
 * picks the format from the suffixes it finds in the kernel's installed
 * module tree.  We compress in-process (no dependency on the programs,
 * one error path), and let the kernel's configuration decide first: a
 * kernel whose modules are not installed yet, or a tree holding modules
 * of another format, still gets what its kernel reads.  The libraries are
 * loaded when a module is compressed (dlopen.h), not at exec.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/kernel.h"

static bool config_has(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

const char *config_compressed_suffix(const struct dkms_session *s,
				     const char *kver)
{
	_cleanup_free_ char *ksrc = kver ? kernel_source_dir(s, kver) : NULL;
	_cleanup_free_ char *conf = ksrc ? kernel_config_path(s, ksrc) : NULL;
	_cleanup_free_ char *text = NULL;

	if (!conf || read_file(conf, &text, NULL) < 0)
		return NULL;
	if (config_has(text, "CONFIG_MODULE_COMPRESS_ZSTD=y"))
		return ".zst";
	if (config_has(text, "CONFIG_MODULE_COMPRESS_XZ=y"))
		return ".xz";
	if (config_has(text, "CONFIG_MODULE_COMPRESS_GZIP=y"))
		return ".gz";
	return NULL;
}

/* What we take from the compressors' command-line options. */
struct copts {
	int level;            /* -1: the format's default */
	bool extreme;         /* xz -e */
	lzma_check check;     /* xz --check= */
	uint32_t dict;        /* xz --lzma2=dict=, 0: preset's */
};

static uint32_t parse_size(const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (!strcmp(end, "KiB") || !strcmp(end, "K") || !strcmp(end, "k"))
		n <<= 10;
	else if (!strcmp(end, "MiB") || !strcmp(end, "M"))
		n <<= 20;
	return n > UINT32_MAX ? 0 : (uint32_t)n;
}

static void parse_opts(const char *opts, struct copts *o)
{
	_cleanup_free_ char *line = strdup(opts ? opts : "");
	char *w, *save = NULL;

	*o = (struct copts){ .level = -1, .check = LZMA_CHECK_CRC32 };
	for (w = line ? strtok_r(line, " \t", &save) : NULL; w;
	     w = strtok_r(NULL, " \t", &save)) {
		const char *d;

		if (w[0] == '-' && w[1] >= '0' && w[1] <= '9') {
			o->level = atoi(w + 1);
			for (d = w + 1; *d >= '0' && *d <= '9'; d++)
				;
			o->extreme |= *d == 'e';
		} else if (!strcmp(w, "-e") || !strcmp(w, "--extreme")) {
			o->extreme = true;
		} else if (!strcmp(w, "--fast")) {
			o->level = 1;
		} else if (!strcmp(w, "--best")) {
			o->level = 9;
		} else if (startswith(w, "--check=")) {
			d = w + 8;
			o->check = !strcmp(d, "none") ? LZMA_CHECK_NONE :
				   !strcmp(d, "crc64") ? LZMA_CHECK_CRC64 :
				   !strcmp(d, "sha256") ? LZMA_CHECK_SHA256 :
				   LZMA_CHECK_CRC32;
		} else if ((d = strstr(w, "dict=")) && startswith(w, "--lzma2=")) {
			o->dict = parse_size(d + 5);
		}
	}
}

static int gzip_buffer(const struct dl_zlib *zl, const struct copts *o,
		       const void *in, size_t len, struct strbuf *out)
{
	int level = o->level < 0 ? 6 : o->level > 9 ? 9 : o->level;
	z_stream z = { 0 };
	unsigned char buf[65536];
	int zr;

	/* windowBits 15 + 16: a gzip header and trailer, as gzip(1) writes */
	if (zl->deflateInit2_(&z, level, Z_DEFLATED, 15 + 16, 8,
			      Z_DEFAULT_STRATEGY, ZLIB_VERSION,
			      (int)sizeof(z)) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	do {
		z.next_out = buf;
		z.avail_out = sizeof(buf);
		zr = zl->deflate(&z, Z_FINISH);
		if (zr == Z_STREAM_ERROR ||
		    strbuf_add(out, (char *)buf, sizeof(buf) - z.avail_out) < 0)
			break;
	} while (zr != Z_STREAM_END);
	zl->deflateEnd(&z);
	return zr == Z_STREAM_END ? 0 : -EIO;
}

static int xz_buffer(const struct dl_lzma *lz, const struct copts *o,
		     const void *in, size_t len, struct strbuf *out)
{
	uint32_t preset = (uint32_t)(o->level < 0 ? 6 : o->level > 9 ? 9 : o->level);
	lzma_options_lzma opt;
	lzma_filter filters[2];
	lzma_stream x = LZMA_STREAM_INIT;
	uint8_t buf[65536];
	lzma_ret lr;

	if (o->extreme)
		preset |= LZMA_PRESET_EXTREME;
	if (lz->lzma_lzma_preset(&opt, preset))
		return -EINVAL;
	if (o->dict)
		opt.dict_size = o->dict;
	filters[0] = (lzma_filter){ LZMA_FILTER_LZMA2, &opt };
	filters[1] = (lzma_filter){ LZMA_VLI_UNKNOWN, NULL };
	if (lz->lzma_stream_encoder(&x, filters, o->check) != LZMA_OK)
		return -ENOMEM;
	x.next_in = in;
	x.avail_in = len;
	do {
		x.next_out = buf;
		x.avail_out = sizeof(buf);
		lr = lz->lzma_code(&x, LZMA_FINISH);
		if ((lr != LZMA_OK && lr != LZMA_STREAM_END) ||
		    strbuf_add(out, (char *)buf, sizeof(buf) - x.avail_out) < 0)
			break;
	} while (lr != LZMA_STREAM_END);
	lz->lzma_end(&x);
	return lr == LZMA_STREAM_END ? 0 : -EIO;
}

static int zstd_buffer(const struct dl_zstd *zs, const struct copts *o,
		       const void *in, size_t len, struct strbuf *out)
{
	int level = o->level < 0 ? ZSTD_CLEVEL_DEFAULT : o->level;
	size_t cap = zs->ZSTD_compressBound(len), n;
	char *buf = malloc(cap ? cap : 1);
	int r;

	if (!buf)
		return -ENOMEM;
	if (level > zs->ZSTD_maxCLevel())
		level = zs->ZSTD_maxCLevel();
	n = zs->ZSTD_compress(buf, cap, in, len, level);
	r = zs->ZSTD_isError(n) ? -EIO : strbuf_add(out, buf, n) < 0 ? -ENOMEM : 0;
	free(buf);
	return r;
}

int compress_buffer(struct dkms_ctx *ctx, const char *suffix,
		    const char *opts, const void *in, size_t len,
		    struct strbuf *out)
{
	_cleanup_(dkms_dl_freep) struct dkms_dl *tmp = NULL;
	const struct dl_zlib *zl;
	const struct dl_lzma *lz;
	const struct dl_zstd *zs;
	struct copts o;
	int r;

	parse_opts(opts, &o);
	if (!strcmp(suffix, ".gz")) {
		r = dl_zlib(ctx, &tmp, &zl);
		return r < 0 ? r : gzip_buffer(zl, &o, in, len, out);
	}
	if (!strcmp(suffix, ".xz")) {
		r = dl_lzma(ctx, &tmp, &lz);
		return r < 0 ? r : xz_buffer(lz, &o, in, len, out);
	}
	if (!strcmp(suffix, ".zst")) {
		r = dl_zstd(ctx, &tmp, &zs);
		return r < 0 ? r : zstd_buffer(zs, &o, in, len, out);
	}
	return -EINVAL;
}

static const char *fw_opts(const struct dkms_session *s, const char *suffix)
{
	if (!strcmp(suffix, ".gz"))
		return s->fw.compress_gzip_opts;
	if (!strcmp(suffix, ".xz"))
		return s->fw.compress_xz_opts;
	return s->fw.compress_zstd_opts;
}

int module_compress(struct dkms_session *s, const char *suffix,
		    const char *ko)
{
	_cleanup_free_ char *in = NULL, *dst = xasprintf("%s%s", ko, suffix);
	struct strbuf out = { 0 };
	size_t len = 0;
	int r;

	if (!dst)
		return -ENOMEM;
	r = read_file(ko, &in, &len);
	if (r == 0)
		r = compress_buffer(s->ctx, suffix, fw_opts(s, suffix), in, len,
				    &out);
	if (r == 0 && !out.buf)
		r = -EIO;
	if (r == 0)
		r = write_file_atomic(dst, out.buf, out.len, 0644);
	strbuf_release(&out);
	if (r == 0 && unlink(ko) < 0)
		r = -errno;
	if (r < 0)
		dkms_warn(s, "Failed to compress %s as %s: %s", ko, suffix,
			  strerror(-r));
	return r;
}
