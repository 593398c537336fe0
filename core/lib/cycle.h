/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the cycle's units (tree, kernel, modinfo, modconf,
 * invoke).  Private to core/lib. */
#ifndef DKMS_CYCLE_H
#define DKMS_CYCLE_H

#include <stdbool.h>

#include "ctx.h"
#include "ops.h"

/* ---- tree.c: paths of the state tree --------------------------------- */
const char *dkms_tree(const struct dkms_session *s);
const char *source_tree(const struct dkms_session *s);
const char *install_tree(const struct dkms_session *s);
/* <dkms_tree>/<fmt...>; NULL on ENOMEM */
char *tree_path(const struct dkms_session *s, const char *fmt, ...)
	_printf_(2, 3);
/* <dir>/<name><.ko> or <dir>/<name>.ko<compressed> that exists, else NULL
 * (3.4.3's compressed_or_uncompressed). */
char *ko_in_dir(const char *dir, const char *name, const char *csuffix);
/* Regular files named <name>.ko or <name><suffix> anywhere under dir
 * (find_module), NULL-terminated, sorted as find lists them (dir order). */
char **find_module(const char *dir, const char *name, const char *suffix);
/* Whether dir has at least one subdirectory (find DIR/ * -maxdepth 0
 * -type d). */
bool dir_has_subdir(const char *dir, const char *const *except);
bool dir_is_empty(const char *dir);
/* rmdir the path and its parents below base while they are empty
 * (rmdir -p --ignore-fail-on-non-empty relative to base). */
void rmdir_parents(const char *base, const char *rel);
/* find DIR -type d -empty -delete */
void delete_empty_dirs(const char *dir);
/* A module version dir <m>/<v> has a subdirectory other than what every
 * version has (build, source, tarball...): a kernel's build is left. */
bool version_has_kernel_dirs(const char *mv);
/* `ls DIR | wc -w` is 0 */
bool dir_has_no_visible_entries(const char *dir);
/* Same content (our own compare; missing files differ). */
bool files_equal(const char *a, const char *b);
int copy_file_to(const char *src, const char *dst, mode_t mode);
/* Copy src to dst, a new file in a directory nobody else uses yet (the
 * staging dir of a build): no temporary name, the directory is published
 * whole after fsync_dir_files(). */
int copy_file_new(const char *src, const char *dst, mode_t mode);
int move_file(const char *src, const char *dst);
/* _is_module_installed: kernel-<kver>-<arch> resolves to this build. */
bool dkms_link_is_active(struct dkms_session *s, const struct dkms_op *op);
/* DIR/NAME.ko.gz, .ko.xz or .ko.zst, the first that exists, else NULL. */
char *ko_any_suffix(const char *dir, const char *name);
/* readlink -f */
char *realpath_or_null(const char *p);

/* ---- kernel.c --------------------------------------------------------- */
char *kernel_source_dir(const struct dkms_session *s, const char *kver);
char *kernel_config_path(const struct dkms_session *s, const char *ksrc);
/* set_module_suffix: "" or ".gz"/".xz"/".zst" (compressed part). */
const char *module_compressed_suffix(const struct dkms_session *s,
				     const char *kver);
/* prepare_kernel: 0 or 21 with 3.4.3's message. */
int prepare_kernel(struct dkms_session *s, const char *kver);
/* prepare_kernel_and_signing (messages, blank line once per kernel). */
/* signing.c */
int prepare_signing(struct dkms_session *s, const char *kver);
void sign_module(struct dkms_session *s, const char *ko);
char *fw_expand(const char *v, const char *kver);
int prepare_kernel_and_signing(struct dkms_session *s, const char *kver,
			       const char *arch);
char *uname_r(void);
char *uname_m(void);
/* 3.4.3's VER(): numbers padded to 3 digits, compared as strings. */
char *ver_key(const char *v);
int ver_cmp(const char *a, const char *b);

/* ---- modinfo.c -------------------------------------------------------- */
struct modver {
	char *version;    /* "" when none */
	char *srcversion; /* srcversion, else the checksum after version */
};
/* CTX keeps libkmod loaded (dlopen.h); NULL loads it for the one call. */
int modinfo_version(struct dkms_ctx *ctx, const char *path,
		    struct modver *ret);
void modver_clear(struct modver *v);
char *modinfo_vermagic(struct dkms_ctx *ctx, const char *path);
/* the last "key" field of a module file through libkmod (any compression) */
char *modinfo_field_kmod(struct dkms_ctx *ctx, const char *path,
			 const char *key);
/* compare_module_version: "==", "=", ">", "<" */
const char *compare_module_version(struct dkms_ctx *ctx, const char *a,
				   const char *b);

/* ---- modconf.c: dkms.conf as the cycle uses it ----------------------- */
struct modrec {
	char *built_name, *built_location; /* location ends in '/' or "" */
	char *dest_name, *dest_location;   /* distro-overridden */
	char *raw_dest_location;           /* DEST_MODULE_LOCATION[i] */
	bool strip;
	bool excluded;                     /* BUILD_EXCLUSIVE says no */
};
struct modconf {
	struct dkms_conf *conf;
	char *path;
	size_t n;
	struct modrec *mod;
	char *make_command;
	char **patches;
	char *pre_build, *post_build, *pre_install, *post_install;
	char *post_add, *post_remove, *obsolete_by;
	char **build_depends;
	bool build_depends_rebuild, autoinstall, no_weak_modules;
	bool build_exclude; /* no module buildable and directives exist */
	bool has_exclusive_per_module; /* BUILD_EXCLUSIVE_*[i], i < n */
	char *package_name, *package_version;
};
/* read_conf(_strict)_or_die: 0, 4 (no conf), 8 (bad conf) with messages;
 * conf_path NULL: -c or the module's source/dkms.conf.  With MC_NO_DIE a
 * bad conf returns 8 without the "Bad conf file" error but *ret filled
 * (read_conf without _or_die); MC_NO_STDERR drops the conf's messages. */
enum { MC_STRICT = 1, MC_NO_DIE = 2, MC_NO_STDERR = 4, MC_NO_CACHE = 8 };
int modconf_read(struct dkms_session *s, const char *m, const char *v,
		 const char *kver, const char *arch, const char *conf_path,
		 unsigned int flags, struct modconf *ret);
void modconf_clear(struct modconf *c);

/* ---- status.c --------------------------------------------------------- */
/* find_actual_dest_module_location for record i: "" when not found. */
char *find_actual_dest(struct dkms_session *s, const struct modconf *mc,
		       size_t i, const char *m, const char *kver,
		       const char *arch, const char *csuffix);

/* ---- buildenv.c: CC/LD and build_environment for the build's children */
int build_env_setup(struct dkms_session *s, const char *kver,
		    const char *ksrc, const char *kconf);

/* ---- install.c: weak-modules (RHEL, SUSE) ------------------------------ */
const char *weak_modules_cmd(struct dkms_session *s, bool add);
void weak_modules_run(struct dkms_session *s, const struct dkms_op *op,
		      const struct modconf *mc, const char *cmd);

/* ---- rpmlock.c: --rpm_safe_upgrade ------------------------------------ */
int rpm_safe_upgrade_lock(struct dkms_session *s, const char *m, const char *v);
int rpm_safe_upgrade_check(struct dkms_session *s, const char *m, const char *v);

/* ---- invoke.c: 3.4.3's invoke_command and run_build_script ----------- */
/* Run a shell string with description; log_path NULL: no log (output to
 * /dev/null, or to us when verbose).  Prints "desc..." and " done." or
 * "(bad exit status: N)"+ "Failed command:" as 3.4.3.  Returns the exit
 * status. */
int invoke_command(struct dkms_session *s, const struct dkms_op *op,
		   const char *cmd, const char *desc, const char *log_path,
		   const char *cwd, bool background);
/* Run a bash script with the build's environment; its output (stdout and
 * stderr: redirect in the script) into *ret. */
int run_capture(struct dkms_session *s, const char *script, char **ret,
		int *status);
/* The two halves of invoke_command's terminal output, for steps done in
 * process (depmod). */
void invoke_begin(struct dkms_session *s, const char *cmd, const char *desc);
void invoke_end(struct dkms_session *s, const char *cmd, int status);
/* run_build_script: script_type pre_build/post_build run in build dir,
 * others in source dir; /etc/dkms/<m>/ overrides.  Returns 0 or the
 * script's status (log mode: 3.4.3 exits with it). */
int run_build_script(struct dkms_session *s, const struct dkms_op *op,
		     const char *type, const char *script,
		     const char *log_path);

#endif
