/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run/run.h"

extern char **environ;

struct dkms_job {
	pid_t pid;
	int pidfd;
	int token_fd;      /* jobserver write end: the job holds a token */
	int status;
	bool timed_out;
	struct timespec deadline; /* tv_sec 0: none */
};

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* ---- a shell script that is one simple make command ---------------------- */

/* The names invoke.c's scripts assign before the command (3.4.3's shell
 * variables); an assignment to anything else takes the shell. */
static bool script_var(const char *name, size_t len)
{
	static const char *const names[] = { "module", "module_version",
		"kernelver", "arch", "dkms_tree", "source_tree", "install_tree",
		"kernel_source_dir" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == len && !strncmp(names[i], name, len))
			return true;
	return false;
}

/* One assignment NAME='VALUE' (the ' written '\'') and its newline at *p:
 * the value unquoted into *val; false when it is something else. */
static bool parse_assignment(const char **p, const char **name, size_t *nlen,
			     struct strbuf *val)
{
	const char *q = *p;

	*name = q;
	while (*q == '_' || (*q >= 'a' && *q <= 'z'))
		q++;
	*nlen = (size_t)(q - *name);
	if (!*nlen || q[0] != '=' || q[1] != '\'')
		return false;
	for (q += 2;; q++) {
		if (!*q)
			return false;
		if (*q != '\'') {
			strbuf_addch(val, *q);
			continue;
		}
		if (!strncmp(q, "'\\''", 4)) {
			strbuf_addch(val, '\'');
			q += 3;
			continue;
		}
		break;
	}
	if (q[1] != '\n')
		return false;
	*p = q + 2;
	return true;
}

/* The command: make and words of characters the shell leaves alone. */
static bool simple_command(const char *c)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789_./=:,+@%^- ";
	size_t len = strlen(c);

	if (len < 2 || c[len - 1] != '\n' || strncmp(c, "make ", 5))
		return false;
	return strspn(c, ok) == len - 1;
}

static int env_set(char ***envp, size_t *n, const char *name, size_t nlen,
		   const char *value, bool only_if_there)
{
	char *e = NULL;
	size_t i;

	if (asprintf(&e, "%.*s=%s", (int)nlen, name, value) < 0)
		return -ENOMEM;
	for (i = 0; i < *n; i++)
		if (!strncmp((*envp)[i], name, nlen) && (*envp)[i][nlen] == '=') {
			(*envp)[i] = e;
			return 0;
		}
	if (only_if_there) {
		free(e);
		return 0;
	}
	(*envp)[(*n)++] = e;
	(*envp)[*n] = NULL;
	return 0;
}

static const char *env_get(char *const *envp, const char *name)
{
	size_t len = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, len) && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

/* PWD as bash sets it: kept when it names the current directory. */
static char *shell_pwd(char *const *envp)
{
	const char *pwd = env_get(envp, "PWD");
	struct stat a, b;

	if (pwd && pwd[0] == '/' && stat(pwd, &a) == 0 && stat(".", &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return strdup(pwd);
	return getcwd(NULL, 0);
}

static char *find_in_path(const char *cmd, const char *path)
{
	while (path && *path) {
		size_t len = strcspn(path, ":");
		char *f = NULL;

		if (asprintf(&f, "%.*s/%s", (int)len, len ? path : ".", cmd) < 0)
			return NULL;
		if (access(f, X_OK) == 0)
			return f;
		free(f);
		path += len + (path[len] == ':');
	}
	return NULL;
}

/* In the child: a script of 3.4.3's variable assignments and one simple
 * make command is exec'd without bash (a bash start-up less per build),
 * with the environment bash would give it: assigned variables that are
 * exported get their value, PWD the current directory, SHLVL as it was
 * (0 when unset: bash's last command is exec'd), _ the command's path.
 * Returns when the script is not that simple, or the exec fails (bash
 * then runs it, and says what went wrong). */
static void exec_simple_script(const char *script, char *const *envp)
{
	struct strbuf val = { 0 };
	const char *p = script, *name, *path;
	char **env, **argv, *cmd, *exe, *pwd, *save = NULL, *w;
	size_t n = 0, nlen, argc = 0;

	while (strncmp(p, "make ", 5)) {
		strbuf_release(&val);
		if (!parse_assignment(&p, &name, &nlen, &val) || !script_var(name, nlen))
			return;
	}
	if (!simple_command(p))
		return;
	while (envp[n])
		n++;
	env = calloc(n + 4, sizeof(*env));
	argv = calloc(strlen(p) / 2 + 2, sizeof(*argv));
	cmd = strndup(p, strlen(p) - 1);
	if (!env || !argv || !cmd)
		return;
	memcpy(env, envp, n * sizeof(*env));
	/* again, now setting the exported ones */
	for (p = script; strncmp(p, "make ", 5);) {
		strbuf_release(&val);
		parse_assignment(&p, &name, &nlen, &val);
		if (env_set(&env, &n, name, nlen, strbuf_str(&val), true) < 0)
			return;
	}
	for (w = strtok_r(cmd, " ", &save); w; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	path = env_get(env, "PATH");
	exe = find_in_path(argv[0], path ? path : "/usr/local/bin:/usr/bin:/bin");
	pwd = shell_pwd(env);
	if (!exe || !pwd ||
	    env_set(&env, &n, "PWD", 3, pwd, false) < 0 ||
	    env_set(&env, &n, "_", 1, exe, false) < 0 ||
	    (!env_get(env, "SHLVL") && env_set(&env, &n, "SHLVL", 5, "0", false) < 0))
		return;
	execve(exe, argv, env);
}

/* The jobserver's ends as fds 3 and 4, open across exec; the other fds
 * of ours (report_fd among them) moved out of the way first. */
static void pass_jobserver(const struct dkms_run_opts *o, int *report_fd,
			   int *token_fd)
{
	int r, w;

	if (*report_fd >= 0 && *report_fd < 10)
		*report_fd = fcntl(*report_fd, F_DUPFD_CLOEXEC, 10);
	if (*token_fd < 10)
		*token_fd = fcntl(*token_fd, F_DUPFD_CLOEXEC, 10);
	r = fcntl(o->jobserver[0], F_DUPFD_CLOEXEC, 10);
	w = fcntl(o->jobserver[1], F_DUPFD_CLOEXEC, 10);
	if (r < 0 || w < 0 || dup2(r, 3) < 0 || dup2(w, 4) < 0)
		_exit(127);
	close(r);
	close(w);
	/* the sandbox leaves the fds below keep_fds open (our copy of it) */
	if (o->sandbox && o->sb && o->sb->keep_fds < 5)
		o->sb->keep_fds = 5;
}

/* The job's own token (make's implicit one), taken as late as can be:
 * with the sandbox set up, just before the exec; the parent is told on
 * token_fd, and gives it back when the job ends (job_reap). */
static void take_token(int token_fd)
{
	struct pollfd p = { .fd = 3, .events = POLLIN };
	char c;

	for (;;) {
		ssize_t got = read(3, &c, 1);

		if (got == 1)
			break;
		/* a make may have made the read end non-blocking */
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
			_exit(127);
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			_exit(127);
	}
	if (write(token_fd, "T", 1) != 1)
		_exit(127);
}

static void child_exec(const struct dkms_run_opts *o, int report_fd,
		       int token_fd)
{
	char *const envnull[] = { NULL };
	char *const *envp = o->envp ? o->envp : environ;
	int fd;

	sigset_t none;

	/* Own group, so make's children go when we kill the job. */
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	if (o->out_fd != DKMS_RUN_OUT_INHERIT) {
		fd = o->out_fd >= 0 ? o->out_fd : open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
	}
	if (o->cwd && chdir(o->cwd) < 0)
		_exit(1);
	if (o->jobserver)
		pass_jobserver(o, &report_fd, &token_fd);
	/* Sandbox: mounts, limits, uid drop (sandbox.c). */
	if (o->sandbox)
		sandbox_enter(o->sb, report_fd);
	if (o->jobserver)
		take_token(token_fd);
	if (o->shell) {
		char *argv[] = { (char *)DKMS_BASH, (char *)"-c",
				 (char *)o->shell, NULL };

		exec_simple_script(o->shell, envp);
		execve(DKMS_BASH, argv, envp);
	} else {
		(void)envnull;
		if (strchr(o->argv[0], '/'))
			execve(o->argv[0], o->argv, envp);
		else {
			char **saved = environ;

			environ = (char **)envp;
			execvp(o->argv[0], o->argv);
			environ = saved;
		}
	}
	_exit(127);
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

/* Wait until the job has its token (or ended without one). */
static void job_token_wait(struct dkms_job *job, int tok[2], int wfd)
{
	char c;
	ssize_t got;

	close(tok[1]);
	do
		got = read(tok[0], &c, 1);
	while (got < 0 && errno == EINTR);
	close(tok[0]);
	if (got == 1)
		job->token_fd = wfd;
}

static void job_token_give(struct dkms_job *job)
{
	ssize_t w;

	if (job->token_fd < 0)
		return;
	do
		w = write(job->token_fd, "+", 1);
	while (w < 0 && errno == EINTR);
	job->token_fd = -1;
}

/* stdout and stderr of a spawned tool: inherited, out_fd, or /dev/null */
static int spawn_output(posix_spawn_file_actions_t *fa, int out_fd)
{
	if (out_fd == DKMS_RUN_OUT_INHERIT)
		return 0;
	if (out_fd < 0)
		return posix_spawn_file_actions_addopen(fa, 1, "/dev/null", O_WRONLY, 0) ||
		       posix_spawn_file_actions_adddup2(fa, 1, 2);
	return posix_spawn_file_actions_adddup2(fa, out_fd, 1) ||
	       posix_spawn_file_actions_adddup2(fa, out_fd, 2);
}

/*
 * A plain tool (strip, sign-file, depmod...: argv, no sandbox, no
 * jobserver) is started with posix_spawn, which shares our memory until
 * the exec instead of copying the page tables of a dkms that has mapped
 * libkmod: a fork of ours costs a quarter of a millisecond, once per
 * module.  The child is set up as child_exec would: own group, default
 * signal mask and SIGPIPE, stdin /dev/null, output, cwd.  -1 when the
 * tool cannot be spawned this way (the fork path then runs it, and
 * reports a failed exec as 127, as always).
 */
static pid_t spawn_tool(const struct dkms_run_opts *o)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	pid_t pid = -1;
	int r = -1;

	/* execvp looks in the job's own PATH; posix_spawnp in ours */
	if (o->sandbox || o->jobserver || o->shell ||
	    (o->envp && !strchr(o->argv[0], '/')))
		return -1;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	if (posix_spawnattr_init(&at) != 0)
		return -1;
	if (posix_spawn_file_actions_init(&fa) != 0) {
		posix_spawnattr_destroy(&at);
		return -1;
	}
	if (posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
				     POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) == 0 &&
	    posix_spawnattr_setpgroup(&at, 0) == 0 &&
	    posix_spawnattr_setsigmask(&at, &none) == 0 &&
	    posix_spawnattr_setsigdefault(&at, &dfl) == 0 &&
	    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) == 0 &&
	    spawn_output(&fa, o->out_fd) == 0 &&
	    (!o->cwd || posix_spawn_file_actions_addchdir_np(&fa, o->cwd) == 0))
		r = posix_spawnp(&pid, o->argv[0], &fa, &at, o->argv,
				 o->envp ? o->envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return r == 0 ? pid : -1;
}

int dkms_job_start(const struct dkms_run_opts *o, struct dkms_job **ret)
{
	struct dkms_job *job;
	pid_t pid;

	int rep[2] = { -1, -1 }, tok[2] = { -1, -1 };
	unsigned int timeout = o->timeout_sec;

	if (o->sandbox && !sandbox_on(o->sb))
		return -EOPNOTSUPP;
	if (!!o->argv == !!o->shell)
		return -EINVAL;
	if (o->sandbox && pipe2(rep, O_CLOEXEC) < 0)
		return -errno;
	if (o->jobserver && pipe2(tok, O_CLOEXEC) < 0) {
		close_pair(rep);
		return -errno;
	}
	job = calloc(1, sizeof(*job));
	if (!job) {
		close_pair(rep);
		close_pair(tok);
		return -ENOMEM;
	}
	job->status = -1;
	job->token_fd = -1;
	fflush(NULL);
	pid = spawn_tool(o);
	if (pid < 0)
		pid = o->sandbox ? sandbox_fork(o->sb) : fork();
	if (pid < 0) {
		int r = -errno;

		free(job);
		close_pair(rep);
		close_pair(tok);
		if (o->sandbox) {
			snprintf(o->sb->why, sizeof(o->sb->why),
				 "the kernel refuses new namespaces (clone: %s)",
				 strerror(-r));
			o->sb->off = true;
			return -EOPNOTSUPP;
		}
		return r;
	}
	if (pid == 0) {
		if (rep[0] >= 0)
			close(rep[0]);
		if (tok[0] >= 0)
			close(tok[0]);
		child_exec(o, rep[1], tok[1]);
	}
	/* Also from the parent, so the group exists before any kill. */
	setpgid(pid, pid);
	job->pid = pid;
	job->pidfd = pidfd_open_(pid);
	if (o->jobserver)
		job_token_wait(job, tok, o->jobserver[1]);
	if (o->sandbox) {
		int r;

		close(rep[1]);
		r = sandbox_read_report(o->sb, rep[0]);
		close(rep[0]);
		if (r < 0) {
			dkms_job_free(job);
			return -EOPNOTSUPP;
		}
		o->sb->used = true;
		if (!timeout)
			timeout = o->sb->time_limit;
	}
	if (timeout) {
		clock_gettime(CLOCK_MONOTONIC, &job->deadline);
		job->deadline.tv_sec += timeout;
	}
	*ret = job;
	return 0;
}

static void job_reap(struct dkms_job *job, bool block)
{
	int st;
	pid_t r;

	if (job->status >= 0)
		return;
	do
		r = waitpid(job->pid, &st, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r != job->pid)
		return;
	job->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	/* Leftover background children of the job go with it. */
	kill(-job->pid, SIGKILL);
	job_token_give(job);
	if (job->pidfd >= 0) {
		close(job->pidfd);
		job->pidfd = -1;
	}
}

static long ms_until(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (t->tv_sec - now.tv_sec) * 1000 +
	       (t->tv_nsec - now.tv_nsec) / 1000000;
}

static long min_wait(long a, long b)
{
	if (a < 0)
		return b;
	return b < a ? b : a;
}

/* A signal that ends us while we wait must end the jobs too: they run in
 * their own process groups, out of reach of the terminal's ^C.  So the
 * wait watches SIGINT/SIGTERM/SIGHUP/SIGQUIT on a signalfd; on one, every
 * job's group is killed and reaped, then the signal is raised again. */
static void kill_and_reraise(struct dkms_job *const *jobs, size_t n,
			     const sigset_t *old, int sfd, int signo)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (jobs[i]->status >= 0)
			continue;
		kill(-jobs[i]->pid, SIGKILL);
		job_reap(jobs[i], true);
	}
	close(sfd);
	sigprocmask(SIG_SETMASK, old, NULL);
	raise(signo);
}

static int wait_any(struct dkms_job *const *jobs, size_t n, int timeout_ms,
		    int sfd, const sigset_t *old)
{
	struct pollfd pfd[65];
	struct timespec until;
	size_t i;

	if (timeout_ms >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
	}
	for (;;) {
		long wait = -1;

		for (i = 0; i < n; i++) {
			struct dkms_job *j = jobs[i];

			job_reap(j, false);
			if (j->status >= 0)
				return (int)i;
			if (j->deadline.tv_sec) {
				long left = ms_until(&j->deadline);

				if (left <= 0) {
					kill(-j->pid, SIGKILL);
					j->timed_out = true;
					job_reap(j, true);
					return (int)i;
				}
				wait = min_wait(wait, left);
			}
			if (j->pidfd < 0) /* no pidfd: poll the old way */
				wait = min_wait(wait, 50);
			pfd[i].fd = j->pidfd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		pfd[n].fd = sfd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		if (timeout_ms >= 0) {
			long left = ms_until(&until);

			if (left <= 0)
				return -ETIMEDOUT;
			wait = min_wait(wait, left);
		}
		if (poll(pfd, n + 1, (int)wait) < 0 && errno != EINTR)
			return -errno;
		if (sfd >= 0 && (pfd[n].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				kill_and_reraise(jobs, n, old, sfd, (int)si.ssi_signo);
		}
	}
}

int dkms_job_wait_any(struct dkms_job *const *jobs, size_t n, int timeout_ms)
{
	sigset_t set, old;
	int sfd, r;

	if (n == 0 || n > 64)
		return -EINVAL;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &set, &old) < 0)
		return -errno;
	/* signals the caller already blocks stay the caller's */
	for (r = 1; r < NSIG; r++)
		if (sigismember(&old, r) == 1)
			sigdelset(&set, r);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	r = wait_any(jobs, n, timeout_ms, sfd, &old);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

int dkms_job_status(const struct dkms_job *job)
{
	return job->status;
}

bool dkms_job_timed_out(const struct dkms_job *job)
{
	return job->timed_out;
}

pid_t dkms_job_pid(const struct dkms_job *job)
{
	return job->pid;
}

void dkms_job_free(struct dkms_job *job)
{
	if (!job)
		return;
	if (job->status < 0) {
		kill(-job->pid, SIGKILL);
		job_reap(job, true);
	}
	if (job->pidfd >= 0)
		close(job->pidfd);
	free(job);
}

int dkms_run(const struct dkms_run_opts *o, int *status)
{
	struct dkms_job *job;
	int r;

	r = dkms_job_start(o, &job);
	if (r < 0)
		return r;
	r = dkms_job_wait_any(&job, 1, -1);
	if (r >= 0) {
		*status = job->status;
		r = 0;
	}
	dkms_job_free(job);
	return r;
}

static bool env_dropped(const char *e)
{
	static const char *const drop[] = { "CC=", "CXX=", "CFLAGS=",
					    "CXXFLAGS=", "LDFLAGS=" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(drop); i++)
		if (startswith(e, drop[i]))
			return true;
	return false;
}

static bool env_overridden(const char *e, char *const *add)
{
	size_t kl = strcspn(e, "=");

	for (; add && *add; add++)
		if (!strncmp(*add, e, kl) && (*add)[kl] == '=')
			return true;
	return false;
}

char **dkms_build_env(char *const *base, char *const *add)
{
	static char *const fallback[] = { (char *)"PATH=" DKMS_DEFAULT_PATH, NULL };
	size_t n = 0, m = 0, i;
	char **v;

	if (!base)
		base = fallback;
	for (i = 0; base[i]; i++)
		n++;
	for (i = 0; add && add[i]; i++)
		m++;
	v = calloc(n + m + 1, sizeof(*v));
	if (!v)
		return NULL;
	n = 0;
	for (i = 0; base[i]; i++) {
		if (env_dropped(base[i]) || env_overridden(base[i], add))
			continue;
		if (!(v[n++] = strdup(base[i])))
			goto oom;
	}
	for (i = 0; add && add[i]; i++)
		if (!(v[n++] = strdup(add[i])))
			goto oom;
	return v;
oom:
	strv_free(v);
	return NULL;
}
