/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Module metadata through libkmod, compared as 3.4.3's
 * get_module_verinfo/compare_module_version do with modinfo(8). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libkmod.h>
#include <string.h>

#include "cycle.h"

/* value of the last "key" field, or NULL */
static char *modinfo_field(const char *path, const char *key)
{
	struct kmod_ctx *kctx;
	struct kmod_module *mod = NULL;
	struct kmod_list *list = NULL, *l;
	char *ret = NULL;

	if (!path)
		return NULL;
	kctx = kmod_new("/nonexistent", NULL);
	if (!kctx)
		return NULL;
	if (kmod_module_new_from_path(kctx, path, &mod) == 0 &&
	    kmod_module_get_info(mod, &list) >= 0) {
		kmod_list_foreach(l, list) {
			if (strcmp(kmod_module_info_get_key(l), key))
				continue;
			free(ret);
			ret = strdup(kmod_module_info_get_value(l) ?: "");
		}
		kmod_module_info_free_list(list);
	}
	kmod_module_unref(mod);
	kmod_unref(kctx);
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

int modinfo_version(const char *path, struct modver *ret)
{
	_cleanup_free_ char *ver = modinfo_field(path, "version");
	_cleanup_free_ char *src = modinfo_field(path, "srcversion");

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

char *modinfo_vermagic(const char *path)
{
	return modinfo_field(path, "vermagic");
}

const char *compare_module_version(const char *a, const char *b)
{
	struct modver va = { 0 }, vb = { 0 };
	const char *r;

	if (modinfo_version(a, &va) < 0 || modinfo_version(b, &vb) < 0) {
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
