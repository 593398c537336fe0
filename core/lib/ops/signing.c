/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Module signing as 3.4.3 decides and does it: prepare_signing (policy,
 * chroot, kernel config, sign-file), prepare_mok (the key pair, made with
 * openssl when missing) and signing each built module.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops.h"

/* ischroot's test: our mount view or root differs from init's. */
static bool running_in_chroot(struct dkms_session *s)
{
	const char *fc = dkms_ctx_getenv(s->ctx, "FAKECHROOT");
	const char *lp = dkms_ctx_getenv(s->ctx, "LD_PRELOAD");
	_cleanup_free_ char *a = NULL, *b = NULL;
	struct stat r1, r2;
	size_t la, lb;

	if (fc && !strcmp(fc, "true") &&
	    dkms_ctx_getenv(s->ctx, "FAKECHROOT_BASE") && lp &&
	    strstr(lp, "libfakechroot.so"))
		return true;
	if (read_file("/proc/1/mountinfo", &a, &la) == 0 &&
	    read_file("/proc/self/mountinfo", &b, &lb) == 0 &&
	    (la != lb || memcmp(a, b, la) != 0))
		return true;
	if (geteuid() != 0)
		return false;
	if (stat("/proc/1/root", &r1) < 0) {
		/* stat(1) says so on stderr, and the comparison fails */
		dkms_printf(s->ctx, DKMS_STDERR,
			    "stat: cannot statx '/proc/1/root': %s\n",
			    strerror(errno));
		return true;
	}
	if (stat("/", &r2) < 0)
		return true;
	return r1.st_dev != r2.st_dev || r1.st_ino != r2.st_ino;
}

static char *config_value(const char *config, const char *name)
{
	_cleanup_free_ char *text = NULL;
	size_t nl = strlen(name);
	char *line, *save = NULL;

	if (read_file(config, &text, NULL) < 0)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct strbuf sb = { 0 };

		if (strncmp(line, name, nl) || line[nl] != '=')
			continue;
		for (line += nl + 1; *line; line++)
			if (*line != '"')
				strbuf_addch(&sb, *line);
		return strbuf_steal(&sb);
	}
	return NULL;
}

static bool is_regular(const char *p)
{
	struct stat st;

	return p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool in_path(struct dkms_session *s, const char *prog, char **ret)
{
	_cleanup_free_ char *path = strdup(dkms_ctx_path_var(s->ctx));
	char *dir, *save = NULL;

	for (dir = path ? strtok_r(path, ":", &save) : NULL; dir;
	     dir = strtok_r(NULL, ":", &save)) {
		char *p = path_join(dir, prog);

		if (p && access(p, X_OK) == 0) {
			if (ret)
				*ret = p;
			else
				free(p);
			return true;
		}
		free(p);
	}
	return false;
}

static char *root_path(struct dkms_session *s, const char *p)
{
	const char *root = dkms_ctx_get_path(s->ctx, DKMS_PATH_ROOT);

	if (!root || !strcmp(root, "/"))
		return strdup(p);
	return path_join(root, p);
}

static void set_owned(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

/* framework.conf's (or the environment's) value for kver; NULL when
 * unset or empty, as 3.4.3's [[ ! $var ]] tests it */
static char *fw_value(const char *v, const char *kver)
{
	return v && *v ? fw_expand(v, kver) : NULL;
}

/* `grep "^NAME=" FILE | cut -f2 -d= | sed 's/"//g'` as $(...) gives
 * it; NULL for nothing (no file, no line, an empty value). */
static char *grep_field(const char *file, const char *name)
{
	_cleanup_free_ char *text = NULL;
	struct strbuf sb = { 0 };
	size_t nl = strlen(name);
	char *line, *save = NULL;

	if (read_file(file, &text, NULL) < 0)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, name, nl) || line[nl] != '=')
			continue;
		for (line += nl + 1; *line && *line != '='; line++)
			if (*line != '"')
				strbuf_addch(&sb, *line);
		strbuf_addch(&sb, '\n');
	}
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

/* readlink -f P, P relative to DIR: every component but the last must
 * exist; NULL when one does not. */
static char *readlink_f(const char *dir, const char *p)
{
	_cleanup_free_ char *abs = p[0] == '/' ? strdup(p) : path_join(dir, p);
	_cleanup_free_ char *parent = NULL, *rp = NULL;
	char *slash;

	if (!abs)
		return NULL;
	if ((rp = realpath(abs, NULL))) {
		char *r = rp;

		rp = NULL;
		return r;
	}
	slash = strrchr(abs, '/');
	parent = slash == abs ? strdup("/") : strndup(abs, (size_t)(slash - abs));
	rp = parent ? realpath(parent, NULL) : NULL;
	if (!rp)
		return NULL;
	return path_join(rp, slash + 1);
}

/* Gentoo's key (prepare_mok without mok_signing_key): Portage's
 * $MODULES_SIGN_KEY and $MODULES_SIGN_CERT, else make.conf's, else the
 * kernel's CONFIG_MODULE_SIG_KEY (one PEM with both, named from the
 * kernel's source dir; kconf NULL for generate_mok, which has none). */
static void gentoo_mok(struct dkms_session *s, const char *kver,
		       const char *kconf)
{
	const char *k = dkms_ctx_getenv(s->ctx, "MODULES_SIGN_KEY");
	const char *c = dkms_ctx_getenv(s->ctx, "MODULES_SIGN_CERT");
	_cleanup_free_ char *make_conf = root_path(s, "/etc/portage/make.conf");

	set_owned(&s->sign.key, k && *k ? strdup(k) : NULL);
	set_owned(&s->sign.cert, c && *c ? strdup(c) : NULL);
	if (!s->sign.key && make_conf)
		s->sign.key = grep_field(make_conf, "MODULES_SIGN_KEY");
	if (!s->sign.cert && make_conf)
		s->sign.cert = grep_field(make_conf, "MODULES_SIGN_CERT");
	if (!s->sign.key && kconf && is_regular(kconf)) {
		_cleanup_free_ char *ksrc = kernel_source_dir(s, kver);
		_cleanup_free_ char *v = grep_field(kconf, "CONFIG_MODULE_SIG_KEY");

		s->sign.key = v && ksrc ? readlink_f(ksrc, v) : NULL;
		set_owned(&s->sign.cert, s->sign.key ? strdup(s->sign.key) : NULL);
	}
}

/* prepare_mok: the key and certificate to sign with; whether they are
 * usable (3.4.3's status 0).  kconf: the kernel's config, NULL when
 * there is none (generate_mok). */
static bool prepare_mok(struct dkms_session *s, const char *kver,
		       const char *kconf)
{
	const char *dist = dkms_ctx_get_distribution(s->ctx);
	struct dkms_run_opts ro = { 0 };
	int status = 1;

	set_owned(&s->sign.key, fw_value(s->fw.mok_signing_key, kver));
	set_owned(&s->sign.cert, fw_value(s->fw.mok_certificate, kver));
	if (!s->sign.key && startswith(dist, "gentoo"))
		gentoo_mok(s, kver, kconf);
	if (!s->sign.key && startswith(dist, "ubuntu")) {
		/* the key update-secureboot-policy makes on Ubuntu */
		set_owned(&s->sign.key, strdup("/var/lib/shim-signed/mok/MOK.priv"));
		set_owned(&s->sign.cert, strdup("/var/lib/shim-signed/mok/MOK.der"));
		if ((!is_regular(s->sign.key) || !is_regular(s->sign.cert)) &&
		    !in_path(s, "update-secureboot-policy", NULL)) {
			dkms_echo(s, "Binary update-secureboot-policy not found, modules won't be signed");
			return false;
		}
	}
	if (!s->sign.key)
		s->sign.key = root_path(s, "/var/lib/dkms/mok.key");
	dkms_echo(s, "Signing key: %s", s->sign.key);
	if (!s->sign.cert)
		s->sign.cert = root_path(s, "/var/lib/dkms/mok.pub");
	dkms_echo(s, "Public certificate (MOK): %s", s->sign.cert);
	if (!startswith(s->sign.key, "pkcs11:") &&
	    (!is_regular(s->sign.key) || !is_regular(s->sign.cert))) {
		char *argv[] = {
			(char *)"openssl", (char *)"req", (char *)"-new",
			(char *)"-x509", (char *)"-nodes", (char *)"-days",
			(char *)"36500", (char *)"-subj",
			(char *)"/CN=DKMS module signing key", (char *)"-newkey",
			(char *)"rsa:2048", (char *)"-keyout", s->sign.key,
			(char *)"-addext", (char *)"extendedKeyUsage=codeSigning",
			(char *)"-outform", (char *)"DER", (char *)"-out",
			s->sign.cert, NULL
		};

		dkms_echo(s, "Certificate or key are missing, generating self signed certificate for MOK...");
		if (!in_path(s, "openssl", NULL)) {
			dkms_echo(s, "openssl not found, can't generate key and certificate.");
			return false;
		}
		ro.argv = argv;
		ro.out_fd = DKMS_RUN_OUT_NULL;
		dkms_run(&ro, &status);
		if (!is_regular(s->sign.key)) {
			dkms_echo(s, "Key file %s not found and can't be generated, modules won't be signed",
				  s->sign.key);
			return false;
		}
	}
	if (!is_regular(s->sign.cert)) {
		dkms_echo(s, "Certificate file %s not found and can't be generated, modules won't be signed",
			  s->sign.cert);
		return false;
	}
	return true;
}

static char *default_sign_file(struct dkms_session *s, const char *kver)
{
	const char *dist = dkms_ctx_get_distribution(s->ctx);
	char *p = NULL;

	if (startswith(dist, "debian")) {
		/* ${kernelver%.*} */
		const char *dot = strrchr(kver, '.');

		p = xasprintf("/usr/lib/linux-kbuild-%.*s/scripts/sign-file",
			      (int)(dot ? (size_t)(dot - kver) : strlen(kver)), kver);
	} else if (startswith(dist, "ubuntu")) {
		if (!in_path(s, "kmodsign", &p) || access(p, X_OK) != 0) {
			free(p);
			p = xasprintf("/usr/src/linux-headers-%s/scripts/sign-file", kver);
		}
	} else if (startswith(dist, "gentoo")) {
		p = xasprintf("/usr/src/linux-%s/scripts/sign-file", kver);
	}
	if (!p || !is_regular(p)) {
		free(p);
		p = xasprintf("%s/%s/build/scripts/sign-file", install_tree(s), kver);
	}
	return p;
}

int prepare_signing(struct dkms_session *s, const char *kver)
{
	const char *try_sign = s->fw.try_sign_modules;
	_cleanup_free_ char *ksrc = kernel_source_dir(s, kver);
	_cleanup_free_ char *kconf = ksrc ? kernel_config_path(s, ksrc) : NULL;
	struct stat st;

	s->sign.on = false;
	if (try_sign && !strcmp(try_sign, "false")) {
		dkms_echo(s, "Module signing is disabled by policy, modules won't be signed");
		return 0;
	}
	if (!(try_sign && !strcmp(try_sign, "true")) && running_in_chroot(s)) {
		dkms_echo(s, "Running in chroot, modules won't be signed");
		return 0;
	}
	if (!is_regular(kconf)) {
		dkms_echo(s, "Kernel config %s not found, modules won't be signed", kconf);
		return 0;
	}
	set_owned(&s->sign.hash, config_value(kconf, "CONFIG_MODULE_SIG_HASH"));
	if (!s->sign.hash) {
		dkms_echo(s, "The kernel is built without module signing facility, modules won't be signed");
		return 0;
	}
	set_owned(&s->sign.file, s->fw.sign_file && *s->fw.sign_file
					 ? fw_expand(s->fw.sign_file, kver)
					 : default_sign_file(s, kver));
	if (!s->sign.file)
		return -ENOMEM;
	dkms_echo(s, "Sign command: %s", s->sign.file);
	if (stat(s->sign.file, &st) < 0 || !S_ISREG(st.st_mode) ||
	    access(s->sign.file, X_OK) != 0) {
		dkms_echo(s, "Binary %s not found, modules won't be signed", s->sign.file);
		return 0;
	}
	if (prepare_mok(s, kver, kconf))
		s->sign.on = true;
	return 0;
}

/* ours: the failure stays in the build report, where status --json
 * finds it (secureboot.c) after the stderr warning has scrolled away;
 * make.log stays 3.4.3's */
static void report_failure(struct dkms_session *s, const char *ko,
			   const char *why)
{
	const char *base = strrchr(ko, '/') ? strrchr(ko, '/') + 1 : ko;
	_cleanup_free_ char *key = xasprintf("%s signing failed", base);

	/* one line: sign-file's lines joined, "- SSL error:..." and all */
	if (key)
		build_report_add(s->report, key, "%s", *why ? why : "sign-file failed");
}

/* Sign one built module; a failure is a warning with sign-file's words. */
void sign_module(struct dkms_session *s, const char *ko)
{
	char tmpl[] = "/tmp/dkms-sign.XXXXXX";
	char *argv[] = { s->sign.file, s->sign.hash, s->sign.key, s->sign.cert,
			 (char *)ko, NULL };
	struct dkms_run_opts ro = { 0 };
	_cleanup_free_ char *text = NULL;
	int fd, status = 1;

	dkms_echo(s, "Signing module %s", ko);
	fd = mkstemp(tmpl);
	if (fd >= 0)
		unlink(tmpl);
	ro.argv = argv;
	ro.out_fd = fd >= 0 ? fd : DKMS_RUN_OUT_NULL;
	if (dkms_run(&ro, &status) < 0)
		status = 1;
	if (status != 0) {
		struct strbuf sb = { 0 };
		char buf[4096];
		ssize_t n;

		if (fd >= 0 && lseek(fd, 0, SEEK_SET) == 0)
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				strbuf_add(&sb, buf, (size_t)n);
		/* $(...) drops the trailing newlines */
		while (sb.len && sb.buf[sb.len - 1] == '\n')
			sb.buf[--sb.len] = '\0';
		dkms_warn(s, "Failed to sign module '%s'!\n%s", ko, strbuf_str(&sb));
		report_failure(s, ko, strbuf_str(&sb));
		strbuf_release(&sb);
	}
	if (fd >= 0)
		close(fd);
}

/* generate_mok (the CLI: cmd-extras.c): prepare_mok alone; 3.4.3 exits
 * with its status, 1 when the key pair is not usable. */
int dkms_generate_mok(struct dkms_session *s, const char *kver)
{
	return prepare_mok(s, kver ? kver : "", NULL) ? 0 : -DKMS_EFAILED;
}
