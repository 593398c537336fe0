/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Libraries that only some commands need, loaded with dlopen on first use:
 * libkmod (module information and signatures; it brings libcrypto) and
 * zlib, liblzma, libzstd (module compression).  Each table holds the
 * functions we call, typed with the library's own prototypes, so a call
 * through it is checked as a linked call would be.
 */
#ifndef DKMS_DLOPEN_H
#define DKMS_DLOPEN_H

#include <libkmod.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "libdkms.h"

struct dl_kmod {
	typeof(kmod_new) *kmod_new;
	typeof(kmod_unref) *kmod_unref;
	typeof(kmod_list_next) *kmod_list_next;
	typeof(kmod_module_new_from_path) *kmod_module_new_from_path;
	typeof(kmod_module_unref) *kmod_module_unref;
	typeof(kmod_module_get_info) *kmod_module_get_info;
	typeof(kmod_module_info_get_key) *kmod_module_info_get_key;
	typeof(kmod_module_info_get_value) *kmod_module_info_get_value;
	typeof(kmod_module_info_free_list) *kmod_module_info_free_list;
};

struct dl_zlib {
	typeof(deflateInit2_) *deflateInit2_; /* deflateInit2() is a macro */
	typeof(deflate) *deflate;
	typeof(deflateEnd) *deflateEnd;
};

struct dl_lzma {
	typeof(lzma_lzma_preset) *lzma_lzma_preset;
	typeof(lzma_stream_encoder) *lzma_stream_encoder;
	typeof(lzma_code) *lzma_code;
	typeof(lzma_end) *lzma_end;
};

struct dl_zstd {
	typeof(ZSTD_compressBound) *ZSTD_compressBound;
	typeof(ZSTD_maxCLevel) *ZSTD_maxCLevel;
	typeof(ZSTD_compress) *ZSTD_compress;
	typeof(ZSTD_isError) *ZSTD_isError;
};

/* The libraries loaded so far and their tables: one set per context,
 * closed by the context's last unref (dkms_ctx_unref). */
struct dkms_dl;
void dkms_dl_free(struct dkms_dl *dl);
static inline void dkms_dl_freep(struct dkms_dl **dl)
{
	dkms_dl_free(*dl);
}

/*
 * The table of one library, loaded on first use.  With CTX, into the
 * context's set: a library that cannot be loaded is said once on stderr
 * (its soname, what it is needed for, dlerror's reason).  With CTX NULL
 * (callers that have no context), into a set made in *TMP, which the
 * caller frees (declare it _cleanup_(dkms_dl_freep)).  0, or -ELIBACC
 * when the library or one of its functions is missing, -ENOMEM.
 */
int dl_kmod(struct dkms_ctx *ctx, struct dkms_dl **tmp,
	    const struct dl_kmod **ret);
int dl_zlib(struct dkms_ctx *ctx, struct dkms_dl **tmp,
	    const struct dl_zlib **ret);
int dl_lzma(struct dkms_ctx *ctx, struct dkms_dl **tmp,
	    const struct dl_lzma **ret);
int dl_zstd(struct dkms_ctx *ctx, struct dkms_dl **tmp,
	    const struct dl_zstd **ret);

#endif
