/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dkms.conf and framework.conf: the reader (natively, or by bash in a
 * sandboxed child), 3.4.3's derivations per kernel, the module conf as
 * the operations use it (modconf), and the checks on hostile values and
 * source trees (safety).
 */
#ifndef DKMS_CONF_CONF_H
#define DKMS_CONF_CONF_H

#include "run/run.h"
#include "conf/reader.h"
#include "conf/safety.h"

/* Read <conf dir>/framework.conf and framework.conf.d/ *.conf as data. */
int dkms_framework_read(struct dkms_ctx *ctx, struct dkms_framework *fw);
void dkms_framework_clear(struct dkms_framework *fw);
/* NAME's value in another file of shell assignments, read as
 * framework.conf is (the last simple assignment wins): *ret NULL when
 * it sets none or does not exist. */
int dkms_assignment_read(struct dkms_ctx *ctx, const char *path,
			 const char *name, char **ret);

/* $kernelver expanded in a framework.conf value (3.4.3 sources them
 * while it is set). */
char *fw_expand(const char *v, const char *kver);

/* ---- modconf.c: dkms.conf as the cycle uses it ----------------------- */
struct modrec {
	char *built_name, *built_location; /* location ends in '/' or "" */
	char *dest_name, *dest_location;   /* distro-overridden */
	char *raw_dest_location;           /* DEST_MODULE_LOCATION[i] */
	bool strip;
	bool excluded;                     /* BUILD_EXCLUSIVE says no */
	/* which directive says so, read at which index (0: the global
	 * one; reader.h's struct conf_exclusion) */
	const char *excluded_by;
	long excluded_index;
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
/* read_conf(_strict)_or_die: 0, -DKMS_ENOCONF (4, no conf) or
 * -DKMS_EBADCONF (8, bad conf) with messages, or -errno; conf_path NULL:
 * -c or the module's source/dkms.conf.  With MC_NO_DIE a bad conf
 * returns -DKMS_EBADCONF without the "Bad conf file" error but *ret
 * filled (read_conf without _or_die); MC_NO_STDERR drops the conf's
 * messages. */
enum { MC_STRICT = 1, MC_NO_DIE = 2, MC_NO_STDERR = 4, MC_NO_CACHE = 8 };
int modconf_read(struct dkms_session *s, const char *m, const char *v,
		 const char *kver, const char *arch, const char *conf_path,
		 unsigned int flags, struct modconf *ret);
void modconf_clear(struct modconf *c);

#endif
