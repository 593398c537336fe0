/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Getting a kernel ready for a command, as 3.4.3 does: its headers there
 * (prepare_kernel), the signing decision once per kernel, and the kernels
 * and arches a command works on (setup_kernels_arches). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ops/ops.h"

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
