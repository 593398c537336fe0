/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The environment of a build, as 3.4.3 prepares it before make: the
 * compiler the kernel was built with (.kernelvariables, the kernel
 * config's CC text, clang, lld) and framework.conf's build_environment.
 * What is set here reaches every child of the build (s->child_env).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ops/ops.h"

static bool in_path(struct dkms_session *s, const char *prog)
{
	_cleanup_free_ char *path = NULL;
	char *dir, *save = NULL;

	if (!prog || !*prog)
		return false;
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	path = strdup(dkms_ctx_path_var(s->ctx));
	for (dir = strtok_r(path, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = path_join(dir, prog);

		if (p && access(p, X_OK) == 0)
			return true;
	}
	return false;
}

/* The compiler the kernel was built with, when we have it (3.4.3 reads
 * CONFIG_CC_VERSION_TEXT's first word, clang and lld flags). */
static int compiler_env(struct dkms_session *s, const char *kconf)
{
	_cleanup_free_ char *text = NULL;
	char *p;
	int r = 0;

	if (read_file(kconf, &text, NULL) < 0)
		return 0;
	p = strstr(text, "\nCONFIG_CC_VERSION_TEXT=");
	if (!p && startswith(text, "CONFIG_CC_VERSION_TEXT="))
		p = text - 1;
	if (p) {
		_cleanup_free_ char *cc = NULL;
		char *v = p + 24;
		size_t len;

		while (*v == '"')
			v++;
		len = strcspn(v, "\" \n");
		/* sed wants a space after the first word */
		if (v[len] == ' ') {
			cc = strndup(v, len);
			if (cc && in_path(s, cc)) {
				r = dkms_session_setenv(s, "CC", cc);
				if (r == 0)
					r = dkms_session_setenv(s, "KERNEL_CC", cc);
			}
		}
	}
	if (r == 0 && strstr(text, "CONFIG_CC_IS_CLANG=y") && in_path(s, "clang")) {
		r = dkms_session_setenv(s, "CC", "clang");
		if (r == 0)
			r = dkms_session_setenv(s, "KERNEL_CC", "clang");
	}
	if (r == 0 && strstr(text, "CONFIG_LD_IS_LLD=y") && in_path(s, "ld.lld")) {
		r = dkms_session_setenv(s, "LD", "ld.lld");
		if (r == 0)
			r = dkms_session_setenv(s, "KERNEL_LD", "ld.lld");
	}
	return r;
}

/* .kernelvariables (some distributions): the CC the kernel's make says;
 * without it CC stays unset, as 3.4.3 unsets it. */
static int kernelvariables_cc(struct dkms_session *s, const char *ksrc)
{
	_cleanup_free_ char *kv = path_join(ksrc, ".kernelvariables");
	_cleanup_free_ char *script = NULL, *out = NULL;
	int r;

	if (!kv || !path_exists(kv))
		return 0;
	script = xasprintf("printf 'show-%%%%:\n\t@echo $($*)\ninclude %s\n' | "
			   "make -f - show-CC 2>/dev/null", kv);
	if (!script)
		return -ENOMEM;
	r = run_capture(s, script, &out, NULL);
	if (r < 0)
		return r;
	out[strcspn(out, "\n")] = '\0';
	return dkms_session_setenv(s, "CC", out);
}

/* framework.conf's build_environment: a file sourced for the build; what
 * it exports reaches make (3.4.3 sources it in a subshell and imports
 * `export -p`). */
static int build_environment(struct dkms_session *s, const char *kver)
{
	_cleanup_free_ char *file = fw_expand(s->fw.build_environment, kver);
	_cleanup_free_ char *script = NULL, *out = NULL;
	char **start = NULL;
	struct strbuf q = { 0 };
	const char *p;
	size_t i;
	int r;

	if (!file || !*file || !path_exists(file))
		return 0;
	strbuf_adds(&q, "kernelver='");
	for (p = kver; *p; p++)
		strbuf_adds(&q, *p == '\'' ? "'\\''" : (char[]){ *p, 0 });
	strbuf_adds(&q, "'; source '");
	for (p = file; *p; p++)
		strbuf_adds(&q, *p == '\'' ? "'\\''" : (char[]){ *p, 0 });
	strbuf_adds(&q, "' >/dev/null 2>&1; env -0");
	script = strbuf_steal(&q);
	if (!script)
		return -ENOMEM;
	r = run_capture(s, script, &out, NULL);
	/* what the script started with (run_capture's environment) */
	start = r < 0 ? NULL : dkms_build_env(dkms_ctx_environ(s->ctx), s->child_env);
	if (r == 0 && !start)
		r = -ENOMEM;
	/* NUL-separated NAME=VALUE; keep what the file changed */
	for (i = 0, p = out; r == 0 && *p; p += strlen(p) + 1, i++) {
		_cleanup_free_ char *name = strndup(p, strcspn(p, "="));
		const char *eq = strchr(p, '='), *cur;

		if (!name || !eq)
			continue;
		cur = env_lookup(start, name);
		if (!strcmp(name, "kernelver") || !strcmp(name, "SHLVL") ||
		    !strcmp(name, "_") || !strcmp(name, "PWD") ||
		    !strcmp(name, "OLDPWD"))
			continue;
		if (cur && !strcmp(cur, eq + 1))
			continue;
		r = dkms_session_setenv(s, name, eq + 1);
	}
	strv_free(start);
	return r;
}

int build_env_setup(struct dkms_session *s, const char *kver,
		    const char *ksrc, const char *kconf)
{
	int r;

	r = kernelvariables_cc(s, ksrc);
	if (r == 0)
		r = compiler_env(s, kconf);
	if (r == 0)
		r = build_environment(s, kver);
	return r;
}
