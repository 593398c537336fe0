/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Module metadata as modinfo(8) gives it, compared as 3.4.3's
 * get_module_verinfo/compare_module_version do. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/kernel.h"

/*
 * An uncompressed module's fields are read here, from its .modinfo
 * section ("key=value" strings, as libkmod reads them): `dkms status`
 * compares the versions of every installed module, and loading libkmod
 * (with libcrypto) for that costs more than the rest of a status of a few
 * modules.  Compressed modules, and any file this reader does not take
 * for a module, go to libkmod (loaded on first use).
 */
struct elf {
	const unsigned char *p;
	size_t len;
	bool is64, msb;
};

/* the N-byte field at OFF; false when it is not inside the file */
static bool elf_get(const struct elf *e, uint64_t off, unsigned int n,
		    uint64_t *v)
{
	unsigned int i;

	if (off > e->len || n > e->len - off)
		return false;
	*v = 0;
	for (i = 0; i < n; i++)
		*v = (*v << 8) | e->p[off + (e->msb ? i : n - 1 - i)];
	return true;
}

/* offset and size of section I, checked to lie inside the file */
static bool elf_section(const struct elf *e, uint64_t shoff, uint64_t i,
			uint64_t *off, uint64_t *size)
{
	uint64_t sh = shoff + i * (e->is64 ? 64 : 40);
	unsigned int w = e->is64 ? 8 : 4;

	return elf_get(e, sh + (e->is64 ? 0x18 : 0x10), w, off) &&
	       elf_get(e, sh + (e->is64 ? 0x20 : 0x14), w, size) &&
	       *off <= e->len && *size <= e->len - *off;
}

/* where .modinfo is; false when E is no ELF file we take or has none */
static bool elf_modinfo(const struct elf *e, uint64_t *off, uint64_t *size)
{
	static const char name[] = ".modinfo";
	uint64_t shoff, entsize, shnum, strndx, stroff, strsize, i, n;
	bool w = e->is64;

	if (!elf_get(e, w ? 0x28 : 0x20, w ? 8 : 4, &shoff) ||
	    !elf_get(e, w ? 0x3a : 0x2e, 2, &entsize) ||
	    !elf_get(e, w ? 0x3c : 0x30, 2, &shnum) ||
	    !elf_get(e, w ? 0x3e : 0x32, 2, &strndx) ||
	    entsize != (w ? 64u : 40u) || strndx >= shnum ||
	    shoff > e->len || shnum * entsize > e->len - shoff ||
	    !elf_section(e, shoff, strndx, &stroff, &strsize))
		return false;
	for (i = 0; i < shnum; i++) {
		if (!elf_get(e, shoff + i * entsize, 4, &n) ||
		    n >= strsize || strsize - n < sizeof(name) ||
		    memcmp(e->p + stroff + n, name, sizeof(name)))
			continue;
		return elf_section(e, shoff, i, off, size);
	}
	return false;
}

/* the last KEY's value in the strings of [p, p + len) */
static char *modinfo_strings(const char *p, size_t len, const char *key)
{
	size_t kl = strlen(key);
	const char *end = p + len, *val = NULL, *val_end = NULL;

	while (p < end) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		const char *e = z ? z : end;

		if ((size_t)(e - p) >= kl && !memcmp(p, key, kl) &&
		    (p + kl == e || p[kl] == '=')) {
			val = p + kl == e ? e : p + kl + 1;
			val_end = e;
		}
		if (!z)
			break;
		p = z + 1;
	}
	return val ? strndup(val, (size_t)(val_end - val)) : NULL;
}

/* 0 with *ret the value (NULL: no such field, no module), or -EINVAL when
 * PATH is no ELF file (compressed): for libkmod to read.  An ELF file is
 * never handed to libkmod: it asserts (aborts) on some damaged ones. */
static int modinfo_elf(const char *path, const char *key, char **ret)
{
	struct elf e = { 0 };
	struct stat st;
	uint64_t off, size;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	*ret = NULL;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 4 ||
	    (uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return 0;
	}
	e.len = (size_t)st.st_size;
	map = mmap(NULL, e.len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return 0;
	e.p = map;
	if (memcmp(e.p, "\177ELF", 4))
		r = -EINVAL;
	else if (e.len >= 64 && (e.p[4] == 1 || e.p[4] == 2) &&
		 (e.p[5] == 1 || e.p[5] == 2)) {
		e.is64 = e.p[4] == 2;
		e.msb = e.p[5] == 2;
		if (elf_modinfo(&e, &off, &size))
			*ret = modinfo_strings((const char *)e.p + off,
					       (size_t)size, key);
	}
	munmap(map, e.len);
	return r;
}

/* value of the last "key" field as libkmod reads it, or NULL */
char *modinfo_field_kmod(struct dkms_ctx *ctx, const char *path,
			 const char *key)
{
	/* no configuration: a module file's own fields need none */
	static const char *const no_config[] = { NULL };
	_cleanup_(dkms_dl_freep) struct dkms_dl *tmp = NULL;
	const struct dl_kmod *k;
	struct kmod_ctx *kctx;
	struct kmod_module *mod = NULL;
	struct kmod_list *list = NULL, *l;
	char *ret = NULL;

	if (dl_kmod(ctx, &tmp, &k) < 0)
		return NULL;
	kctx = k->kmod_new("/nonexistent", no_config);
	if (!kctx)
		return NULL;
	if (k->kmod_module_new_from_path(kctx, path, &mod) == 0 &&
	    k->kmod_module_get_info(mod, &list) >= 0) {
		for (l = list; l; l = k->kmod_list_next(list, l)) {
			const char *v = k->kmod_module_info_get_value(l);

			if (strcmp(k->kmod_module_info_get_key(l), key))
				continue;
			free(ret);
			ret = strdup(v ? v : "");
		}
		k->kmod_module_info_free_list(list);
	}
	k->kmod_module_unref(mod);
	k->kmod_unref(kctx);
	return ret;
}

/* value of the last "key" field, or NULL: an uncompressed module's
 * .modinfo is read in place, so status need not load libkmod */
static char *modinfo_field(struct dkms_ctx *ctx, const char *path,
			   const char *key)
{
	char *ret = NULL;

	if (!path || !*path)
		return NULL;
	if (modinfo_elf(path, key, &ret) == 0)
		return ret;
	return modinfo_field_kmod(ctx, path, key);
}

/* the n-th whitespace-separated word of s ("" when none) */
static char *word(const char *s, int n)
{
	const char *p = s ? s : "";

	for (;;) {
		size_t len;

		while (isspace((unsigned char)*p))
			p++;
		len = strcspn(p, " \t\n");
		if (n-- == 0)
			return strndup(p, len);
		if (!len)
			return strdup("");
		p += len;
	}
}

int modinfo_version(struct dkms_ctx *ctx, const char *path,
		    struct modver *ret)
{
	_cleanup_free_ char *ver = modinfo_field(ctx, path, "version");
	_cleanup_free_ char *src = modinfo_field(ctx, path, "srcversion");

	ret->version = word(ver, 0);
	ret->srcversion = src && *src ? word(src, 0) : word(ver, 1);
	if (!ret->version || !ret->srcversion) {
		modver_clear(ret);
		return -ENOMEM;
	}
	return 0;
}

void modver_clear(struct modver *v)
{
	free(v->version);
	free(v->srcversion);
	v->version = v->srcversion = NULL;
}

char *modinfo_vermagic(struct dkms_ctx *ctx, const char *path)
{
	return modinfo_field(ctx, path, "vermagic");
}

const char *compare_module_version(struct dkms_ctx *ctx, const char *a,
				   const char *b)
{
	struct modver va = { 0 }, vb = { 0 };
	const char *r;

	if (modinfo_version(ctx, a, &va) < 0 ||
	    modinfo_version(ctx, b, &vb) < 0) {
		modver_clear(&va);
		return "?";
	}
	if (!strcmp(va.version, vb.version))
		r = strcmp(va.srcversion, vb.srcversion) ? "=" : "==";
	else
		r = ver_cmp(va.version, vb.version) > 0 ? ">" : "<";
	modver_clear(&va);
	modver_clear(&vb);
	return r;
}
