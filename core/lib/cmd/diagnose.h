/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `dkms diagnose`: the facts of one module version on one kernel
 * (diagnose.c gathers them) and their two renderings, text and JSON
 * (diagnose-print.c).
 */
#ifndef DKMS_CMD_DIAGNOSE_H
#define DKMS_CMD_DIAGNOSE_H

#include "cmd/cmd.h"

/* A BUILD_EXCLUSIVE_* directive that keeps a module record off the
 * kernel. */
struct diag_excl {
	char *module;          /* the record's module name */
	const char *directive; /* "BUILD_EXCLUSIVE_KERNEL", ... */
	long index;            /* 0: the global one */
	char *value;
	bool from_obsolete_by; /* _KERNEL_MAX set by OBSOLETE_BY */
};

enum diag_dep {
	DEP_NOT_INSTALLED, /* nothing of ours to look for */
	DEP_NO_FILE,       /* the kernel has no modules.dep */
	DEP_LISTED,
	DEP_NOT_LISTED,
};

enum diag_loaded {
	LOADED_NOT_RUNNING, /* not the running kernel: nothing to say */
	LOADED_NO,
	LOADED_YES,
	LOADED_OTHER,       /* loaded, but another version (srcversion) */
	LOADED_BUILTIN,     /* built into the running kernel */
};

/* One module file of the entry. */
struct diag_ko {
	char *name;            /* NAME.ko */
	char *built;           /* in <dkms_tree>/M/V/K/A/module/, or NULL */
	char *installed;       /* under the install tree, or NULL */
	bool differs;          /* the installed copy is not the built one */
	char *vermagic;        /* of the installed copy, else the built one */
	bool vermagic_ok;
	char *srcversion;
	struct module_trust trust;
	bool trust_known;      /* a file was there to read */
	char *sign_failed;     /* the build report's signing failure */
	enum diag_dep dep;
	struct namelist dep_others; /* modules.dep entries of that name */
	enum diag_loaded loaded;
	char *loaded_srcversion;
};

/* One module version on one kernel (kernel NULL: broken). */
struct diag_entry {
	char *module, *version, *kernel, *arch;
	const char *state;     /* "broken", "added", "built", "installed",
				* "installed-weak" */
	char *weak_from;       /* installed-weak: the kernel built for */
	bool original_kept;
	bool kernel_installed; /* <install_tree>/K is an installed kernel */
	bool running;          /* K is the running kernel */
	/* headers */
	char *headers;         /* the kernel's build dir */
	bool headers_ok;
	char *headers_link;    /* where a dangling build link points */
	char *headers_package; /* the package that has them, or NULL */
	char *release;         /* the kernel's release, as its headers say */
	/* BUILD_EXCLUSIVE */
	bool excluded;         /* no record is buildable: dkms build says 77 */
	struct diag_excl *excl;
	size_t n_excl;
	bool conf_bad;         /* the dkms.conf does not read for K */
	bool autoinstall;
	/* the last build for K */
	char *log;             /* its make.log, or NULL */
	bool failed;
	int exit_code;
	struct namelist errors; /* the first compiler and make errors */
	char *report;          /* its build report, or NULL */
	char *sandbox, *memory_limit;
	struct namelist warnings;
	/* what was built */
	struct diag_ko *ko;
	size_t n_ko;
	/* the verdict */
	struct namelist problems, notes;
};

/* One entry as text (a screen; secure_boot: the state in words), or as
 * a JSON object. */
void diag_print_text(struct strbuf *out, const struct diag_entry *e,
		     const char *secure_boot);
void diag_print_json(struct json *j, const struct diag_entry *e);

#endif
