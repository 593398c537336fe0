/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line of dkms 3.4.3, read in its order and with its quirks:
 * options in `--opt=value` and `--opt value` forms (long ones also match
 * by prefix, as its `--dkmstree*` patterns do), -m M/V and -k K/A splits,
 * bare words taken as the action, a source dir, a dkms.conf, an archive
 * or M/V.  Messages and exits happen where 3.4.3 has them, during the
 * scan.  Our own additions: --root DIR, --json, and `diagnose` as the
 * first word.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "api/api.h"

static const char *const actions[] = {
	"remove", "install", "autoinstall", "uninstall", "match", "mktarball",
	"build", "unbuild", "add", "status", "ldtarball", "generate_mok",
	"kernel_preinst", "kernel_postinst", "kernel_prerm",
};

void cli_usage(const char *argv0)
{
	printf("Usage: %s [action] [options]\n"
	       "  [action]  = { add | remove | build | unbuild | install | uninstall | match |\n"
	       "               autoinstall | mktarball | ldtarball | status | generate_mok |\n"
	       "               kernel_preinst | kernel_postinst | kernel_prerm }\n"
	       "  [options] = [-m module] [-v module-version] [-k kernel-version] [-a arch]\n"
	       "              [-c dkms.conf-location] [-q] [--force] [--force-version-override] [--all]\n"
	       "              [--templatekernel=kernel] [--directive='cli-directive=cli-value']\n"
	       "              [--config=kernel-include/config/auto.conf-location] [--archive=tarball-location]\n"
	       "              [--kernelsourcedir=source-location] [--rpm_safe_upgrade]\n"
	       "              [--dkmstree path] [--sourcetree path] [--installtree path]\n"
	       "              [--binaries-only] [--source-only] [--verbose]\n"
	       "              [--no-depmod] [--modprobe-on-install] [-j number] [--version] [--help]\n",
	       argv0);
	fflush(stdout);
}

static bool is_action(const char *w)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(actions); i++)
		if (!strcmp(w, actions[i]))
			return true;
	return false;
}

/* read_arg: "--x=v" gives v, else the next word (consumed).  `read -r`
 * keeps the first line and trims blanks around it. */
static char *arg_value(char **argv, int argc, int *i)
{
	const char *eq = strchr(argv[*i], '=');
	const char *v;
	size_t len;

	if (eq) {
		v = eq + 1;
	} else {
		(*i)++;
		v = *i < argc ? argv[*i] : "";
	}
	v += strspn(v, " \t");
	len = strcspn(v, "\n");
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	return strndup(v, len);
}

static void set_str(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

/* parse_moduleversion: "m/v" or just "m" */
static void set_module_version(struct cli *c, char *mv)
{
	char *slash = mv ? strchr(mv, '/') : NULL;

	if (!mv)
		return;
	if (slash) {
		set_str(&c->version, strdup(slash + 1));
		*slash = '\0';
	}
	set_str(&c->module, mv);
}

static int add_kernel_arch(struct cli *c, char *ka)
{
	char *slash = ka ? strchr(ka, '/') : NULL;
	int r;

	if (!ka)
		return -ENOMEM;
	if (slash) {
		*slash = '\0';
		r = dkms_kernels_add_kernel(&c->k, ka);
		if (r == 0)
			r = dkms_kernels_add_arch(&c->k, slash + 1);
	} else {
		r = dkms_kernels_add_kernel(&c->k, ka);
	}
	free(ka);
	return r;
}

static int add_directive(struct cli *c, char *d)
{
	size_t n = 0;
	char **nv;

	if (!d)
		return -ENOMEM;
	while (c->directives && c->directives[n])
		n++;
	nv = realloc(c->directives, (n + 2) * sizeof(char *));
	if (!nv) {
		free(d);
		return -ENOMEM;
	}
	nv[n] = d;
	nv[n + 1] = NULL;
	c->directives = nv;
	return 0;
}

static void quiet(void)
{
	int fd = open("/dev/null", O_WRONLY);

	fflush(stdout);
	fflush(stderr);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

static bool prefixed(const char *a, const char *opt)
{
	return startswith(a, opt);
}

static void cli_error(const char *fmt, const char *arg)
{
	fflush(stdout);
	fprintf(stderr, "\nError! ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fflush(stderr);
}

static bool is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int bare_word(struct cli *c, const char *w)
{
	_cleanup_free_ char *conf = NULL;

	if (is_action(w)) {
		if (c->action) {
			cli_error("%s", "Cannot specify more than one action.");
			return dkms_exit_to_errno(4);
		}
		c->action = strdup(w);
	} else if (is_file(w) && endswith(w, "dkms.conf")) {
		/* "${1%dkms.conf}./" */
		set_str(&c->source_path,
			xasprintf("%.*s./", (int)(strlen(w) - 9), w));
	} else if (is_dir(w) && (conf = path_join(w, "dkms.conf")) &&
		   is_file(conf)) {
		set_str(&c->source_path, strdup(w));
	} else if (is_file(w)) {
		set_str(&c->archive, strdup(w));
	} else if (!c->module || !*c->module) {
		set_module_version(c, strdup(w));
	} else {
		fflush(stdout);
		fprintf(stderr, "Warning: I do not know how to handle %s.\n", w);
		fflush(stderr);
	}
	return 0;
}

int cli_parse(struct cli *c, int argc, char **argv, bool *exit_now)
{
	int i, r = 0;

	*exit_now = false;
	for (i = 1; i < argc && r == 0; i++) {
		const char *a = argv[i];

		if (prefixed(a, "--module") || !strcmp(a, "-m")) {
			set_module_version(c, arg_value(argv, argc, &i));
		} else if (!strcmp(a, "-v")) {
			set_str(&c->version, arg_value(argv, argc, &i));
		} else if (prefixed(a, "--kernelver") || !strcmp(a, "-k")) {
			r = add_kernel_arch(c, arg_value(argv, argc, &i));
		} else if (prefixed(a, "--templatekernel")) {
			set_str(&c->template_kernel, arg_value(argv, argc, &i));
		} else if (!strcmp(a, "-c")) {
			set_str(&c->conf, arg_value(argv, argc, &i));
		} else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			quiet();
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			printf("dkms-%s\n", PACKAGE_VERSION);
			*exit_now = true;
			return 0;
		} else if (!strcmp(a, "--no-initrd") ||
			   !strcmp(a, "--no-clean-kernel") ||
			   !strcmp(a, "--no-prepare-kernel")) {
			if (!strcmp(a, "--no-initrd")) /* ours: initramfs.c */
				c->flags |= DKMS_OPT_NO_INITRD;
			fflush(stdout);
			fprintf(stderr, "Deprecated feature: %s\n", a);
			fflush(stderr);
		} else if (!strcmp(a, "--sandbox")) { /* ours: sandbox.c */
			c->flags = (c->flags & ~DKMS_OPT_NO_SANDBOX) | DKMS_OPT_SANDBOX;
		} else if (!strcmp(a, "--no-sandbox")) {
			c->flags = (c->flags & ~DKMS_OPT_SANDBOX) | DKMS_OPT_NO_SANDBOX;
		} else if (!strcmp(a, "--binaries-only")) {
			c->flags |= DKMS_OPT_BINARIES_ONLY;
		} else if (!strcmp(a, "--source-only")) {
			c->flags |= DKMS_OPT_SOURCE_ONLY;
		} else if (!strcmp(a, "--force")) {
			c->flags |= DKMS_OPT_FORCE;
		} else if (!strcmp(a, "--force-version-override")) {
			c->flags |= DKMS_OPT_FORCE_VERSION_OVERRIDE;
		} else if (!strcmp(a, "--all")) {
			c->flags |= DKMS_OPT_ALL;
		} else if (!strcmp(a, "--verbose")) {
			c->flags |= DKMS_OPT_VERBOSE;
		} else if (!strcmp(a, "--rpm_safe_upgrade")) {
			c->flags |= DKMS_OPT_RPM_SAFE_UPGRADE;
		} else if (prefixed(a, "--dkmstree")) {
			set_str(&c->dkmstree, arg_value(argv, argc, &i));
		} else if (prefixed(a, "--sourcetree")) {
			set_str(&c->sourcetree, arg_value(argv, argc, &i));
		} else if (prefixed(a, "--installtree")) {
			set_str(&c->installtree, arg_value(argv, argc, &i));
		} else if (!strcmp(a, "--symlink-modules")) {
			c->flags |= DKMS_OPT_SYMLINK_MODULES;
		} else if (prefixed(a, "--config")) {
			set_str(&c->kernel_config, arg_value(argv, argc, &i));
		} else if (prefixed(a, "--archive")) {
			set_str(&c->archive, arg_value(argv, argc, &i));
		} else if (prefixed(a, "--arch") || !strcmp(a, "-a")) {
			char *v = arg_value(argv, argc, &i);

			r = v ? dkms_kernels_add_arch(&c->k, v) : -ENOMEM;
			free(v);
		} else if (prefixed(a, "--kernelsourcedir")) {
			set_str(&c->kernel_source_dir, arg_value(argv, argc, &i));
		} else if (prefixed(a, "--directive")) {
			r = add_directive(c, arg_value(argv, argc, &i));
		} else if (!strcmp(a, "--no-depmod")) {
			c->flags |= DKMS_OPT_NO_DEPMOD;
		} else if (!strcmp(a, "--modprobe-on-install")) {
			c->flags |= DKMS_OPT_MODPROBE_ON_INSTALL;
		} else if (!strcmp(a, "--debug")) {
			c->debug = true;
		} else if (!strcmp(a, "--json")) {
			c->json = true; /* ours: status --json */
		} else if (!strcmp(a, "-j")) {
			set_str(&c->jobs, arg_value(argv, argc, &i));
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			if (!cli_action_help(c->action, argv[0]))
				cli_usage(argv[0]);
			*exit_now = true;
			return 0;
		} else if (!strcmp(a, "--root") || startswith(a, "--root=")) {
			/* ours: taken before the scan (see cli_prescan_root) */
			free(arg_value(argv, argc, &i));
		} else if (i == 1 && !strcmp(a, "diagnose")) {
			/* ours (cmd/diagnose.c): an action as the first word
			 * only, so that a command line 3.4.3 takes (a module
			 * named so, with an action after it) keeps its meaning */
			c->action = strdup(a);
			r = c->action ? 0 : -ENOMEM;
		} else if (a[0] == '-') {
			cli_error("Unknown option: %s", a);
			cli_usage(argv[0]);
			return dkms_exit_to_errno(2);
		} else {
			r = bare_word(c, a);
		}
	}
	if (r && !dkms_errno_is_exit(r)) {
		fprintf(stderr, "dkms: %s\n", strerror(-r));
		return dkms_exit_to_errno(1);
	}
	return r;
}

char *cli_prescan_root(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--root"))
			return i + 1 < argc ? strdup(argv[i + 1]) : NULL;
		if (startswith(argv[i], "--root="))
			return strdup(argv[i] + 7);
	}
	return NULL;
}

void cli_clear(struct cli *c)
{
	char **d;

	free(c->action);
	free(c->module);
	free(c->version);
	free(c->template_kernel);
	free(c->conf);
	free(c->kernel_config);
	free(c->archive);
	free(c->kernel_source_dir);
	free(c->source_path);
	free(c->dkmstree);
	free(c->sourcetree);
	free(c->installtree);
	free(c->jobs);
	for (d = c->directives; d && *d; d++)
		free(*d);
	free(c->directives);
	dkms_kernels_clear(&c->k);
	memset(c, 0, sizeof(*c));
}
