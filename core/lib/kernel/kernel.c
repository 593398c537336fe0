/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernels as 3.4.3 sees them: headers dir, config, module suffix, uname,
 * and VER() ordering.  Facts only: nothing here prints or runs. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kernel/kernel.h"

char *kernel_source_dir(const struct dkms_session *s, const char *kver)
{
	if (s->kernel_source_dir)
		return strdup(s->kernel_source_dir);
	return xasprintf("%s/%s/build", install_tree(s), kver);
}

char *kernel_config_path(const struct dkms_session *s, const char *ksrc)
{
	char *p;

	if (s->kernel_config)
		return strdup(s->kernel_config);
	p = xasprintf("%s/include/config/auto.conf", ksrc);
	if (p && path_exists(p))
		return p;
	free(p);
	return xasprintf("%s/.config", ksrc);
}

/* Bit 0: .ko.gz seen, 1: .ko.xz, 2: .ko.zst.  Symlinks are not followed
 * (find without -L), so the build link is not walked. */
static unsigned int scan_suffixes(const char *dir, unsigned int seen)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return seen;
	while ((de = readdir(d)) && !(seen & 4)) {
		_cleanup_free_ char *p = NULL;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (endswith(de->d_name, ".ko.gz"))
			seen |= 1;
		else if (endswith(de->d_name, ".ko.xz"))
			seen |= 2;
		else if (endswith(de->d_name, ".ko.zst"))
			seen |= 4;
		p = path_join(dir, de->d_name);
		if (p && lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			seen = scan_suffixes(p, seen);
	}
	closedir(d);
	return seen;
}

const char *module_compressed_suffix(const struct dkms_session *s,
				     const char *kver)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *r = NULL;
	const char *cfg;
	unsigned int seen;

	r = kver ? NULL : uname_r();
	/* ours: what the kernel's config asks for wins (compress.c) */
	cfg = config_compressed_suffix(s, kver ? kver : r);
	if (cfg)
		return cfg;
	dir = xasprintf("%s/%s/", install_tree(s), kver ? kver : r);
	if (!dir)
		return "";
	seen = scan_suffixes(dir, 0);
	/* the last match wins in 3.4.3: zst over xz over gz */
	if (seen & 4)
		return ".zst";
	if (seen & 2)
		return ".xz";
	if (seen & 1)
		return ".gz";
	return "";
}

char *uname_r(void)
{
	struct utsname u;

	return uname(&u) == 0 ? strdup(u.release) : NULL;
}

char *uname_m(void)
{
	struct utsname u;

	return uname(&u) == 0 ? strdup(u.machine) : NULL;
}

/* ---- VER() --------------------------------------------------------------- */

char *ver_key(const char *v)
{
	struct strbuf sb = { 0 };
	const char *p = v ? v : "";

	while (*p) {
		if (isdigit((unsigned char)*p)) {
			const char *e = p;

			while (isdigit((unsigned char)*e))
				e++;
			/* one- and two-digit numbers get padded to three */
			if (e - p == 1)
				strbuf_adds(&sb, "00");
			else if (e - p == 2)
				strbuf_addch(&sb, '0');
			strbuf_add(&sb, p, (size_t)(e - p));
			p = e;
		} else {
			if (*p != ' ')
				strbuf_addch(&sb, *p);
			p++;
		}
	}
	return strbuf_steal(&sb);
}

int ver_cmp(const char *a, const char *b)
{
	_cleanup_free_ char *ka = ver_key(a), *kb = ver_key(b);

	return strcoll(ka ? ka : "", kb ? kb : "");
}
