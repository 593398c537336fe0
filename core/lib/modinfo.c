/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Module metadata through libkmod (loaded on first use), compared as 3.4.3's
 * get_module_verinfo/compare_module_version do with modinfo(8). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "cycle.h"
#include "dlopen.h"

/* value of the last "key" field, or NULL */
static char *modinfo_field(struct dkms_ctx *ctx, const char *path,
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

	if (!path || !*path || dl_kmod(ctx, &tmp, &k) < 0)
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
