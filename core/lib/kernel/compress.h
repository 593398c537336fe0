/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Module compression: which suffix a kernel's modules get,
 * and compressing a module in-process with zlib, liblzma or libzstd.
 */
#ifndef DKMS_COMPRESS_H
#define DKMS_COMPRESS_H

#include "base/base.h"

/* ".gz", ".xz" or ".zst" when the kernel's configuration asks for module
 * compression (CONFIG_MODULE_COMPRESS_GZIP/XZ/ZSTD=y), NULL when it does
 * not say (the caller then does as 3.4.3: follow the install tree). */
const char *config_compressed_suffix(const struct dkms_session *s,
				     const char *kver);

/* Compress the memory buffer IN as SUFFIX (".gz", ".xz", ".zst") with the
 * options OPTS (words as for gzip/xz/zstd; levels, xz's --check= and
 * --lzma2=dict= are honoured, the rest ignored).  The format's library is
 * loaded on first use and kept in CTX (NULL: for this call only).
 * 0 or -errno (-ELIBACC: the library cannot be loaded). */
int compress_buffer(struct dkms_ctx *ctx, const char *suffix,
		    const char *opts, const void *in, size_t len,
		    struct strbuf *out);

/* As `gzip -f KO` / `xz -f KO` / `zstd --rm -f KO`: KO is replaced by
 * KO<SUFFIX>, with framework.conf's options.  0 or -errno; on failure a
 * warning is printed and KO is left as it was. */
int module_compress(struct dkms_session *s, const char *suffix,
		    const char *ko);


#endif
