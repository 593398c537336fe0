/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What dkms 3.4.3 takes from its environment.  It is a bash script: a
 * variable it only gives a default when unset is the caller's when
 * exported, and what it runs inherits everything.  The library never
 * reads our environment (an rpm plugin links it), so the command hands
 * it over: the whole of it to the context (builds, scripts, the harmless
 * part a dkms.conf's evaluation gets, chroot detection), and 3.4.3's own
 * variables to the session, in 3.4.3's order of precedence: environment,
 * then framework.conf files, then the command line.
 *
 * 3.4.3's variables, by how it treats them:
 *   taken from the environment when set (framework.conf and options go
 *   over them): autoinstall_all_kernels, modprobe_on_install,
 *   parallel_jobs, build_environment, post_transaction, sign_file,
 *   mok_signing_key, mok_certificate, try_sign_modules (fw_env below),
 *   ADDON_MODULES_DIR (else /etc/sysconfig/module-init-tools),
 *   NO_WEAK_MODULES, TMPDIR (tmp_location's default, and where its
 *   start-up check writes);
 *   read where used, from the context's environment (signing.c):
 *   MODULES_SIGN_KEY, MODULES_SIGN_CERT (Gentoo), FAKECHROOT,
 *   FAKECHROOT_BASE, LD_PRELOAD (its chroot test);
 *   reset at start, never taken: source_tree, dkms_tree, install_tree,
 *   tmp_location, verbose, symlink_modules, compress_gzip_opts,
 *   compress_xz_opts, compress_zstd_opts, and its command-line and
 *   running state.
 * Our own framework.conf settings (build_sandbox, ..., initramfs_command)
 * are not 3.4.3's: files only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "api/api.h"

/* framework.conf names 3.4.3 never resets: an exported value stands
 * until a framework.conf file assigns one.  The files are read into the
 * same slots first, so a slot still unset takes the environment's. */
#define FW_ENV(n) { #n, offsetof(struct dkms_framework, n) }
static const struct {
	const char *name;
	size_t offset;
} fw_env[] = {
	FW_ENV(autoinstall_all_kernels), FW_ENV(modprobe_on_install),
	FW_ENV(parallel_jobs), FW_ENV(build_environment),
	FW_ENV(post_transaction), FW_ENV(sign_file), FW_ENV(mok_signing_key),
	FW_ENV(mok_certificate), FW_ENV(try_sign_modules),
};

static int fw_from_env(struct dkms_session *s, char *const *envp)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fw_env); i++) {
		char **slot = (char **)((char *)&s->fw + fw_env[i].offset);
		const char *v = env_lookup(envp, fw_env[i].name);

		if (*slot || !v)
			continue;
		*slot = strdup(v);
		if (!*slot)
			return -ENOMEM;
	}
	return 0;
}

/* $ADDON_MODULES_DIR, else what /etc/sysconfig/module-init-tools sets
 * it to (3.4.3 sources that file when the variable is empty). */
int cli_env_addon_modules_dir(struct dkms_ctx *ctx, char *const *envp)
{
	const char *v = env_lookup(envp, "ADDON_MODULES_DIR");
	const char *root = dkms_ctx_get_path(ctx, DKMS_PATH_ROOT);
	_cleanup_free_ char *file = NULL, *from_file = NULL;
	int r;

	if (v && *v)
		return dkms_ctx_set_addon_modules_dir(ctx, v);
	file = path_join(root ? root : "/", "etc/sysconfig/module-init-tools");
	if (!file)
		return -ENOMEM;
	r = dkms_assignment_read(ctx, file, "ADDON_MODULES_DIR", &from_file);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	return dkms_ctx_set_addon_modules_dir(ctx, from_file);
}

int cli_env_apply(struct dkms_session *s, char *const *envp)
{
	const char *tmp = env_lookup(envp, "TMPDIR");
	const char *nwm = env_lookup(envp, "NO_WEAK_MODULES");
	int r;

	r = fw_from_env(s, envp);
	if (r == 0)
		r = cli_env_addon_modules_dir(s->ctx, envp);
	s->no_weak_modules = nwm && *nwm;
	/* tmp_location=${TMPDIR:-/tmp}, before framework.conf's (applied
	 * over it by dkms_session_apply_paths); scratch, never under --root */
	if (r == 0)
		r = dkms_ctx_set_path(s->ctx, DKMS_PATH_TMP,
				      tmp && *tmp ? tmp : "/tmp");
	return r;
}

/* coreutils quotes a name as the locale says: ‘...’ in a UTF-8 one,
 * '...' otherwise (the messages are not translated here). */
static bool utf8_locale(void)
{
	locale_t loc = newlocale(LC_CTYPE_MASK, "", (locale_t)0);
	bool utf8;

	if (loc == (locale_t)0)
		return false;
	utf8 = !strcmp(nl_langinfo_l(CODESET, loc), "UTF-8");
	freelocale(loc);
	return utf8;
}

/* 3.4.3 writes "Hello, DKMS!" to a mktemp file before anything else (in
 * $TMPDIR, as mktemp does) and reads it back.  When the file cannot be
 * made it says so four times and ends, exit 1 (the bash error of its
 * `rm -f "${tmpfile:?}"` is not repeated); when it reads back something
 * else (a full disk) it warns and goes on. */
int cli_env_check_tmp(char *const *envp)
{
	const char *env = env_lookup(envp, "TMPDIR");
	const char *dir = env && *env ? env : "/tmp";
	static const char hello[] = "Hello, DKMS!\n";
	_cleanup_free_ char *tmpl = xasprintf("%s/tmp.XXXXXXXXXX", dir);
	ssize_t n;
	char buf[sizeof(hello)];
	int fd, e;

	if (!tmpl)
		return -ENOMEM;
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		bool u;

		e = errno;
		/* the locale's character data only now: loading it costs every
		 * command a third of a megabyte of memory */
		u = utf8_locale();
		snprintf(tmpl + strlen(tmpl) - 10, 11, "XXXXXXXXXX");
		fflush(stdout);
		fprintf(stderr, "mktemp: failed to create file via template "
			"%s%s%s: %s\n\nError! Unable to make temporary file.\n"
			"cat: '': No such file or directory\n"
			"Warning: dkms will not function properly without some "
			"free space in $TMPDIR (%s).\n",
			u ? "\xe2\x80\x98" : "'", tmpl, u ? "\xe2\x80\x99" : "'",
			strerror(e), dir);
		fflush(stderr);
		return dkms_exit_to_errno(1);
	}
	n = write(fd, hello, sizeof(hello) - 1);
	if (n == (ssize_t)sizeof(hello) - 1)
		n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	unlink(tmpl);
	if (n != (ssize_t)sizeof(hello) - 1 || memcmp(buf, hello, (size_t)n)) {
		fflush(stdout);
		fprintf(stderr, "Warning: dkms will not function properly without "
			"some free space in $TMPDIR (%s).\n", dir);
		fflush(stderr);
	}
	return 0;
}
