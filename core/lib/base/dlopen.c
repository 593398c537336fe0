/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading libkmod, zlib, liblzma, libzstd, libsolv and libsolvext on
 * first use.  Linked at exec, they cost every command their mapping and
 * relocations (libkmod brings libcrypto, libsolvext librpm, lua, sqlite
 * and libgcrypt), `dkms status` included, which needs none of them.  The
 * handles live in the context, not in globals: the library keeps no
 * state of its own.
 */
#include "config.h"

#define DKMS_DL_SOLV /* the libsolv tables (dlopen.h) */

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "base/base.h"

/* configure reads the sonames from the -dev packages' libraries. */
#ifndef DKMS_SONAME_KMOD
#define DKMS_SONAME_KMOD "libkmod.so.2"
#endif
#ifndef DKMS_SONAME_ZLIB
#define DKMS_SONAME_ZLIB "libz.so.1"
#endif
#ifndef DKMS_SONAME_LZMA
#define DKMS_SONAME_LZMA "liblzma.so.5"
#endif
#ifndef DKMS_SONAME_ZSTD
#define DKMS_SONAME_ZSTD "libzstd.so.1"
#endif
#ifndef DKMS_SONAME_SOLV
#define DKMS_SONAME_SOLV "libsolv.so.1"
#endif
#ifndef DKMS_SONAME_SOLVEXT
#define DKMS_SONAME_SOLVEXT "libsolvext.so.1"
#endif

enum dl_id {
	DL_KMOD,
	DL_ZLIB,
	DL_LZMA,
	DL_ZSTD,
#ifdef HAVE_LIBSOLV
	DL_SOLV,
	DL_SOLVEXT,
#endif
	_DL_MAX
};

struct dkms_dl {
	void *handle[_DL_MAX];
	int error[_DL_MAX]; /* <0: tried and failed, not tried again */
	struct dl_kmod kmod;
	struct dl_zlib zlib;
	struct dl_lzma lzma;
	struct dl_zstd zstd;
#ifdef HAVE_LIBSOLV
	struct dl_solv solv;
	struct dl_solvext solvext;
#endif
};

struct dl_sym {
	const char *name;
	size_t offset; /* of its pointer in the table */
};

#define SYM(table, fn) { #fn, offsetof(struct table, fn) }

static const struct dl_sym kmod_syms[] = {
	SYM(dl_kmod, kmod_new),
	SYM(dl_kmod, kmod_unref),
	SYM(dl_kmod, kmod_list_next),
	SYM(dl_kmod, kmod_module_new_from_path),
	SYM(dl_kmod, kmod_module_unref),
	SYM(dl_kmod, kmod_module_get_info),
	SYM(dl_kmod, kmod_module_info_get_key),
	SYM(dl_kmod, kmod_module_info_get_value),
	SYM(dl_kmod, kmod_module_info_free_list),
};
static const struct dl_sym zlib_syms[] = {
	SYM(dl_zlib, deflateInit2_),
	SYM(dl_zlib, deflate),
	SYM(dl_zlib, deflateEnd),
};
static const struct dl_sym lzma_syms[] = {
	SYM(dl_lzma, lzma_lzma_preset),
	SYM(dl_lzma, lzma_stream_encoder),
	SYM(dl_lzma, lzma_code),
	SYM(dl_lzma, lzma_end),
};
static const struct dl_sym zstd_syms[] = {
	SYM(dl_zstd, ZSTD_compressBound),
	SYM(dl_zstd, ZSTD_maxCLevel),
	SYM(dl_zstd, ZSTD_compress),
	SYM(dl_zstd, ZSTD_isError),
};

#ifdef HAVE_LIBSOLV
static const struct dl_sym solv_syms[] = {
	SYM(dl_solv, pool_create),
	SYM(dl_solv, pool_free),
	SYM(dl_solv, pool_setdisttype),
	SYM(dl_solv, pool_setdebugcallback),
	SYM(dl_solv, pool_set_rootdir),
	SYM(dl_solv, pool_errstr),
	SYM(dl_solv, pool_str2id),
	SYM(dl_solv, pool_rel2id),
	SYM(dl_solv, pool_id2str),
	SYM(dl_solv, pool_evrcmp),
	SYM(dl_solv, pool_solvable2str),
	SYM(dl_solv, pool_whatmatchesdep),
	SYM(dl_solv, repo_create),
	SYM(dl_solv, queue_init),
	SYM(dl_solv, queue_free),
	SYM(dl_solv, dataiterator_init),
	SYM(dl_solv, dataiterator_step),
	SYM(dl_solv, dataiterator_free),
};
static const struct dl_sym solvext_syms[] = {
	SYM(dl_solvext, solv_xfopen),
	SYM(dl_solvext, solv_xfopen_fd),
#ifdef LIBSOLVEXT_FEATURE_DEBIAN
	SYM(dl_solvext, repo_add_debdb),
	SYM(dl_solvext, repo_add_debpackages),
#endif
#ifdef LIBSOLVEXT_FEATURE_RPMDB
	SYM(dl_solvext, repo_add_rpmdb),
#endif
#ifdef LIBSOLVEXT_FEATURE_RPMMD
	SYM(dl_solvext, repo_add_rpmmd),
#endif
#ifdef LIBSOLVEXT_FEATURE_ARCHREPO
	SYM(dl_solvext, repo_add_arch_local),
	SYM(dl_solvext, repo_add_arch_repo),
#endif
};
#endif

static const struct dl_lib {
	const char *soname;
	const char *purpose; /* "needed to ..." */
	size_t table;        /* offset of the table in struct dkms_dl */
	const struct dl_sym *syms;
	size_t n_syms;
	/* missing is no error: logged, not said on stderr */
	bool optional;
} libs[_DL_MAX] = {
	[DL_KMOD] = { DKMS_SONAME_KMOD, "to read module information",
		      offsetof(struct dkms_dl, kmod), kmod_syms, ARRAY_SIZE(kmod_syms) },
	[DL_ZLIB] = { DKMS_SONAME_ZLIB, "to compress modules with gzip",
		      offsetof(struct dkms_dl, zlib), zlib_syms, ARRAY_SIZE(zlib_syms) },
	[DL_LZMA] = { DKMS_SONAME_LZMA, "to compress modules with xz",
		      offsetof(struct dkms_dl, lzma), lzma_syms, ARRAY_SIZE(lzma_syms) },
	[DL_ZSTD] = { DKMS_SONAME_ZSTD, "to compress modules with zstd",
		      offsetof(struct dkms_dl, zstd), zstd_syms, ARRAY_SIZE(zstd_syms) },
#ifdef HAVE_LIBSOLV
	[DL_SOLV] = { DKMS_SONAME_SOLV, "to read package databases",
		      offsetof(struct dkms_dl, solv), solv_syms, ARRAY_SIZE(solv_syms),
		      .optional = true },
	[DL_SOLVEXT] = { DKMS_SONAME_SOLVEXT, "to read package databases",
			 offsetof(struct dkms_dl, solvext), solvext_syms,
			 ARRAY_SIZE(solvext_syms), .optional = true },
#endif
};

void dkms_dl_free(struct dkms_dl *dl)
{
	int i;

	if (!dl)
		return;
	for (i = 0; i < _DL_MAX; i++)
		if (dl->handle[i])
			dlclose(dl->handle[i]);
	free(dl);
}

/* Said once per context: what is missing, and what for. */
static int dl_fail(struct dkms_ctx *ctx, enum dl_id id, const char *why)
{
	if (ctx && libs[id].optional)
		dkms_dbg(ctx, "cannot load %s, needed %s: %s", libs[id].soname,
			 libs[id].purpose, why ? why : "?");
	else if (ctx)
		dkms_printf(ctx, DKMS_STDERR, "dkms: cannot load %s, needed %s: %s\n",
			    libs[id].soname, libs[id].purpose, why ? why : "?");
	return -ELIBACC;
}

/* dlopen + every symbol of the library into its table */
static int dl_open(struct dkms_ctx *ctx, struct dkms_dl *dl, enum dl_id id)
{
	const struct dl_lib *lib = &libs[id];
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	size_t i;
	int r;

	if (!h)
		return dl_fail(ctx, id, dlerror());
	for (i = 0; i < lib->n_syms; i++) {
		void *p = dlsym(h, lib->syms[i].name);

		if (!p) {
			r = dl_fail(ctx, id, dlerror());
			dlclose(h);
			return r;
		}
		/* POSIX: a function's address from dlsym fits a pointer */
		*(void **)((char *)dl + lib->table + lib->syms[i].offset) = p;
	}
	dl->handle[id] = h;
	return 0;
}

static int dl_get(struct dkms_ctx *ctx, struct dkms_dl **tmp, enum dl_id id,
		  const void **ret)
{
	struct dkms_dl **slot = ctx ? dkms_ctx_dl(ctx) : tmp;

	if (!*slot && !(*slot = calloc(1, sizeof(**slot))))
		return -ENOMEM;
	if (!(*slot)->handle[id] && !(*slot)->error[id])
		(*slot)->error[id] = dl_open(ctx, *slot, id);
	if ((*slot)->error[id])
		return (*slot)->error[id];
	*ret = (const char *)*slot + libs[id].table;
	return 0;
}

int dl_kmod(struct dkms_ctx *ctx, struct dkms_dl **tmp,
	    const struct dl_kmod **ret)
{
	return dl_get(ctx, tmp, DL_KMOD, (const void **)ret);
}

int dl_zlib(struct dkms_ctx *ctx, struct dkms_dl **tmp,
	    const struct dl_zlib **ret)
{
	return dl_get(ctx, tmp, DL_ZLIB, (const void **)ret);
}

int dl_lzma(struct dkms_ctx *ctx, struct dkms_dl **tmp,
	    const struct dl_lzma **ret)
{
	return dl_get(ctx, tmp, DL_LZMA, (const void **)ret);
}

int dl_zstd(struct dkms_ctx *ctx, struct dkms_dl **tmp,
	    const struct dl_zstd **ret)
{
	return dl_get(ctx, tmp, DL_ZSTD, (const void **)ret);
}

#ifdef HAVE_LIBSOLV
int dl_solv(struct dkms_ctx *ctx, struct dkms_dl **tmp,
	    const struct dl_solv **ret, const struct dl_solvext **ret_ext)
{
	const struct dl_solv *solv;
	int r = dl_get(ctx, tmp, DL_SOLV, (const void **)&solv);

	if (r < 0)
		return r;
	r = dl_get(ctx, tmp, DL_SOLVEXT, (const void **)ret_ext);
	if (r < 0)
		return r;
	*ret = solv;
	return 0;
}
#endif
