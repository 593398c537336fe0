/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Evaluate dkms.conf files the way dkms 3.4.3 does, in a /bin/bash child:
 * each file is sourced in a subshell, every element of every conf variable
 * is printed back as NAME[i]="value" by an unquoted echo (so values are
 * word-split, globbed and, when that output is sourced, expanded a second
 * time), and the result is sourced in the parent shell.  The child sees
 * the variables dkms's own globals and read_conf's locals give a conf.
 *
 * The child is confined: of the environment dkms runs in it gets PATH
 * and a few harmless variables (conf_env_passed()), stdin /dev/null,
 * stdout discarded (dkms sends a conf's stdout to /dev/null), its own
 * process group killed at the time limit, a file size limit, and stderr
 * plus the answer capped.  The answer comes back as NUL-separated
 * NAME, index, value records on fd 3, which the conf itself never sees.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"

/* $1 strict, $2 kernelver, $3 arch, $4 module, $5 module_version,
 * $6 kernel_source_dir, $7 kernel_config, $8 dkms_tree, $9 source_tree,
 * $10 install_tree, $11 scratch dir, $12 distribution, $13 running kernel,
 * then the files to source. */
static const char driver[] =
	"shopt -s extglob\n"
	"readonly dkms_conf_variables=\"PACKAGE_NAME\n"
	"   PACKAGE_VERSION POST_ADD POST_BUILD POST_INSTALL POST_REMOVE PRE_BUILD\n"
	"   PRE_INSTALL BUILD_DEPENDS BUILD_EXCLUSIVE_ARCH BUILD_EXCLUSIVE_CONFIG\n"
	"   BUILD_EXCLUSIVE_KERNEL BUILD_EXCLUSIVE_KERNEL_MIN BUILD_EXCLUSIVE_KERNEL_MAX\n"
	"   build_exclude MAKE MAKE_MATCH\n"
	"   PATCH PATCH_MATCH patch_array BUILT_MODULE_NAME\n"
	"   built_module_name BUILT_MODULE_LOCATION built_module_location\n"
	"   DEST_MODULE_NAME dest_module_name\n"
	"   DEST_MODULE_LOCATION dest_module_location\n"
	"   STRIP strip AUTOINSTALL NO_WEAK_MODULES BUILD_DEPENDS_REBUILD\n"
	"\n"
	"   OBSOLETE_BY CLEAN\n"
	"   REMAKE_INITRD MODULES_CONF MODULES_CONF_OBSOLETES\n"
	"   MODULES_CONF_ALIAS_TYPE MODULES_CONF_OBSOLETE_ONLY\"\n"
	"show_deprecation_warnings=$1\n"
	"readonly dkms_framework_nonsigning_variables=\"source_tree dkms_tree install_tree tmp_location\n"
	"   verbose symlink_modules autoinstall_all_kernels modprobe_on_install parallel_jobs\n"
	"   compress_gzip_opts compress_xz_opts compress_zstd_opts build_environment post_transaction\"\n"
	"readonly dkms_framework_signing_variables=\"sign_file mok_signing_key mok_certificate\n"
	"   try_sign_modules\"\n"
	"readonly dkms_framework_post_transaction=\"post_transaction\"\n"
	"readonly mv_re='^([^/]*)/(.*)$'\n"
	"current_kernel=${13} current_os=Linux running_distribution=${12}\n"
	"dkms_tree=$8 source_tree=$9 install_tree=${10} tmp_location=/tmp\n"
	"verbose= symlink_modules= compress_gzip_opts=\n"
	"compress_xz_opts='--check=crc32 --lzma2=dict=1MiB' compress_zstd_opts='-q --rm -T0'\n"
	"addon_modules_dir= module=$4 module_version=$5 template_kernel= conf=\n"
	"kernel_config=$7 kconfig_fromcli= archive_location= kernel_source_dir=$6\n"
	"ksourcedir_fromcli= action= force= force_version_override= binaries_only=\n"
	"source_only= all= module_suffix= module_uncompressed_suffix=\n"
	"module_compressed_suffix= rpm_safe_upgrade=\n"
	"declare -a directive_array=() kernelver=() arch=()\n"
	"weak_modules_add= weak_modules_remove= last_mvka= last_mvka_conf=\n"
	"try_source_tree= die_is_fatal=yes no_depmod= delayed_depmod= prepared_kernel=none\n"
	"action_re='^(remove|(auto|un)?install|match|mktarball|(un)?build|add|status|ldtarball|generate_mok|kernel_(preinst|postinst|prerm))$'\n"
	"__dkms_scratch=${11} __dkms_count=0 __dkms_kv=$2 __dkms_arch=$3\n"
	/* safe_source: same locals, same subshell, same re-emission. */
	"__dkms_safe_source() {\n"
	"	local to_source_file\n"
	"	to_source_file=\"$1\"; shift\n"
	"	declare -a -r export_envs=( $@ )\n"
	"	local -r CR=$'\\r'\n"
	"	local tmpfile\n"
	"	tmpfile=$__dkms_scratch/source.$((++__dkms_count))\n"
	"	(\n"
	"		exec >\"$tmpfile\" 3>&-\n"
	"		. \"$to_source_file\" >/dev/null\n"
	"		local __n __i __v __d\n"
	"		local -a __ix\n"
	"		for __n in \"${export_envs[@]}\"; do\n"
	"			eval \"__ix=(\\\"\\${!$__n[@]}\\\")\"\n"
	"			for __i in \"${__ix[@]}\"; do\n"
	"				eval \"__v=\\${$__n[\\$__i]}\"\n"
	"				echo $__n[$__i]=\\\"${__v%$CR}\\\"\n"
	"			done\n"
	"		done\n"
	"		if compgen -v DKMS_DIRECTIVE >/dev/null ||\n"
	"		   compgen -A function DKMS_DIRECTIVE >/dev/null; then\n"
	"			for __d in $(set | grep ^DKMS_DIRECTIVE | cut -d = -f 2-3); do\n"
	"				echo \"${__d%%=*}=\\\"${__d#*=}\\\"\"\n"
	"			done\n"
	"		fi\n"
	"	)\n"
	"	. \"$tmpfile\"\n"
	"	(( show_deprecation_warnings )) || return\n"
	"	if (( ${#CLEAN[@]} )); then\n"
	"		case \"$CLEAN\" in\n"
	"		true|/bin/true|/usr/bin/true) ;;\n"
	"		*) __dkms_deprecated \"CLEAN ($to_source_file)\" ;;\n"
	"		esac\n"
	"	fi\n"
	"	for __n in REMAKE_INITRD MODULES_CONF MODULES_CONF_OBSOLETES\\\n"
	"		   MODULES_CONF_ALIAS_TYPE MODULES_CONF_OBSOLETE_ONLY; do\n"
	"		eval \"(( \\${#$__n[@]} ))\" && __dkms_deprecated \"$__n ($to_source_file)\"\n"
	"	done\n"
	"	(( ${#OBSOLETE_BY[@]} )) && __dkms_deprecated \"OBSOLETE_BY ($to_source_file): use BUILD_EXCLUSIVE_KERNEL_MAX instead\"\n"
	"	return 0\n"
	"}\n"
	"__dkms_deprecated() { echo \"Deprecated feature: $1\" >&2; }\n"
	/* read_conf up to the end of sourcing: same locals. */
	"__dkms_read_conf() {\n"
	"	local return_value read_conf_file\n"
	"	return_value=0\n"
	"	local kernelver arch\n"
	"	kernelver=\"$1\" arch=\"$2\"\n"
	"	read_conf_file=\"$3\"\n"
	"	for var in $dkms_conf_variables; do unset \"$var\"; done\n"
	"	local _conf_file\n"
	"	for _conf_file in \"${@:3}\"; do\n"
	"		[[ -e $_conf_file ]] && __dkms_safe_source \"$_conf_file\" \"$dkms_conf_variables\"\n"
	"	done\n"
	"	local __n __i __ix\n"
	"	for __n in $dkms_conf_variables; do\n"
	"		eval \"__ix=(\\\"\\${!$__n[@]}\\\")\"\n"
	"		for __i in \"${__ix[@]}\"; do\n"
	"			eval \"printf '%s\\\\0%s\\\\0%s\\\\0' \\\"\\$__n\\\" \\\"\\$__i\\\" \\\"\\${$__n[\\$__i]}\\\"\" >&3\n"
	"		done\n"
	"	done\n"
	"	printf 'END\\0' >&3\n"
	"}\n"
	"shift 13\n"
	"__dkms_read_conf \"$__dkms_kv\" \"$__dkms_arch\" \"$@\"\n";

struct child {
	pid_t pid;
	int err_fd;
	int rec_fd;
};

static int finish(struct child *c);

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

static const char *dir_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash)
		return ".";
	n = (size_t)(slash - path);
	if (n == 0)
		return "/";
	if (n >= size)
		return ".";
	memcpy(buf, path, n);
	buf[n] = '\0';
	return buf;
}

/* In the child between fork and exec: only async-signal-safe calls. */
static _Noreturn void child_exec(char **argv, char **envp, const char *cwd,
				 int err_fd, int rec_fd,
				 const struct dkms_sandbox *sb, int sb_fd)
{
	struct rlimit fsize = { 64u << 20, 64u << 20 };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int null_fd, sig;

	setsid();
	/* Dispositions the caller ignores would survive exec. */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Out of the way of 0-3 first: the caller may run with 0-2 closed. */
	err_fd = fcntl(err_fd, F_DUPFD_CLOEXEC, 10);
	rec_fd = fcntl(rec_fd, F_DUPFD_CLOEXEC, 10);
	if (sb)
		sb_fd = fcntl(sb_fd, F_DUPFD_CLOEXEC, 10);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (err_fd < 0 || rec_fd < 0 || null_fd < 0 || dup2(null_fd, 0) < 0 ||
	    dup2(null_fd, 1) < 0 || dup2(err_fd, 2) < 0 || dup2(rec_fd, 3) < 0)
		_exit(127);
	/* A conf writing a huge temporary file dies of SIGXFSZ. */
	setrlimit(RLIMIT_FSIZE, &fsize);
	if (chdir(cwd) < 0 && chdir("/") < 0)
		_exit(127);
	/* sandbox.c: namespaces, read-only system, unprivileged uid */
	if (sb)
		sandbox_enter(sb, sb_fd);
	execve(DKMS_BASH, argv, envp);
	_exit(127);
}

/* 3.4.3 sources a dkms.conf with its whole environment.  Ours gets what
 * decides how the tools a conf runs speak and count (the locale: find's
 * quotes, sort's order; TZ; nproc's OMP_*) and who and where it is
 * (HOME, USER, LOGNAME, TERM), not the rest, which may carry secrets
 * into code that comes with a module source.  PATH comes apart. */
bool conf_env_passed(const char *e)
{
	static const char *const names[] = { "LANG=", "LANGUAGE=", "LOCPATH=",
		"TZ=", "HOME=", "USER=", "LOGNAME=", "TERM=", "OMP_NUM_THREADS=",
		"OMP_THREAD_LIMIT=" };
	size_t i;

	if (startswith(e, "LC_") && strchr(e, '='))
		return true;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (startswith(e, names[i]))
			return true;
	return false;
}

/* PATH, then the passed variables; envp[0] is PATH's own string. */
static char **conf_env(const struct conf_eval *ev)
{
	size_t n = 0, i, k = 1;
	char **envp;

	while (ev->env && ev->env[n])
		n++;
	envp = calloc(n + 2, sizeof(*envp));
	if (!envp)
		return NULL;
	envp[0] = xasprintf("PATH=%s", ev->path ? ev->path : DKMS_DEFAULT_PATH);
	if (!envp[0]) {
		free(envp);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (conf_env_passed(ev->env[i]))
			envp[k++] = ev->env[i];
	return envp;
}

static void conf_env_free(char **envp)
{
	if (envp)
		free(envp[0]);
	free(envp);
}

static int spawn(struct conf_eval *ev, const char *scratch, struct child *c,
		 struct dkms_sandbox *sb)
{
	int sbp[2] = { -1, -1 };
	char strict[2] = { ev->strict ? '1' : '0', '\0' };
	_cleanup_free_ const char **argv = NULL;
	char **envp = NULL;
	char cwdbuf[4096];
	const char *cwd = dir_of(ev->files[0], cwdbuf, sizeof(cwdbuf));
	int errp[2], recp[2];
	size_t i, n = 0;

	argv = calloc(20 + ev->nfiles, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	argv[n++] = "bash";
	argv[n++] = "--norc";
	argv[n++] = "--noprofile";
	argv[n++] = "-c";
	argv[n++] = driver;
	argv[n++] = "dkms";
	argv[n++] = strict;
	argv[n++] = ev->kernelver;
	argv[n++] = ev->arch;
	argv[n++] = ev->module ? ev->module : "";
	argv[n++] = ev->module_version ? ev->module_version : "";
	argv[n++] = ev->kernel_source_dir;
	argv[n++] = ev->kernel_config;
	argv[n++] = ev->dkms_tree;
	argv[n++] = ev->source_tree;
	argv[n++] = ev->install_tree;
	argv[n++] = scratch;
	argv[n++] = ev->distribution ? ev->distribution : "";
	argv[n++] = ev->current_kernel ? ev->current_kernel : "";
	for (i = 0; i < ev->nfiles; i++)
		argv[n++] = ev->files[i];
	argv[n] = NULL;
	envp = conf_env(ev);
	if (!envp)
		return -ENOMEM;

	if (sb && pipe2(sbp, O_CLOEXEC) < 0) {
		int r = -errno;

		conf_env_free(envp);
		return r;
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		int r = -errno;

		close_pair(sbp);
		conf_env_free(envp);
		return r;
	}
	if (pipe2(recp, O_CLOEXEC) < 0) {
		int r = -errno;

		close(errp[0]);
		close(errp[1]);
		close_pair(sbp);
		conf_env_free(envp);
		return r;
	}
	c->pid = sb ? sandbox_fork(sb) : fork();
	if (c->pid == 0) {
		if (sb)
			close(sbp[0]);
		child_exec((char **)argv, envp, cwd, errp[1], recp[1], sb, sbp[1]);
	}
	conf_env_free(envp);
	close(errp[1]);
	close(recp[1]);
	if (c->pid < 0) {
		int r = -errno;

		close(errp[0]);
		close(recp[0]);
		close_pair(sbp);
		if (sb) {
			snprintf(sb->why, sizeof(sb->why), "the kernel refuses "
				 "new namespaces (clone: %s)", strerror(-r));
			return -EOPNOTSUPP;
		}
		return r;
	}
	c->err_fd = errp[0];
	c->rec_fd = recp[0];
	if (sb) {
		int r;

		close(sbp[1]);
		r = sandbox_read_report(sb, sbp[0]);
		close(sbp[0]);
		if (r < 0) {
			finish(c);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool child_exited(pid_t pid)
{
	siginfo_t si = { 0 };

	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid == pid;
}

/* Collect stderr and the answer until both close, the time limit, or the
 * output limit.  Background jobs a conf leaves behind do not hold us: once
 * bash is gone we drain briefly and kill its process group. */
static int collect(struct conf_eval *ev, struct child *c, struct strbuf *rec)
{
	long long deadline = now_ms() + ev->timeout_ms, exited_at = -1;
	struct pollfd pfd[2] = { { c->err_fd, POLLIN, 0 }, { c->rec_fd, POLLIN, 0 } };
	struct strbuf *dst[2] = { &ev->err, rec };
	int open_fds = 2;

	while (open_fds > 0) {
		long long now = now_ms(), wait_ms = deadline - now;
		char buf[65536];
		int i, ready;

		if (wait_ms <= 0)
			return -ETIMEDOUT;
		if (exited_at < 0 && child_exited(c->pid))
			exited_at = now;
		if (exited_at >= 0) {
			if (now - exited_at > 200)
				break;
			wait_ms = 50;
		} else if (wait_ms > 100) {
			wait_ms = 100;
		}
		ready = poll(pfd, 2, (int)wait_ms);
		if (ready < 0 && errno != EINTR)
			return -errno;
		for (i = 0; ready > 0 && i < 2; i++) {
			ssize_t n;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			n = read(pfd[i].fd, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				pfd[i].fd = -1;
				open_fds--;
				continue;
			}
			if (ev->err.len + rec->len + (size_t)n > ev->output_limit)
				return -EFBIG;
			if (strbuf_add(dst[i], buf, (size_t)n) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int finish(struct child *c)
{
	int status = 0;

	kill(-c->pid, SIGKILL);
	close(c->err_fd);
	close(c->rec_fd);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static int parse_long(const char *s, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return -EPROTO;
	*ret = v;
	return 0;
}

/* NAME\0INDEX\0VALUE\0 ... END\0 */
static int parse_records(struct conf_eval *ev, const char *p, size_t len)
{
	const char *end = p + len;

	while (p < end) {
		const char *name = p, *idx, *val;
		long index;

		if (!memchr(p, '\0', (size_t)(end - p)))
			return -EPROTO;
		if (!strcmp(name, "END"))
			return p + 4 == end ? 0 : -EPROTO;
		idx = name + strlen(name) + 1;
		if (idx >= end || !memchr(idx, '\0', (size_t)(end - idx)))
			return -EPROTO;
		val = idx + strlen(idx) + 1;
		if (val >= end || !memchr(val, '\0', (size_t)(end - val)))
			return -EPROTO;
		if (!conf_is_variable(name) || parse_long(idx, &index) < 0)
			return -EPROTO;
		if (varset_assign(&ev->vars, name, index, val) < 0)
			return -ENOMEM;
		p = val + strlen(val) + 1;
	}
	return -EPROTO;
}

/* What of a conf file the sandbox sees: its whole dir when anyone may
 * list it, since a glob in the conf expands in that dir (3.4.3 sources the
 * conf from there); else the file alone (a 0700 scratch dir, which the
 * sandbox uid could not enter anyway). */
static char *conf_visible(const char *file)
{
	const char *slash = strrchr(file, '/');
	struct stat st;
	char *dir;

	if (!slash || slash == file)
		return strdup(file);
	dir = strndup(file, (size_t)(slash - file));
	if (dir && stat(dir, &st) == 0 &&
	    (st.st_mode & (S_IROTH | S_IXOTH)) == (S_IROTH | S_IXOTH))
		return dir;
	free(dir);
	return strdup(file);
}

/* The conf and its overrides, the trees and the kernel's headers stay
 * visible; only the scratch dir, handed to the sandbox uid, is
 * writable. */
static int conf_sandbox(struct conf_eval *ev, const char *scratch,
			struct dkms_sandbox **ret)
{
	const char *vis[16];
	char *own[8] = { NULL };
	size_t n = 0, i, nown = 0;
	int r;

	*ret = NULL;
	if (!ev->sandbox)
		return 0;
	for (i = 0; i < ev->nfiles && i < 8; i++)
		if (access(ev->files[i], F_OK) == 0 &&
		    (own[nown] = conf_visible(ev->files[i])))
			vis[n++] = own[nown++];
	vis[n++] = ev->dkms_tree;
	vis[n++] = ev->source_tree;
	vis[n++] = ev->install_tree;
	vis[n++] = ev->kernel_source_dir;
	for (i = 0; i < n; i++)
		if (!vis[i])
			vis[i] = "";
	r = sandbox_new_conf(scratch, vis, n, ev->path, ret);
	for (i = 0; i < nown; i++)
		free(own[i]);
	if (r < 0)
		return r;
	(*ret)->keep_fds = 4; /* 3: the answer */
	r = sandbox_give(*ret, scratch);
	if (r < 0) {
		snprintf(ev->sandbox_why, sizeof(ev->sandbox_why),
			 "cannot hand the scratch dir to the sandbox: %s",
			 strerror(-r));
		*ret = sandbox_free(*ret);
	}
	return 0;
}

int conf_eval_bash(struct conf_eval *ev)
{
	_cleanup_free_ char *scratch = NULL;
	struct strbuf rec = { 0 };
	struct dkms_sandbox *sb = NULL;
	struct child c;
	int r, status;

	scratch = xasprintf("%s/dkms-conf.XXXXXX", ev->tmp_dir ? ev->tmp_dir : "/tmp");
	if (!scratch)
		return -ENOMEM;
	if (!mkdtemp(scratch))
		return -errno;
	r = conf_sandbox(ev, scratch, &sb);
	if (r == 0)
		r = spawn(ev, scratch, &c, sb);
	if (r == -EOPNOTSUPP && sb) {
		snprintf(ev->sandbox_why, sizeof(ev->sandbox_why), "%s", sb->why);
		r = spawn(ev, scratch, &c, NULL);
	}
	sb = sandbox_free(sb);
	if (r == 0) {
		r = collect(ev, &c, &rec);
		status = finish(&c);
		if (r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127 &&
		    rec.len == 0)
			r = -ENOEXEC;
		if (r == 0)
			r = parse_records(ev, rec.buf ? rec.buf : "", rec.len);
	}
	strbuf_release(&rec);
	rm_rf(scratch);
	return r;
}
