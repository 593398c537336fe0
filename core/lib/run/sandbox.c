/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The build sandbox (see sandbox.h).  We run as root, so no user
 * namespace is needed: the child is cloned into new mount, network, PID,
 * IPC and UTS namespaces, lays out its mounts as root, then forks the
 * worker that drops to the sandbox uid and execs.  The child stays as the
 * namespace's init, reaping; when the worker ends, init exits and the
 * kernel kills whatever the build left in the namespace.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "run/run.h"

#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | \
		  CLONE_NEWUTS)
#define MODULE_MAX_SIZE (512ull << 20)
#define DEFAULT_TIME_LIMIT 3600u
#define DEFAULT_MEM_LIMIT (8192ull << 20)
#define DEFAULT_FILE_LIMIT (2048ull << 20)
#define MAX_TMP_TOPS 32
#define MAX_PATHS 256

/* ---- configuration ------------------------------------------------------ */

static bool fw_no(const char *v)
{
	return v && (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"));
}

static unsigned long long parse_num(const char *v, unsigned long long dflt,
				    unsigned long long unit)
{
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return dflt;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end)
		return dflt;
	return n * unit;
}

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv;

	if (!s || !*s)
		return 0;
	nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -ENOMEM;
	nv[++*n] = NULL;
	return 0;
}

static void set_off(struct dkms_sandbox *sb, const char *why)
{
	sb->off = true;
	snprintf(sb->why, sizeof(sb->why), "%s", why);
}

/* The tools the caller has in $PATH (the context's, which the sandboxed
 * children get) stay visible (tests put theirs in scratch dirs below
 * /tmp). */
static int push_path_dirs(char ***v, size_t *n, const char *path)
{
	_cleanup_free_ char *copy = path ? strdup(path) : NULL;
	char *dir, *save = NULL;
	int r = 0;

	if (!copy)
		return 0;
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		if (*dir == '/')
			r |= strv_push(v, n, dir);
	return r;
}

/* What every sandbox sees read-only: the trees, the conf dir and the
 * kernel's headers (as named and resolved). */
static int push_trees(struct dkms_session *s, struct dkms_sandbox *sb,
		      size_t *nv, const char *ksrc, const char *kreal)
{
	int r = 0;

	r |= strv_push(&sb->visible, nv, dkms_tree(s));
	r |= strv_push(&sb->visible, nv, source_tree(s));
	r |= strv_push(&sb->visible, nv, install_tree(s));
	r |= strv_push(&sb->visible, nv, dkms_ctx_get_path(s->ctx, DKMS_PATH_CONF_DIR));
	r |= strv_push(&sb->visible, nv, ksrc);
	r |= strv_push(&sb->visible, nv, kreal);
	return r;
}

static bool below(const char *p, const char *dir);

static int fill_paths(struct dkms_session *s, struct dkms_sandbox *sb,
		      const char *build_dir, const char *kver)
{
	_cleanup_free_ char *ksrc = kver ? kernel_source_dir(s, kver) : NULL;
	_cleanup_free_ char *kreal = ksrc ? realpath_or_null(ksrc) : NULL;
	_cleanup_free_ char *src = xasprintf("%s/../source", build_dir);
	_cleanup_free_ char *sreal = src ? realpath_or_null(src) : NULL;
	size_t nw = 0, nv = 0;
	int r = 0;

	r |= strv_push(&sb->writable, &nw, build_dir);
	r |= push_trees(s, sb, &nv, ksrc, kreal);
	r |= strv_push(&sb->visible, &nv, sreal);
	/* A package may build in its source dir (M=/usr/src/<m>-<v>, as
	 * west-chamber-dkms does): 3.4.3 lets it write there, as root.  It
	 * finds a copy of it there (sandbox_give), writable, which goes
	 * with the sandbox: the source stays as it was. */
	if (sreal && strrchr(build_dir, '/') && !below(sreal, build_dir) &&
	    !below(build_dir, sreal)) {
		sb->source_dir = strdup(sreal);
		sb->source_copy = xasprintf("%.*s/.source-copy",
					    (int)(strrchr(build_dir, '/') - build_dir),
					    build_dir);
		r |= !sb->source_dir || !sb->source_copy;
		if (sb->source_copy)
			rm_rf(sb->source_copy); /* a killed build's */
	}
	r |= push_path_dirs(&sb->visible, &nv, dkms_ctx_path_var(s->ctx));
	return r ? -ENOMEM : 0;
}

bool sandbox_disabled(const struct dkms_session *s)
{
	return dkms_opt(s, DKMS_OPT_NO_SANDBOX) ||
	       (!dkms_opt(s, DKMS_OPT_SANDBOX) && fw_no(s->fw.build_sandbox));
}

bool sandbox_scripts_disabled(const struct dkms_session *s)
{
	return sandbox_disabled(s) ||
	       (!dkms_opt(s, DKMS_OPT_SANDBOX) && fw_no(s->fw.script_sandbox));
}

int sandbox_new_conf(const char *scratch, const char *const *visible,
		     size_t n, const char *path, struct dkms_sandbox **ret)
{
	struct dkms_sandbox *sb = calloc(1, sizeof(*sb));
	size_t i, nw = 0, nv = 0;
	int r = 0;

	if (!sb)
		return -ENOMEM;
	sandbox_user_lookup(NULL, &sb->uid, &sb->gid);
	sb->mem_limit = DEFAULT_MEM_LIMIT;
	r |= strv_push(&sb->writable, &nw, scratch);
	for (i = 0; i < n; i++)
		r |= strv_push(&sb->visible, &nv, visible[i]);
	r |= push_path_dirs(&sb->visible, &nv, path);
	if (r) {
		sandbox_free(sb);
		return -ENOMEM;
	}
	*ret = sb;
	return 0;
}

/* Whether uid/gid has the permission whose "other" bit is o (S_IXOTH,
 * S_IROTH): the owner's, group's or others' bit, as the kernel picks. */
static bool may(const struct stat *st, uid_t uid, gid_t gid, mode_t o)
{
	if (st->st_uid == uid)
		return st->st_mode & (o << 6);
	if (st->st_gid == gid)
		return st->st_mode & (o << 3);
	return st->st_mode & o;
}

/* Below /tmp the sandbox makes the dirs on the way itself. */
static bool can_search(const struct stat *st, uid_t uid, gid_t gid)
{
	return may(st, uid, gid, S_IXOTH);
}

static bool can_read(const struct stat *st, uid_t uid, gid_t gid)
{
	return may(st, uid, gid, S_IROTH);
}

bool sandbox_may_run(const struct dkms_sandbox *sb, const char *dir,
		     const char *exe)
{
	struct stat st;

	if (stat(dir, &st) < 0 || !can_search(&st, sb->uid, sb->gid))
		return false;
	return stat(exe, &st) == 0 && can_search(&st, sb->uid, sb->gid) &&
	       can_read(&st, sb->uid, sb->gid);
}

static const char *unreachable(char **paths, uid_t uid, gid_t gid)
{
	char buf[PATH_MAX];
	struct stat st;
	char **p, *s;

	for (p = paths; p && *p; p++) {
		if (!strncmp(*p, "/tmp/", 5) || strlen(*p) >= sizeof(buf))
			continue;
		strcpy(buf, *p);
		for (s = buf + strlen(buf); s > buf; s = strrchr(buf, '/')) {
			*s = '\0';
			if (stat(*buf ? buf : "/", &st) == 0 && !can_search(&st, uid, gid))
				return *p;
		}
	}
	return NULL;
}

/* Limits, user, and whether it is off (and why) for a build or, with
 * script set, a PRE_INSTALL/POST_INSTALL/POST_ADD/POST_REMOVE script. */
static void configure(struct dkms_session *s, struct dkms_sandbox *sb,
		      bool script)
{
	bool forced = dkms_opt(s, DKMS_OPT_SANDBOX);

	sb->time_limit = (unsigned int)parse_num(s->fw.build_time_limit,
						 DEFAULT_TIME_LIMIT, 1);
	sb->mem_limit = parse_num(s->fw.build_memory_limit, DEFAULT_MEM_LIMIT,
				  1ull << 20);
	sb->file_limit = DEFAULT_FILE_LIMIT;
	sb->netns_fd = sandbox_shared_netns(s);
	sb->join_netns = sb->netns_fd >= 0;
	if (dkms_opt(s, DKMS_OPT_NO_SANDBOX))
		set_off(sb, "disabled by --no-sandbox");
	else if (!forced && fw_no(s->fw.build_sandbox))
		set_off(sb, "disabled by build_sandbox in framework.conf");
	else if (script && !forced && fw_no(s->fw.script_sandbox))
		set_off(sb, "disabled by script_sandbox in framework.conf");
	else if (geteuid() != 0)
		set_off(sb, "dkms does not run as root");
	else if (sandbox_shared_user(s, &sb->uid, &sb->gid) < 0)
		set_off(sb, "the build_sandbox_user of framework.conf does not exist");
	/* off by choice is said in the log only; off for a cause, warned */
	sb->refused = sb->off && !sandbox_disabled(s) &&
		      !(script && !forced && fw_no(s->fw.script_sandbox));
}

/* The sandbox uid must reach the dirs it works in: refuse (one warning,
 * then unsandboxed) rather than fail in it. */
static void check_reach(struct dkms_sandbox *sb, char **paths)
{
	const char *p;

	if (sb->off || !(p = unreachable(paths, sb->uid, sb->gid)))
		return;
	snprintf(sb->why, sizeof(sb->why), "user %u cannot reach %s",
		 (unsigned int)sb->uid, p);
	sb->off = sb->refused = true;
}

int sandbox_new(struct dkms_session *s, const char *build_dir,
		const char *kver, struct dkms_sandbox **ret)
{
	struct dkms_sandbox *sb = calloc(1, sizeof(*sb));
	int r;

	if (!sb)
		return -ENOMEM;
	configure(s, sb, false);
	r = fill_paths(s, sb, build_dir, kver);
	if (r < 0) {
		sandbox_free(sb);
		return r;
	}
	check_reach(sb, sb->writable);
	if (!sb->off)
		sandbox_cgroup_create(sb, sandbox_shared_cgroups(s));
	*ret = sb;
	return 0;
}

int sandbox_new_script(struct dkms_session *s, const char *run_dir,
		       const char *kver, struct dkms_sandbox **ret)
{
	struct dkms_sandbox *sb = calloc(1, sizeof(*sb));
	_cleanup_free_ char *ksrc = kver && *kver ? kernel_source_dir(s, kver) : NULL;
	_cleanup_free_ char *kreal = ksrc ? realpath_or_null(ksrc) : NULL;
	_cleanup_free_ char *dreal = realpath_or_null(run_dir);
	char *reach[2] = { dreal, NULL };
	size_t nv = 0;
	int r = 0;

	if (!sb)
		return -ENOMEM;
	configure(s, sb, true);
	r |= push_trees(s, sb, &nv, ksrc, kreal);
	r |= strv_push(&sb->visible, &nv, run_dir);
	r |= strv_push(&sb->visible, &nv, dreal);
	r |= push_path_dirs(&sb->visible, &nv, dkms_ctx_path_var(s->ctx));
	if (r) {
		sandbox_free(sb);
		return -ENOMEM;
	}
	check_reach(sb, reach);
	if (!sb->off)
		sandbox_cgroup_create(sb, sandbox_shared_cgroups(s));
	*ret = sb;
	return 0;
}

struct dkms_sandbox *sandbox_free(struct dkms_sandbox *sb)
{
	if (!sb)
		return NULL;
	sandbox_cgroup_remove(sb);
	strv_free(sb->writable);
	strv_free(sb->visible);
	if (sb->source_copy)
		rm_rf(sb->source_copy);
	free(sb->source_dir);
	free(sb->source_copy);
	free(sb);
	return NULL;
}

void sandbox_fall_back(struct dkms_sandbox *sb)
{
	sb->off = sb->refused = true;
}

const char *sandbox_warning(struct dkms_sandbox *sb)
{
	if (!sb || !sb->refused || sb->warned)
		return NULL;
	sb->warned = true;
	return sb->why;
}

/* ---- the child ------------------------------------------------------------ */

pid_t sandbox_fork(const struct dkms_sandbox *sb)
{
	unsigned long flags = SIGCHLD | NS_FLAGS;

	if (sb && sb->join_netns)
		flags &= ~(unsigned long)CLONE_NEWNET;
	return (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

static _Noreturn void fail(int fd, const char *step)
{
	char buf[96];
	int n = snprintf(buf, sizeof(buf), "%s%c%d", step, '\0', errno);

	if (n > 0 && write(fd, buf, (size_t)n) < 0) {
		/* the parent sees a setup that exited 127 */
	}
	_exit(127);
}

struct keep {
	char path[MAX_TMP_TOPS][PATH_MAX];
	int fd[MAX_TMP_TOPS];
	int n;
	bool whole_tmp; /* a tree is /tmp itself, or too many: no private /tmp */
};

static bool below(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(p, dir, n) && (p[n] == '/' || p[n] == '\0');
}

static void add_keep(struct keep *k, const char *p)
{
	int i;

	if (!strcmp(p, "/tmp") || !strcmp(p, "/tmp/"))
		k->whole_tmp = true;
	if (strncmp(p, "/tmp/", 5) || strlen(p) >= PATH_MAX)
		return;
	for (i = 0; i < k->n; i++)
		if (below(p, k->path[i]))
			return;
	if (k->n == MAX_TMP_TOPS) {
		k->whole_tmp = true;
		return;
	}
	strcpy(k->path[k->n], p);
	k->fd[k->n++] = -1;
}

/* The mount point for a kept dir or file, its parents ours (0755). */
static int mount_point(char *p, bool file)
{
	char *s;
	int fd;

	for (s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	if (!file)
		return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* The writable and visible paths, shortest first (a stable insertion
 * sort: a handful of paths); more than MAX_PATHS: -1 (then no private
 * /tmp, as for too many trees below it). */
static ssize_t shortest_first(const struct dkms_sandbox *sb, const char **out)
{
	char **lists[2] = { sb->writable, sb->visible };
	size_t n = 0, i, j;
	int l;

	for (l = 0; l < 2; l++)
		for (i = 0; lists[l] && lists[l][i]; i++) {
			const char *p = lists[l][i];
			size_t len = strlen(p);

			for (j = n; j > 0 && strlen(out[j - 1]) > len; j--)
				out[j] = out[j - 1];
			out[j] = p;
			if (++n == MAX_PATHS)
				return -1;
		}
	return (ssize_t)n;
}

/* A private /tmp, into which the trees that live below /tmp are put back
 * at their paths (the tests' scratch trees, a --dkmstree in /tmp); the
 * dirs on the way are ours (0755), so a 0700 scratch dir does not keep
 * the sandbox uid out of its trees.  Paths are taken shortest first, so
 * one already inside a kept tree comes with it. */
static void private_tmp(const struct dkms_sandbox *sb, int rfd, bool *done)
{
	static struct keep k; /* in the child only: too big for its stack */
	static const char *by_len[MAX_PATHS];
	ssize_t n;
	int i;

	*done = false;
	k.n = 0;
	n = shortest_first(sb, by_len);
	k.whole_tmp = n < 0;
	for (i = 0; i < n; i++)
		add_keep(&k, by_len[i]);
	if (k.whole_tmp)
		return;
	for (i = 0; i < k.n; i++) {
		k.fd[i] = open_tree(AT_FDCWD, k.path[i], OPEN_TREE_CLONE |
				    AT_RECURSIVE | OPEN_TREE_CLOEXEC);
		if (k.fd[i] < 0 && errno != ENOENT && errno != EACCES)
			fail(rfd, "open_tree");
	}
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=1777") < 0)
		fail(rfd, "mount tmpfs on /tmp");
	for (i = 0; i < k.n; i++) {
		struct stat st;

		if (k.fd[i] < 0)
			continue;
		if (fstat(k.fd[i], &st) < 0 ||
		    mount_point(k.path[i], !S_ISDIR(st.st_mode)) < 0 ||
		    move_mount(k.fd[i], "", AT_FDCWD, k.path[i],
			       MOVE_MOUNT_F_EMPTY_PATH) < 0)
			fail(rfd, "move_mount");
		close(k.fd[i]);
	}
	*done = true;
}

static void set_rw(const char *path, int rfd)
{
	struct mount_attr a = { .attr_clr = MOUNT_ATTR_RDONLY };

	if (mount_setattr(AT_FDCWD, path, 0, &a, sizeof(a)) < 0)
		fail(rfd, "mount_setattr rw");
}

static void hide_run(int rfd);

static void lay_out_mounts(const struct dkms_sandbox *sb, int rfd)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID };
	bool tmp, src;
	char **w;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fail(rfd, "mount --make-rprivate /");
	for (w = sb->writable; w && *w; w++)
		if (mount(*w, *w, NULL, MS_BIND | MS_REC, NULL) < 0)
			fail(rfd, "bind mount of the build dir");
	/* without its copy (see fill_paths) the source stays read-only */
	src = sb->source_dir && mount(sb->source_copy, sb->source_dir, NULL,
				      MS_BIND | MS_REC, NULL) == 0;
	private_tmp(sb, rfd, &tmp);
	hide_run(rfd);
	/* a /proc of the new PID namespace: the build sees only itself */
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)) < 0)
		fail(rfd, "mount_setattr read-only");
	for (w = sb->writable; w && *w; w++)
		set_rw(*w, rfd);
	if (src)
		set_rw(sb->source_dir, rfd);
	if (tmp)
		set_rw("/tmp", rfd);
}

/* /run holds the system's sockets (D-Bus and others a socket file's mode
 * lets anyone connect to, read-only mount or not): an empty one. */
static void hide_run(int rfd)
{
	struct stat st;

	if (lstat("/run", &st) == 0 && S_ISDIR(st.st_mode) &&
	    mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0755,size=1m") < 0)
		fail(rfd, "mount tmpfs on /run");
}

static void set_limit(int res, unsigned long long v)
{
	struct rlimit rl = { (rlim_t)v, (rlim_t)v };

	setrlimit(res, &rl);
}

static void drop_privileges(const struct dkms_sandbox *sb, int rfd)
{
	if (setgroups(0, NULL) < 0)
		fail(rfd, "setgroups");
	if (setresgid(sb->gid, sb->gid, sb->gid) < 0)
		fail(rfd, "setresgid");
	if (setresuid(sb->uid, sb->uid, sb->uid) < 0)
		fail(rfd, "setresuid");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(rfd, "PR_SET_NO_NEW_PRIVS");
}

/* The namespace's init: reap everything until the worker ends, then go
 * (the kernel kills the rest of the namespace with us). */
static _Noreturn void init_loop(pid_t worker)
{
	int st;
	pid_t p;

	for (;;) {
		p = waitpid(-1, &st, 0);
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			_exit(127);
		if (p != worker)
			continue;
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
}

int sandbox_enter(const struct dkms_sandbox *sb, int rfd)
{
	static char cwd[PATH_MAX];
	pid_t worker;

	bool in_cgroup;

	if (!getcwd(cwd, sizeof(cwd)))
		fail(rfd, "getcwd");
	if (sb->join_netns && setns(sb->netns_fd, CLONE_NEWNET) < 0)
		fail(rfd, "setns");
	/* while /sys is writable: the memory limit for all the job's
	 * processes (else each gets RLIMIT_AS below) */
	in_cgroup = sandbox_cgroup_join(sb) == 0;
	lay_out_mounts(sb, rfd);
	/* the UTS namespace keeps the host's name: a module may record it
	 * (openafs's version string has `hostname`), as under 3.4.3 */
	worker = fork();
	if (worker < 0)
		fail(rfd, "fork");
	if (worker > 0) {
		/* init only waits: it holds no pipe of the caller open (the
		 * report's end must close when the worker execs), and it must
		 * not die of a uid the worker will report it cannot take */
		close_range(0, ~0u, 0);
		if (setgroups(0, NULL) == 0 && setresgid(sb->gid, sb->gid, sb->gid) == 0 &&
		    setresuid(sb->uid, sb->uid, sb->uid) == 0)
			prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		/* If dkms itself dies (SIGKILL, a test's timeout), its runner
		 * can no longer enforce the time limit: take the namespace
		 * down with it.  Set only now: a change of uid clears it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		init_loop(worker);
	}
	if (getppid() != 1)
		_exit(127);
	/* the old cwd is on the mounts we replaced: enter it again */
	if (chdir(cwd) < 0 && chdir("/") < 0)
		fail(rfd, "chdir");
	set_limit(RLIMIT_CORE, 0);
	if (sb->mem_limit && !in_cgroup)
		set_limit(RLIMIT_AS, sb->mem_limit);
	if (sb->file_limit)
		set_limit(RLIMIT_FSIZE, sb->file_limit);
	drop_privileges(sb, rfd);
	/* after the uid change, which would clear it */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* fds of ours (a lock on the tree, say) refer to the mounts as they
	 * were, writable: none reaches the job */
	close_range((unsigned int)(sb->keep_fds ? sb->keep_fds : 3), ~0u,
		    CLOSE_RANGE_CLOEXEC);
	return 0;
}

int sandbox_read_report(struct dkms_sandbox *sb, int fd)
{
	char buf[128];
	ssize_t n, len = 0;
	int err;

	while (len < (ssize_t)sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - (size_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	if (len == 0)
		return 0;
	buf[len] = '\0';
	err = (int)strnlen(buf, (size_t)len) < len
		      ? atoi(buf + strlen(buf) + 1) : EIO;
	if (err <= 0)
		err = EIO;
	snprintf(sb->why, sizeof(sb->why), "its set-up failed (%s: %s)", buf,
		 strerror(err));
	sb->off = true;
	return -err;
}

/* ---- ownership of the build dir -------------------------------------------- */

static int chown_tree(int dfd, uid_t uid, gid_t gid, bool take, int depth)
{
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (depth > 64) {
		close(dfd);
		return -ELOOP;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		/* a hard link may be someone else's file: leave it */
		if (!S_ISDIR(st.st_mode) && st.st_nlink > 1)
			continue;
		if (fchownat(dirfd(d), de->d_name, uid, gid,
			     AT_SYMLINK_NOFOLLOW) < 0 && r == 0)
			r = -errno;
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
					O_NOFOLLOW | O_CLOEXEC);
			int k = fd < 0 ? -errno : chown_tree(fd, uid, gid, take, depth + 1);

			if (k < 0 && r == 0)
				r = k;
		}
	}
	closedir(d);
	return r;
}

static int chown_dir(const char *dir, uid_t uid, gid_t gid, bool take)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fchown(fd, uid, gid) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return chown_tree(fd, uid, gid, take, 0);
}

static void rm_rf_at(const char *dir, const char *name)
{
	_cleanup_free_ char *p = path_join(dir, name);

	if (p)
		rm_rf(p);
}

/* The source dir's copy, made once per build (a first give), kept for
 * its later jobs as 3.4.3's source dir keeps what they wrote there. */
static void give_source_copy(const struct dkms_sandbox *sb)
{
	_cleanup_free_ char *from = NULL;

	if (!sb->source_copy || path_exists(sb->source_copy))
		return;
	from = xasprintf("%s/", sb->source_dir);
	if (!from || copy_tree(from, sb->source_copy) < 0 ||
	    chown_dir(sb->source_copy, sb->uid, sb->gid, false) < 0)
		rm_rf(sb->source_copy);
}

int sandbox_give(const struct dkms_sandbox *sb, const char *dir)
{
	if (!sandbox_on(sb))
		return 0;
	give_source_copy(sb);
	return chown_dir(dir, sb->uid, sb->gid, false);
}

/* What the privileged side reads or moves by name after the build. */
static void drop_if_not_regular(const char *dir, const char *name)
{
	_cleanup_free_ char *p = path_join(dir, name);
	struct stat st;

	if (p && lstat(p, &st) == 0 && (!S_ISREG(st.st_mode) || st.st_nlink > 1))
		unlink(p);
}

int sandbox_take(const struct dkms_sandbox *sb, const char *dir)
{
	if (!sb || !sb->used)
		return 0;
	drop_if_not_regular(dir, "make.log");
	drop_if_not_regular(dir, "Module.symvers");
	return chown_dir(dir, 0, 0, true);
}

int sandbox_lend(struct dkms_sandbox *sb, const char *dir)
{
	size_t n = 0;

	if (!sandbox_on(sb))
		return 0;
	while (sb->writable && sb->writable[n])
		n++;
	if (strv_push(&sb->writable, &n, dir) < 0)
		return -ENOMEM;
	return chown_dir(dir, sb->uid, sb->gid, false);
}

void sandbox_unlend(struct dkms_sandbox *sb, const char *dir)
{
	DIR *d;
	struct dirent *de;
	size_t i, n = 0;

	if (!sb)
		return;
	while (sb->writable && sb->writable[n])
		n++;
	for (i = 0; i < n; i++) {
		if (strcmp(sb->writable[i], dir))
			continue;
		free(sb->writable[i]);
		memmove(&sb->writable[i], &sb->writable[i + 1],
			(n - i) * sizeof(char *));
		break;
	}
	if (i == n || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rm_rf_at(dir, de->d_name);
		else if (!S_ISREG(st.st_mode) || st.st_nlink > 1)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	chown_dir(dir, 0, 0, true);
}

static int open_beneath(const char *dir, const char *rel)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;

	if (dfd < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) {
		/* before 5.6: at least the last component */
		fd = openat(dfd, rel, (int)how.flags);
	}
	if (fd < 0)
		fd = -errno;
	close(dfd);
	return fd;
}

int sandbox_check_module(const char *dir, const char *rel)
{
	_cleanup_free_ char *path = path_join(dir, rel), *vm = NULL;
	struct stat st;
	int fd = open_beneath(dir, rel), r = 0;

	if (fd < 0)
		return fd == -EXDEV ? -ELOOP : fd;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -ELOOP;
	else if (st.st_nlink != 1)
		r = -EMLINK;
	else if ((unsigned long long)st.st_size > MODULE_MAX_SIZE)
		r = -EFBIG;
	close(fd);
	if (r)
		return r;
	if (!path)
		return -ENOMEM;
	vm = modinfo_vermagic(NULL, path);
	return vm ? 0 : -ENOEXEC;
}

/* ---- what the build report says -------------------------------------------- */

char *sandbox_summary(const struct dkms_sandbox *sb)
{
	if (!sb)
		return NULL;
	if (sandbox_on(sb) && sb->used)
		return xasprintf("yes (uid %u, gid %u, read-only system, "
				 "private /tmp, no network, time limit %u s, "
				 "memory limit %llu MiB %s)",
				 (unsigned int)sb->uid, (unsigned int)sb->gid,
				 sb->time_limit, sb->mem_limit >> 20,
				 sandbox_memory_kind(sb));
	return xasprintf("no (%s)", *sb->why ? sb->why : "nothing ran");
}
