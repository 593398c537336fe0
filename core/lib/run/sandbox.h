/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sandboxed module builds: code that comes with a module source (PATCH,
 * PRE_BUILD, make, POST_BUILD) runs as an unprivileged uid, in its own
 * mount, network, PID, IPC and UTS namespaces, where everything but the
 * build dir and a private /tmp is read-only and the only network is a
 * down loopback, with no_new_privs, a time limit and a memory limit.
 * When the job ends its PID namespace goes, and with it every process it
 * left behind.
 *
 * The privileged side stays small: the build dir is handed to the sandbox
 * uid before a job (sandbox_give) and taken back after the last one
 * (sandbox_take), when no sandboxed process is left; the declared modules
 * are then checked (sandbox_check_module) before anything privileged
 * (strip, sign-file, compression, the copy into the tree) touches them.
 *
 * Private to core/lib.  Used by the runner between fork and exec, and by
 * build.c/invoke.c around a build.
 */
#ifndef DKMS_SANDBOX_H
#define DKMS_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

struct dkms_session;

struct dkms_sandbox {
	uid_t uid;
	gid_t gid;
	char **writable;        /* dirs writable inside (NULL-terminated) */
	char **visible;         /* dirs that must stay visible, read-only */
	/* a build's: its module's source dir (resolved), where a writable
	 * copy of it is shown (3.4.3's builds may write there, as root) */
	char *source_dir, *source_copy;
	unsigned int time_limit;      /* seconds per job, 0: none */
	unsigned long long mem_limit; /* bytes of address space, 0: none */
	unsigned long long file_limit; /* bytes per file written */
	int keep_fds;           /* fds below it reach the job (0: 3) */
	/* the memory limit's cgroup (sandbox-cgroup.c): version 0 none,
	 * the jobs get RLIMIT_AS instead */
	int cg_version;
	char *cg_mem;           /* v2: memory and pids; v1: memory */
	char *cg_pids;          /* v1: pids */
	unsigned long long cg_ooms; /* oom kills seen so far */
	bool join_netns;        /* join netns_fd's network namespace */
	int netns_fd;
	/* what happened */
	bool off;               /* disabled, or fell back after a failure */
	bool used;              /* at least one job ran sandboxed */
	bool refused;           /* off for a reason to warn about */
	bool warned;
	char why[160];          /* why it is off, "" when on */
};

/* The sandbox a build of <build_dir> for kernel kver runs in, as
 * framework.conf (build_sandbox, build_sandbox_user, build_time_limit,
 * build_memory_limit) and the command line (--sandbox, --no-sandbox) say.
 * Never NULL on success: a disabled sandbox has ->off set and ->why. */
int sandbox_new(struct dkms_session *s, const char *build_dir,
		const char *kver, struct dkms_sandbox **ret);
struct dkms_sandbox *sandbox_free(struct dkms_sandbox *sb);
/* --no-sandbox, or build_sandbox="no" without --sandbox */
bool sandbox_disabled(const struct dkms_session *s);
/* the same, or script_sandbox="no" without --sandbox: the
 * PRE_INSTALL/POST_INSTALL/POST_ADD/POST_REMOVE scripts run as root */
bool sandbox_scripts_disabled(const struct dkms_session *s);
/* A sandbox for the dkms.conf evaluation (conf-bash.c): the default
 * user, writable the scratch dir, the given dirs and those of path (the
 * child's PATH) visible. */
int sandbox_new_conf(const char *scratch, const char *const *visible,
		     size_t n, const char *path, struct dkms_sandbox **ret);
/* A sandbox for a PRE_INSTALL/POST_INSTALL/POST_ADD/POST_REMOVE script
 * that runs in run_dir: nothing writable but a private /tmp, the trees,
 * the kernel's headers and run_dir visible read-only.  Off as builds are
 * (--no-sandbox, build_sandbox="no"), and by script_sandbox="no" in
 * framework.conf (for packages whose scripts must run as root: depmod,
 * update-alternatives, files in /etc), unless --sandbox. */
int sandbox_new_script(struct dkms_session *s, const char *run_dir,
		       const char *kver, struct dkms_sandbox **ret);
/* Whether the sandbox uid may enter dir and run exe there (read and
 * execute bits; the dirs above dir were checked by sandbox_new_script).
 * A script root alone may run is refused, never run as root instead. */
bool sandbox_may_run(const struct dkms_sandbox *sb, const char *dir,
		     const char *exe);
static inline bool sandbox_on(const struct dkms_sandbox *sb)
{
	return sb && !sb->off;
}

/* ---- the runner's side ----------------------------------------------- */
/* fork() into new namespaces (sb's shared network namespace is joined
 * later, by sandbox_enter): returns as fork() does; -1 with errno when
 * the kernel refuses them. */
pid_t sandbox_fork(const struct dkms_sandbox *sb);
/* In the child of sandbox_fork(), after its stdio and cwd are set:
 * mounts, limits, then a worker that drops to the sandbox uid returns 0
 * (the caller execs); the namespace's init stays here, reaps, and exits
 * with the worker's status.  A setup failure is written to report_fd as
 * "step\0errno" and the child exits 127. */
int sandbox_enter(const struct dkms_sandbox *sb, int report_fd);
/* Parent: read what sandbox_enter reported (until the exec closes the
 * fd).  0: set up; -errno of the failed step, with sb->why filled. */
int sandbox_read_report(struct dkms_sandbox *sb, int fd);

/* ---- around the jobs --------------------------------------------------- */
/* Disable for the rest of this build after a setup failure; the caller
 * warns once (sandbox_warning gives the text). */
void sandbox_fall_back(struct dkms_sandbox *sb);
const char *sandbox_warning(struct dkms_sandbox *sb);
/* lchown -R of the build dir to the sandbox uid (give) or root (take;
 * files with other links are left alone, and a make.log or
 * Module.symvers that is not a regular file is removed). */
int sandbox_give(const struct dkms_sandbox *sb, const char *dir);
int sandbox_take(const struct dkms_sandbox *sb, const char *dir);
/* POST_BUILD may write to the built module's log dir (3.4.3 lets it
 * write anywhere; scripts leave stamps there): lend it writable for the
 * next jobs, then take it back, removing what is not a regular file. */
int sandbox_lend(struct dkms_sandbox *sb, const char *dir);
void sandbox_unlend(struct dkms_sandbox *sb, const char *dir);
/* <dir>/<rel> is a regular file reached without symlinks, with one link,
 * of sane size, and libkmod reads a vermagic from it.  0 or -errno
 * (-ELOOP symlink, -EMLINK links, -EFBIG size, -ENOEXEC not a module). */
int sandbox_check_module(const char *dir, const char *rel);
/* The build report's "sandbox" fact (build-report.h): "yes (uid ...,
 * limits)" or "no (why)"; NULL for no sandbox or on ENOMEM. */
char *sandbox_summary(const struct dkms_sandbox *sb);

/* ---- the memory limit (sandbox-cgroup.c) ------------------------------ */
/* Where a sandbox's cgroups may go: the v2 parents with the memory
 * controller delegated (ours, then the root's), the v1 memory and pids
 * parents (our own cgroups there); NULL where there is none. */
struct cg_places {
	bool done;
	char *v2[2];
	char *v1_mem;
	char *v1_pids;
};
/* Find them, and remove the empty cgroups dead dkms runs left there. */
void sandbox_cgroup_places(struct cg_places *p);
void sandbox_cgroup_places_clear(struct cg_places *p);
/* A cgroup with memory.max (v2) or memory.limit_in_bytes (v1) set to
 * mem_limit, pids.max too, when the machine lets us (at places, or
 * looked up now when NULL); sb->cg_version says which (0: none).
 * Removed, with anything left in it, by _remove. */
void sandbox_cgroup_create(struct dkms_sandbox *sb, const struct cg_places *places);
void sandbox_cgroup_remove(struct dkms_sandbox *sb);
/* In the child, as root: join the cgroup.  0, or -errno (RLIMIT_AS then). */
int sandbox_cgroup_join(const struct dkms_sandbox *sb);
/* Whether the kernel killed a process at the limit since the last call. */
bool sandbox_cgroup_oom(struct dkms_sandbox *sb);
/* Which memory limit applies, for the logs. */
const char *sandbox_memory_kind(const struct dkms_sandbox *sb);

/* ---- shared by the sandboxes of a run (sandbox-shared.c) -------------- */
struct sandbox_shared;
/* Look up once, in the process about to fork the builds, what every
 * sandbox needs: the user, the cgroups' places, an empty network
 * namespace they all join.  Does nothing when builds are not sandboxed. */
void sandbox_prepare(struct dkms_session *s);
void sandbox_shared_free(struct sandbox_shared *sh);
/* build_sandbox_user (or the default) as uid/gid; 0 or -ESRCH. */
int sandbox_shared_user(struct dkms_session *s, uid_t *uid, gid_t *gid);
/* name (NULL: "dkms", else nobody) as uid/gid, not cached. */
int sandbox_user_lookup(const char *name, uid_t *uid, gid_t *gid);
const struct cg_places *sandbox_shared_cgroups(struct dkms_session *s);
/* The network namespace sandbox_prepare made, or -1. */
int sandbox_shared_netns(struct dkms_session *s);

#endif
