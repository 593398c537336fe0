/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Libraries that only some commands need, loaded with dlopen on first use:
 * libkmod (module information and signatures; it brings libcrypto),
 * zlib, liblzma, libzstd (module compression) and, when configure found
 * it, libsolv with libsolvext (the package of a kernel's headers; the
 * latter brings librpm).  Each table holds the functions we call, typed
 * with the library's own prototypes, so a call through it is checked as
 * a linked call would be.
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

/*
 * libsolv's headers define short common names (Id, Map, Queue, ARCH_ANY,
 * ...): only the files that use libsolv see them, by defining
 * DKMS_DL_SOLV before their first include.
 */
#if defined(HAVE_LIBSOLV) && defined(DKMS_DL_SOLV)
#include <solv/dataiterator.h>
#include <solv/evr.h>
#include <solv/pool.h>
#include <solv/queue.h>
#include <solv/repo.h>
#include <solv/solvversion.h>
#include <solv/solv_xfopen.h>
#ifdef LIBSOLVEXT_FEATURE_DEBIAN
#include <solv/repo_deb.h>
#endif
#ifdef LIBSOLVEXT_FEATURE_RPMDB
#include <solv/repo_rpmdb.h>
#endif
#ifdef LIBSOLVEXT_FEATURE_RPMMD
#include <solv/repo_rpmmd.h>
#endif
#ifdef LIBSOLVEXT_FEATURE_ARCHREPO
#include <solv/repo_arch.h>
#endif

struct dl_solv {
	typeof(pool_create) *pool_create;
	typeof(pool_free) *pool_free;
	typeof(pool_setdisttype) *pool_setdisttype;
	typeof(pool_setdebugcallback) *pool_setdebugcallback;
	typeof(pool_set_rootdir) *pool_set_rootdir;
	typeof(pool_errstr) *pool_errstr;
	typeof(pool_str2id) *pool_str2id;
	typeof(pool_rel2id) *pool_rel2id;
	typeof(pool_id2str) *pool_id2str;
	typeof(pool_evrcmp) *pool_evrcmp;
	typeof(pool_solvable2str) *pool_solvable2str;
	typeof(pool_whatmatchesdep) *pool_whatmatchesdep;
	typeof(repo_create) *repo_create;
	typeof(queue_init) *queue_init;
	typeof(queue_free) *queue_free;
	typeof(dataiterator_init) *dataiterator_init;
	typeof(dataiterator_step) *dataiterator_step;
	typeof(dataiterator_free) *dataiterator_free;
};

/* the readers of libsolvext this build's headers say it has */
struct dl_solvext {
	typeof(solv_xfopen) *solv_xfopen;
	typeof(solv_xfopen_fd) *solv_xfopen_fd;
#ifdef LIBSOLVEXT_FEATURE_DEBIAN
	typeof(repo_add_debdb) *repo_add_debdb;
	typeof(repo_add_debpackages) *repo_add_debpackages;
#endif
#ifdef LIBSOLVEXT_FEATURE_RPMDB
	typeof(repo_add_rpmdb) *repo_add_rpmdb;
#endif
#ifdef LIBSOLVEXT_FEATURE_RPMMD
	typeof(repo_add_rpmmd) *repo_add_rpmmd;
#endif
#ifdef LIBSOLVEXT_FEATURE_ARCHREPO
	typeof(repo_add_arch_local) *repo_add_arch_local;
	typeof(repo_add_arch_repo) *repo_add_arch_repo;
#endif
};

/*
 * Both tables, libsolv's first (libsolvext needs it).  Unlike the
 * others, a libsolv that cannot be loaded is not said on stderr: it only
 * makes the answer unknown; the reason goes to the log.  0, -ELIBACC,
 * -ENOMEM.
 */
int dl_solv(struct dkms_ctx *ctx, struct dkms_dl **tmp,
	    const struct dl_solv **ret, const struct dl_solvext **ret_ext);
#endif

#endif
