/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernels as 3.4.3 sees them: headers dir, config, module suffix, arch,
 * the signing decision, and VER() ordering. */
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

#include "compress.h"
#include "cycle.h"

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

int prepare_kernel(struct dkms_session *s, const char *kver)
{
	_cleanup_free_ char *ksrc = kernel_source_dir(s, kver);
	_cleanup_free_ char *inc = ksrc ? path_join(ksrc, "include") : NULL;
	struct stat st;

	if (!inc)
		return -ENOMEM;
	if (stat(inc, &st) == 0)
		return 0;
	return dkms_die((struct dkms_session *)s, 21,
			"Your kernel headers for kernel %s cannot be found at "
			"%s/%s/build or %s/%s/source.\n"
			"Please install your distribution's kernel headers "
			"package matching %s, or use the --kernelsourcedir "
			"option to tell DKMS where it's located.",
			kver, install_tree(s), kver, install_tree(s), kver, kver);
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

int prepare_kernel_and_signing(struct dkms_session *s, const char *kver,
			       const char *arch)
{
	_cleanup_free_ char *ka = xasprintf("%s/%s", kver, arch);
	int r;

	if (!ka)
		return -ENOMEM;
	if (s->prepared_kernel && !strcmp(s->prepared_kernel, ka))
		return 0;
	r = prepare_kernel(s, kver);
	if (r)
		return r;
	r = prepare_signing(s, kver);
	if (r)
		return r;
	free(s->prepared_kernel);
	s->prepared_kernel = ka;
	ka = NULL;
	dkms_echo(s, "%s", "");
	return 0;
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

/* ---- setup_kernels_arches ------------------------------------------------ */

struct built_line {
	char **v;
	size_t n;
};

static int collect_built(void *data, const struct dkms_status_entry *e)
{
	struct built_line *b = data;
	char **nv;

	if (e->state != DKMS_STATE_BUILT && e->state != DKMS_STATE_INSTALLED)
		return 0;
	nv = realloc(b->v, (b->n + 1) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	b->v = nv;
	b->v[b->n] = xasprintf("%s %s/%s/%s/%s",
			       e->state == DKMS_STATE_BUILT ? "built" : "installed",
			       e->module, e->version, e->kernelver, e->arch);
	if (!b->v[b->n])
		return -ENOMEM;
	b->n++;
	return 0;
}

static int cmp_versionsort(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* shell-quoted into sb */
static void sq(struct strbuf *sb, const char *v)
{
	strbuf_addch(sb, '\'');
	for (; *v; v++)
		if (*v == '\'')
			strbuf_adds(sb, "'\\''");
		else
			strbuf_addch(sb, *v);
	strbuf_addch(sb, '\'');
}

/* The arch of a kernel: uname -m on Debian, Ubuntu, Arch and Gentoo; on
 * the others the arch of the rpm owning <install_tree>/<kver> (uname -m
 * when rpm cannot say, ia32e for Intel x86_64 kernels built so). */
static char *default_arch(struct dkms_session *s, const char *kver)
{
	const char *dist = dkms_ctx_get_distribution(s->ctx);
	struct strbuf sb = { 0 };
	_cleanup_free_ char *script = NULL, *out = NULL, *cpu = NULL;
	_cleanup_free_ char *configs = NULL;
	char *am;
	int status = 1;

	if (startswith(dist, "debian") || startswith(dist, "ubuntu") ||
	    startswith(dist, "arch") || startswith(dist, "gentoo") || !kver)
		return uname_m();
	strbuf_adds(&sb, "k=$(rpm -qf ");
	sq(&sb, install_tree(s));
	strbuf_adds(&sb, "/");
	sq(&sb, kver);
	strbuf_adds(&sb, " 2>/dev/null | grep -v 'not owned by any package' | "
		    "grep kernel | head -n 1)\nrpm -q --queryformat '%{ARCH}' \"$k\" 2>/dev/null");
	script = strbuf_steal(&sb);
	if (script && run_capture(s, script, &out, &status) == 0 && status == 0)
		return strdup(out);
	am = uname_m();
	configs = xasprintf("%s/%s/build/configs", install_tree(s), kver);
	if (am && !strcmp(am, "x86_64") && configs &&
	    read_file("/proc/cpuinfo", &cpu, NULL) == 0 && strstr(cpu, "Intel")) {
		DIR *d = opendir(configs);
		struct dirent *de;
		bool ia32e = false;

		while (d && !ia32e && (de = readdir(d)))
			ia32e = strstr(de->d_name, "ia32e") != NULL;
		if (d)
			closedir(d);
		if (ia32e) {
			free(am);
			am = strdup("ia32e");
		}
	}
	return am;
}

int dkms_kernels_setup(struct dkms_session *s, const char *action,
		       const char *m, const char *v, struct dkms_kernels *k)
{
	bool status = action && !strcmp(action, "status");
	size_t i;
	int r;

	if (dkms_opt(s, DKMS_OPT_ALL) && !status && m && v && *m && *v) {
		struct built_line b = { 0 };

		r = dkms_status_built_walk(s, m, v, NULL, NULL, collect_built, &b);
		if (r < 0)
			return r;
		if (b.n)
			qsort(b.v, b.n, sizeof(char *), cmp_versionsort);
		for (i = 0; i < b.n; i++) {
			/* "state m/v/k/a": drop the first two slashes' parts */
			char *p = strchr(b.v[i], '/');
			char *q = p ? strchr(p + 1, '/') : NULL;
			char *slash = q ? strrchr(q + 1, '/') : NULL;

			if (slash) {
				*slash = '\0';
				if (dkms_kernels_add_kernel(k, q + 1) < 0 ||
				    dkms_kernels_add_arch(k, slash + 1) < 0)
					r = -ENOMEM;
			}
			free(b.v[i]);
		}
		free(b.v);
		if (r < 0)
			return r;
	}
	if (!status) {
		if (k->n == 0 && !dkms_opt(s, DKMS_OPT_ALL)) {
			_cleanup_free_ char *kr = uname_r();

			if (!kr || dkms_kernels_add_kernel(k, kr) < 0)
				return -ENOMEM;
		}
		if (k->n_arch == 0) {
			_cleanup_free_ char *am = default_arch(s, k->n ? k->kernelver[0] : NULL);

			if (!am || !*am)
				return dkms_die(s, 12, "Could not determine architecture.");
			if (dkms_kernels_add_arch(k, am) < 0)
				return -ENOMEM;
		}
	}
	if (k->n_arch == 1 && k->n > 1)
		while (k->n_arch < k->n)
			if (dkms_kernels_add_arch(k, k->arch[0]) < 0)
				return -ENOMEM;
	if (!status) {
		for (i = 0; i < k->n; i++)
			if (!*k->kernelver[i])
				return dkms_die(s, 16, "Empty kernelver[%zu]", i);
		for (i = 0; i < k->n_arch; i++)
			if (!*k->arch[i])
				return dkms_die(s, 16, "Empty arch[%zu]", i);
	}
	return 0;
}
