/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dkms.so, the rpm transaction plugin (rpm-plugin/README.md).
 *
 * It only translates: the driver sources of a transaction (a package's
 * /usr/src/<m>-<v>/dkms.conf) and its kernels (a package's
 * /lib/modules/<kver>/ build, vmlinuz or modules.*, also under
 * /usr/lib/modules) become the event lines of one `dkms batch`, read
 * from tsm_pre, while every element still has its file list.  The batch
 * runs once, where the files of both sides are on disk: when the last
 * package arriving is in place and the first one going is not gone yet
 * (psm_pre of the first erasure, rpm ordering every install before every
 * erase), else in tsm_post.  It is run by the root's own dkms, in a
 * child chrooted into the root: kernel build dirs and their Makefiles
 * hold absolute paths, and builds use what is installed there.
 *
 * Nothing here fails or holds up the transaction: every hook returns
 * RPMRC_OK; what dkms could not do, it says.  It says it, and the
 * batch's dkms says what it does, on the standard output and error of
 * rpm or dnf: dnf reads what goes to rpm's log and scriptlet fd only
 * between elements, and the batch may run after the last one.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rpm/rpmfiles.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmte.h>
#include <rpm/rpmts.h>

/*
 * The table of hooks rpm looks up in a plugin (NAME_hooks).  rpm >= 4.20
 * installs <rpm/rpmplugin.h>, which declares it; older ones (Debian 12's
 * 4.18) keep that header to themselves, so its layout is declared here,
 * field for field as rpm 4.18's lib/rpmplugin.h has it.  Only the hooks
 * up to psm_post are used; the others stay NULL.
 */
#ifdef HAVE_RPM_RPMPLUGIN_H
#include <rpm/rpmplugin.h>
#else
struct rpmPluginHooks_s {
	rpmRC (*init)(rpmPlugin plugin, rpmts ts);
	void (*cleanup)(rpmPlugin plugin);
	rpmRC (*tsm_pre)(rpmPlugin plugin, rpmts ts);
	rpmRC (*tsm_post)(rpmPlugin plugin, rpmts ts, int res);
	rpmRC (*psm_pre)(rpmPlugin plugin, rpmte te);
	rpmRC (*psm_post)(rpmPlugin plugin, rpmte te, int res);
	/* scriptlet_pre, scriptlet_fork_post, scriptlet_post,
	 * fsm_file_pre, fsm_file_post, fsm_file_prepare */
	void *unused[6];
};
void rpmPluginSetData(rpmPlugin plugin, void *data);
void *rpmPluginGetData(rpmPlugin plugin);
#endif

/* where the dkms of this build is, inside the root */
#define DKMS_PROGRAM DKMS_SBINDIR "/dkms"
/* the child's exit status when it did not get to run dkms */
enum { CHILD_NO_ROOT = 126, CHILD_NO_EXEC = 127 };

extern char **environ;

/* One transaction's batch. */
struct batch {
	char **lines;      /* event lines, as `dkms batch` reads them */
	size_t n;
	rpmts ts;          /* the transaction, while it runs */
	char *root;        /* rpmtsRootDir(), no trailing slash */
	bool ran;
	bool added_in;     /* every package arriving is in place */
};

static void batch_clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->lines[i]);
	free(b->lines);
	free(b->root);
	memset(b, 0, sizeof(*b));
}

/* Add "WORD ARG" once; -ENOMEM. */
static int batch_add(struct batch *b, const char *word, const char *arg,
		     size_t arglen)
{
	char **nv, *line;
	size_t i;

	if (asprintf(&line, "%s %.*s", word, (int)arglen, arg) < 0)
		return -ENOMEM;
	for (i = 0; i < b->n; i++)
		if (!strcmp(b->lines[i], line)) {
			free(line);
			return 0;
		}
	nv = realloc(b->lines, (b->n + 1) * sizeof(*nv));
	if (!nv) {
		free(line);
		return -ENOMEM;
	}
	nv[b->n++] = line;
	b->lines = nv;
	return 0;
}

/* ---- what a package holds ---------------------------------------------- */

/* The length of the one path component DIR has after PREFIX, when DIR
 * is PREFIX<component>/; 0 otherwise, and for "." and "..", and for a
 * name with a blank or a '#', which an event line cannot carry. */
static size_t component_after(const char *dir, const char *prefix)
{
	size_t p = strlen(prefix), n;

	if (strncmp(dir, prefix, p))
		return 0;
	dir += p;
	n = strcspn(dir, "/ \t\r\n#");
	if (!n || strcmp(dir + n, "/") || !strcmp(dir, "./") || !strcmp(dir, "../"))
		return 0;
	return n;
}

/* <kver> when DIR is /lib/modules/<kver>/ or /usr/lib/modules/<kver>/. */
static const char *kernel_dir(const char *dir, size_t *len)
{
	static const char *const trees[] = { "/lib/modules/", "/usr/lib/modules/" };
	size_t i;

	for (i = 0; i < 2; i++)
		if ((*len = component_after(dir, trees[i])))
			return dir + strlen(trees[i]);
	return NULL;
}

/* A kernel's own file: what its image, headers or depmod leave there.
 * Only the image and depmod's files say a kernel is going: a headers
 * package going leaves the kernel in place. */
static bool kernel_file(const char *base, bool going)
{
	if (!strcmp(base, "vmlinuz") || !strncmp(base, "modules.", 8))
		return true;
	return !going && !strcmp(base, "build");
}

/* The events of one element.  Its directories are looked at first:
 * most packages have none under /usr/src or /lib/modules, and their
 * files are never walked. */
static int element_events(struct batch *b, rpmte te)
{
	bool going = rpmteType(te) == TR_REMOVED;
	rpmfiles files = rpmteFiles(te);
	int dc, fc, i, r = 0;
	bool *wanted = NULL, any = false;

	if (!files)
		return 0;
	dc = (int)rpmfilesDC(files);
	fc = (int)rpmfilesFC(files);
	wanted = dc > 0 ? calloc((size_t)dc, sizeof(*wanted)) : NULL;
	for (i = 0; wanted && i < dc; i++) {
		const char *dn = rpmfilesDN(files, i);
		size_t len;

		wanted[i] = component_after(dn, "/usr/src/") || kernel_dir(dn, &len);
		any |= wanted[i];
	}
	for (i = 0; any && r == 0 && i < fc; i++) {
		int dx = rpmfilesDI(files, i);
		const char *dn, *bn = rpmfilesBN(files, i), *k;
		size_t len;

		if (dx < 0 || dx >= dc || !wanted[dx])
			continue;
		dn = rpmfilesDN(files, dx);
		if (component_after(dn, "/usr/src/") && !strcmp(bn, "dkms.conf"))
			r = batch_add(b, going ? "source-removing" : "source-added",
				      dn, strlen(dn) - 1);
		else if ((k = kernel_dir(dn, &len)) && kernel_file(bn, going))
			r = batch_add(b, going ? "kernel-removing" : "kernel-added",
				      k, len);
	}
	if (dc > 0 && !wanted)
		r = -ENOMEM;
	free(wanted);
	rpmfilesFree(files);
	return r;
}

/* ---- running the batch -------------------------------------------------- */

__attribute__((format(printf, 2, 3)))
static void say(FILE *f, const char *fmt, ...)
{
	va_list ap;

	/* after what rpm printed before */
	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fflush(f);
}

/* The events on a file descriptor for the child's standard input. */
static int events_fd(const struct batch *b)
{
	int fd = memfd_create("dkms-batch", MFD_CLOEXEC);
	size_t i;

	if (fd < 0)
		return -errno;
	for (i = 0; i < b->n; i++)
		if (dprintf(fd, "%s\n", b->lines[i]) < 0) {
			close(fd);
			return -EIO;
		}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* The environment of a scriptlet: rpm's own, PATH set as rpm sets it
 * for scriptlets (%_install_script_path, in *path: the caller frees
 * it and the array, whose other strings are environ's). */
static char **child_environ(char **path)
{
	size_t n = 0, i, j = 0;
	char **env;

	*path = rpmExpand("PATH=%{?_install_script_path}", NULL);
	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env || !*path || !strcmp(*path, "PATH=")) {
		free(*path);
		*path = NULL;
	}
	for (i = 0; env && i < n; i++)
		if (!*path || strncmp(environ[i], "PATH=", 5))
			env[j++] = environ[i];
	if (env && *path)
		env[j++] = *path;
	return env;
}

/* In the child: into the root (unless rpm is there already; its working
 * directory is not), the events on stdin, rpm's blocked signals let
 * through, nothing of rpm's kept open but stdout and stderr.  Only calls
 * that are safe after a fork in a threaded host (dnf). */
static void child(const char *root, int in, char **env)
{
	static char *const argv[] = { DKMS_PROGRAM, "batch", "--no-rpmdb", NULL };
	sigset_t none;

	if ((root && chroot(root) < 0) || chdir("/") < 0)
		_exit(CHILD_NO_ROOT);
	if (dup2(in, 0) < 0)
		_exit(CHILD_NO_EXEC);
#ifdef SYS_close_range
	syscall(SYS_close_range, 3U, ~0U, 0U);
#endif
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	execve(argv[0], argv, env);
	_exit(CHILD_NO_EXEC);
}

/* The events, as the other adapters log them: what `dkms batch` reads
 * after "dkms: event: ". */
static void say_events(const struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		say(stdout, "dkms: event: %s\n", b->lines[i]);
}

/* Fork the root's `dkms batch` on the events, wait for it; 0 or -errno
 * when it could not be started. */
static int batch_exec(const struct batch *b, const char *root, int *status)
{
	char *path = NULL, **env = child_environ(&path);
	int in = events_fd(b), r = 0;
	pid_t pid = -1;

	if (in < 0 || !env)
		r = in < 0 ? in : -ENOMEM;
	else if ((pid = fork()) == 0)
		child(root, in, env);
	else if (pid < 0)
		r = -errno;
	while (pid > 0 && waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	if (in >= 0)
		close(in);
	free(env);
	free(path);
	return r;
}

/* Run the batch, once.  CHROOTED: rpm is in the root already (psm
 * hooks), else the child gets there itself. */
static void batch_run(struct batch *b, bool chrooted)
{
	const char *root = chrooted || !strcmp(b->root, "/") ? NULL : b->root;
	const char *in_root = strcmp(b->root, "/") ? b->root : NULL;
	char *prog = NULL;
	int status = 0, r;

	b->ran = true;
	if (asprintf(&prog, "%s%s", root ? root : "", DKMS_PROGRAM) < 0)
		return;
	if (access(prog, X_OK) < 0) {
		say(stderr, "dkms: %s is not installed%s%s: the modules and "
		    "kernels of this transaction are left as they are; once it "
		    "is, `dkms batch` takes these events\n", DKMS_PROGRAM,
		    in_root ? " in " : "", in_root ? in_root : "");
		say_events(b);
		free(prog);
		return;
	}
	free(prog);
	say_events(b);
	r = batch_exec(b, root, &status);
	if (r < 0)
		say(stderr, "dkms: cannot run %s batch: %s\n", DKMS_PROGRAM,
		    strerror(-r));
	else if (WIFSIGNALED(status))
		say(stderr, "dkms: %s batch was killed by signal %d\n",
		    DKMS_PROGRAM, WTERMSIG(status));
	else if (WEXITSTATUS(status) == CHILD_NO_ROOT)
		say(stderr, "dkms: cannot enter %s to run %s batch\n",
		    b->root, DKMS_PROGRAM);
	else if (WEXITSTATUS(status) == CHILD_NO_EXEC)
		say(stderr, "dkms: cannot execute %s\n", DKMS_PROGRAM);
	else if (WEXITSTATUS(status) > 1)
		say(stderr, "dkms: %s batch exited with status %d\n",
		    DKMS_PROGRAM, WEXITSTATUS(status));
}

/* Every package arriving is in place: in the rpmdb (rpm records it
 * last), or failed. */
static bool additions_in(struct batch *b)
{
	rpmtsi pi;
	rpmte p;

	if (b->added_in)
		return true;
	pi = rpmtsiInit(b->ts);
	b->added_in = true;
	while ((p = rpmtsiNext(pi, TR_ADDED)))
		if (!rpmteDBInstance(p) && !rpmteFailed(p))
			b->added_in = false;
	rpmtsiFree(pi);
	return b->added_in;
}

/* ---- the hooks ---------------------------------------------------------- */

static rpmRC dkms_init(rpmPlugin plugin, rpmts ts)
{
	struct batch *b;

	(void)ts;
	/* builds and the tree are root's: anyone else's rpm is left alone */
	if (geteuid() != 0)
		return RPMRC_NOTFOUND;
	b = calloc(1, sizeof(*b));
	if (!b)
		return RPMRC_NOTFOUND;
	rpmPluginSetData(plugin, b);
	return RPMRC_OK;
}

static void dkms_cleanup(rpmPlugin plugin)
{
	struct batch *b = rpmPluginGetData(plugin);

	if (b)
		batch_clear(b);
	free(b);
}

static rpmRC dkms_tsm_pre(rpmPlugin plugin, rpmts ts)
{
	struct batch *b = rpmPluginGetData(plugin);
	const char *root = rpmtsRootDir(ts);
	rpmtsi pi;
	rpmte te;
	size_t len;
	int r = 0;

	batch_clear(b);
	/* a test transaction, or one that writes only the rpmdb */
	if (rpmtsFlags(ts) & (RPMTRANS_FLAG_TEST | RPMTRANS_FLAG_BUILD_PROBS |
			      RPMTRANS_FLAG_JUSTDB))
		return RPMRC_OK;
	pi = rpmtsiInit(ts);
	while (r == 0 && (te = rpmtsiNext(pi, 0)))
		r = element_events(b, te);
	rpmtsiFree(pi);
	root = root && *root ? root : "/";
	len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	if (r == 0 && b->n && !(b->root = strndup(root, len)))
		r = -ENOMEM;
	if (r < 0) {
		say(stderr, "dkms: %s: the modules and kernels of "
		       "this transaction are left as they are\n", strerror(-r));
		batch_clear(b);
	}
	b->ts = ts;
	return RPMRC_OK;
}

/* The first package going, once every package arriving is in place:
 * the files of both are on disk. */
static rpmRC dkms_psm_pre(rpmPlugin plugin, rpmte te)
{
	struct batch *b = rpmPluginGetData(plugin);

	if (b->n && !b->ran && rpmteType(te) == TR_REMOVED && additions_in(b))
		batch_run(b, true);
	return RPMRC_OK;
}

static rpmRC dkms_tsm_post(rpmPlugin plugin, rpmts ts, int res)
{
	struct batch *b = rpmPluginGetData(plugin);

	(void)ts;
	(void)res;
	if (b->n && !b->ran)
		batch_run(b, false);
	batch_clear(b);
	return RPMRC_OK;
}

__attribute__((visibility("default")))
struct rpmPluginHooks_s dkms_hooks = {
	.init = dkms_init,
	.cleanup = dkms_cleanup,
	.tsm_pre = dkms_tsm_pre,
	.tsm_post = dkms_tsm_post,
	.psm_pre = dkms_psm_pre,
};
