/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dkms command's parts: one cmd_* per action, sharing the context. */
#ifndef DKMS_CLI_H
#define DKMS_CLI_H

#include <stdbool.h>

#include "libdkms.h"
#include "api/api.h"

/* `dkms conf --json -k KVER [-a ARCH] [--dkmstree D] [--sourcetree S] CONF` */
int cmd_conf(int argc, char **argv);
/* `dkms batch [--dry-run] [FILE|-]`: events, one a line (cmd-batch.c) */
int cmd_batch(int argc, char **argv);

/* ---- options.c: dkms 3.4.3's command line ------------------------------ */
struct cli {
	char *action;
	char *module, *version;
	struct dkms_kernels k;
	char *template_kernel, *conf, *kernel_config, *archive;
	char *kernel_source_dir, *source_path;
	char **directives;
	char *dkmstree, *sourcetree, *installtree;
	char *jobs;
	unsigned int flags; /* DKMS_OPT_* */
	bool debug;
	bool json; /* status --json (ours) */
};
/* Scan argv as 3.4.3 does.  0: go on; else the errno of the exit code
 * (exitcode.h; message printed); *exit_now: --version/--help printed,
 * exit 0. */
int cli_parse(struct cli *c, int argc, char **argv, bool *exit_now);
/* Our --root DIR, looked for before the scan (framework.conf lives under
 * it). */
char *cli_prescan_root(int argc, char **argv);
void cli_usage(const char *argv0);
void cli_clear(struct cli *c);

/* ---- env.c: what 3.4.3 takes from its environment ---------------------- */
/* After dkms_session_new() (framework.conf read), before
 * dkms_session_apply_paths(): the framework.conf names 3.4.3 takes from
 * the environment where no file set them, ADDON_MODULES_DIR,
 * NO_WEAK_MODULES, TMPDIR. */
int cli_env_apply(struct dkms_session *s, char *const *envp);
/* ADDON_MODULES_DIR alone (dkms conf has no session). */
int cli_env_addon_modules_dir(struct dkms_ctx *ctx, char *const *envp);
/* 3.4.3's start-up check that it can write a temp file in $TMPDIR: 0,
 * or exit code 1's errno with its messages printed. */
int cli_env_check_tmp(char *const *envp);

/* ---- help.c: `dkms ACTION --help` -------------------------------------- */
/* Print the usage of one action; false when it is not an action. */
bool cli_action_help(const char *action, const char *argv0);

#endif
