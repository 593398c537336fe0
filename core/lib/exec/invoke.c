/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 3.4.3's invoke_command and run_build_script on top of the runner.
 * dkms evals these strings in a subshell of itself, so they see its shell
 * variables ($kernelver, $module, ...) without them being exported; we
 * give the child bash the same variables the same way.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"

static void shell_quote(struct strbuf *sb, const char *v)
{
	strbuf_addch(sb, '\'');
	for (; v && *v; v++) {
		if (*v == '\'')
			strbuf_adds(sb, "'\\''");
		else
			strbuf_addch(sb, *v);
	}
	strbuf_addch(sb, '\'');
}

static void set_var(struct strbuf *sb, const char *name, const char *v)
{
	strbuf_adds(sb, name);
	strbuf_addch(sb, '=');
	shell_quote(sb, v ? v : "");
	strbuf_addch(sb, '\n');
}

/* The script bash -c runs: dkms's variables, then the command. */
static char *shell_script(struct dkms_session *s, const struct dkms_op *op,
			  const char *cmd)
{
	struct strbuf sb = { 0 };
	_cleanup_free_ char *ksrc = NULL;

	if (op && op->kernelver)
		ksrc = kernel_source_dir(s, op->kernelver);
	if (op) {
		set_var(&sb, "module", op->module);
		set_var(&sb, "module_version", op->version);
		set_var(&sb, "kernelver", op->kernelver);
		set_var(&sb, "arch", op->arch);
	}
	set_var(&sb, "dkms_tree", dkms_tree(s));
	set_var(&sb, "source_tree", source_tree(s));
	set_var(&sb, "install_tree", install_tree(s));
	if (ksrc)
		set_var(&sb, "kernel_source_dir", ksrc);
	strbuf_adds(&sb, cmd);
	strbuf_addch(&sb, '\n');
	return strbuf_steal(&sb);
}

/* O_NOFOLLOW|O_NONBLOCK: the log is in a build dir a sandboxed build
 * owns, where it may have become a symlink or a fifo */
#define LOG_FLAGS (O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | \
		   O_NONBLOCK)

static void append_log(const char *path, const char *text)
{
	int fd = open(path, LOG_FLAGS, 0644);

	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0) {
		/* nothing better to do: the log is informational */
	}
	close(fd);
}

static bool dots_wanted(struct dkms_session *s, const struct dkms_op *op)
{
	/* 3.4.3 keeps its own test packages quiet (dkms*_test) */
	const char *m = op ? op->module : NULL;

	(void)s;
	return !(m && startswith(m, "dkms") && endswith(m, "_test"));
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void add_utf8(struct strbuf *sb, unsigned long c)
{
	if (c < 0x80) {
		strbuf_addch(sb, (char)c);
	} else if (c < 0x800) {
		strbuf_addch(sb, (char)(0xc0 | c >> 6));
		strbuf_addch(sb, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		strbuf_addch(sb, (char)(0xe0 | c >> 12));
		strbuf_addch(sb, (char)(0x80 | (c >> 6 & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | (c & 0x3f)));
	} else {
		strbuf_addch(sb, (char)(0xf0 | (c >> 18 & 0x07)));
		strbuf_addch(sb, (char)(0x80 | (c >> 12 & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | (c >> 6 & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | (c & 0x3f)));
	}
}

/* The escape at s (after its backslash) in bash's echo -e: its value in
 * *c, digits used in *len; false when s starts no numeric escape. */
static bool numeric_escape(const char *s, unsigned long *c, size_t *len)
{
	int base = *s == '0' ? 8 : 16, max = *s == '0' ? 3 : *s == 'x' ? 2 :
					    *s == 'u' ? 4 : 8, d;
	size_t n = 0;

	*c = 0;
	while ((int)n < max && (d = base == 8 ? (s[n + 1] >= '0' && s[n + 1] <= '7' ?
						   s[n + 1] - '0' : -1)
					     : hex_digit(s[n + 1])) >= 0) {
		*c = *c * (unsigned long)base + (unsigned long)d;
		n++;
	}
	*len = n;
	return base == 8 || n > 0;
}

/* s as bash's echo -e prints it: 3.4.3 shows its commands and their
 * descriptions that way, on stdout and in make.log.  False after \c,
 * which ends the output (the newline too). */
static bool echo_e(struct strbuf *sb, const char *s)
{
	static const char plain[] = "a\ab\be\033E\033f\fn\nr\rt\tv\v\\\\";
	const char *p;
	unsigned long c;
	size_t n;

	while (*s) {
		if (*s != '\\' || !s[1]) {
			strbuf_addch(sb, *s++);
			continue;
		}
		s++;
		if (*s == 'c')
			return false;
		p = strchr(plain, *s);
		if (p && (p - plain) % 2 == 0) {
			strbuf_addch(sb, p[1]);
			s++;
		} else if (strchr("0xuU", *s) && numeric_escape(s, &c, &n)) {
			if (*s == '0' || *s == 'x')
				strbuf_addch(sb, (char)c);
			else
				add_utf8(sb, c);
			s += 1 + n;
		} else {
			strbuf_addch(sb, '\\');
		}
	}
	return true;
}

/* printf(fmt) with arg echoed as by echo -e; nothing after a \c. */
static void print_echo_e(struct dkms_session *s, const char *fmt,
			 const char *arg)
{
	struct strbuf sb = { 0 };
	bool more = echo_e(&sb, arg);
	const char *end = strstr(fmt, "%s");

	if (!end)
		return;
	dkms_printf(s->ctx, DKMS_STDOUT, "%.*s%s%s", (int)(end - fmt), fmt,
		    strbuf_str(&sb), more ? end + 2 : "");
	strbuf_release(&sb);
}

void invoke_begin(struct dkms_session *s, const char *cmd, const char *desc)
{
	if (dkms_opt(s, DKMS_OPT_VERBOSE))
		print_echo_e(s, "%s\n", cmd);
	else
		print_echo_e(s, "%s...", desc);
}

void invoke_end(struct dkms_session *s, const char *cmd, int status)
{
	if (status > 0) {
		dkms_printf(s->ctx, DKMS_STDOUT, "(bad exit status: %d)", status);
		if (!dkms_opt(s, DKMS_OPT_VERBOSE))
			print_echo_e(s, "\nFailed command:\n%s\n", cmd);
	} else {
		dkms_echo(s, " done.");
	}
}

/* make.log's lines before a command, as 3.4.3's
 * echo ""; echo -e "$desc"; echo -e "# command: $cmd" */
static char *log_head(const char *desc, const char *cmd)
{
	struct strbuf sb = { 0 };

	strbuf_addch(&sb, '\n');
	if (echo_e(&sb, desc))
		strbuf_addch(&sb, '\n');
	strbuf_adds(&sb, "# command: ");
	if (echo_e(&sb, cmd))
		strbuf_addch(&sb, '\n');
	return strbuf_steal(&sb);
}

/* Module code runs sandboxed while a build has set s->sandbox.build; when the
 * kernel refuses the namespaces, once a warning and then without. */
static int start_job(struct dkms_session *s, const struct dkms_op *op,
		     struct dkms_run_opts *ro, struct dkms_job **job)
{
	const char *why;
	int r;

	if (op && s->sandbox.build && (why = sandbox_warning(s->sandbox.build)))
		dkms_warn(s, "Building without the sandbox: %s.", why);
	if (!op || !sandbox_on(s->sandbox.build))
		return dkms_job_start(ro, job);
	ro->sandbox = true;
	ro->sb = s->sandbox.build;
	r = dkms_job_start(ro, job);
	ro->sandbox = false;
	if (r != -EOPNOTSUPP)
		return r;
	ro->sb = NULL;
	sandbox_fall_back(s->sandbox.build);
	why = sandbox_warning(s->sandbox.build);
	if (why)
		dkms_warn(s, "Building without the sandbox: %s.", why);
	return dkms_job_start(ro, job);
}

/* A kill at a limit is ours (3.4.3 has none): stderr says so, as the
 * build fails, and the build report keeps it; make.log stays 3.4.3's. */
static void report_timeout(struct dkms_session *s, const char *desc)
{
	unsigned int sec = s->sandbox.build ? s->sandbox.build->time_limit : 0;

	build_report_add(s->report, "warning", "%s: the command was killed "
			 "after %u seconds (build_time_limit in framework.conf).",
			 desc, sec);
	dkms_warn(s, "The build was killed after %u seconds "
		  "(build_time_limit in framework.conf).", sec);
}

/* A failed sandboxed job may have run into the memory limit.  In a
 * cgroup the kernel counts its kills there, so we can say it did; an
 * rlimit leaves no trace, so the report only says what the limit was. */
static void note_limits(struct dkms_session *s, const char *desc)
{
	struct dkms_sandbox *sb = s->sandbox.build;

	if (!sb || !sb->mem_limit)
		return;
	if (sandbox_cgroup_oom(sb)) {
		build_report_add(s->report, "warning", "%s: the command ran out "
				 "of memory: the kernel killed it at the build "
				 "sandbox's memory limit of %llu MiB %s "
				 "(build_memory_limit in framework.conf).", desc,
				 sb->mem_limit >> 20, sandbox_memory_kind(sb));
		dkms_warn(s, "The build was killed at the sandbox's memory limit "
			  "of %llu MiB (build_memory_limit in framework.conf).",
			  sb->mem_limit >> 20);
	} else if (!sb->cg_version) {
		build_report_add(s->report, "warning", "%s: the command failed "
				 "in the build sandbox, which has a memory limit of "
				 "%llu MiB per process (build_memory_limit in "
				 "framework.conf).", desc, sb->mem_limit >> 20);
	}
}

int invoke_command(struct dkms_session *s, const struct dkms_op *op,
		   const char *cmd, const char *desc, const char *log_path,
		   const char *cwd, bool background)
{
	bool verbose = dkms_opt(s, DKMS_OPT_VERBOSE);
	struct dkms_run_opts ro = { 0 };
	/* build.c's make under the scheduler: shown as cmd, run as make_run */
	_cleanup_free_ char *script = shell_script(s, op, s->jobs.make_run ? s->jobs.make_run : cmd);
	char **env = dkms_build_env(dkms_ctx_environ(s->ctx), s->child_env);
	struct dkms_job *job = NULL;
	struct progress pg;
	struct timespec t0, t1;
	int fd = -1, status = 1, r;

	if (!script || !env) {
		strv_free(env);
		return -ENOMEM;
	}
	invoke_begin(s, cmd, desc);
	progress_begin(&pg, s, desc, background && !verbose && dots_wanted(s, op));
	if (log_path) {
		_cleanup_free_ char *head = log_head(desc, cmd);

		if (head)
			append_log(log_path, head);
		fd = open(log_path, LOG_FLAGS, 0644);
		ro.out_fd = fd >= 0 ? fd : DKMS_RUN_OUT_NULL;
	} else {
		ro.out_fd = background && !verbose ? DKMS_RUN_OUT_NULL
						   : DKMS_RUN_OUT_INHERIT;
	}
	ro.shell = script;
	ro.cwd = cwd;
	ro.envp = env;
	ro.jobserver = s->jobs.make_run && s->jobs.on ? s->jobs.fd : NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = start_job(s, op, &ro, &job);
	while (r == 0) {
		r = dkms_job_wait_any(&job, 1, progress_interval(&pg));
		if (r == -ETIMEDOUT) {
			progress_tick(&pg);
			r = 0;
			continue;
		}
		if (r >= 0) {
			status = dkms_job_status(job);
			if (dkms_job_timed_out(job))
				report_timeout(s, desc);
			else if (status && ro.sb)
				note_limits(s, desc);
			break;
		}
	}
	dkms_job_free(job);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (fd >= 0)
		close(fd);
	strv_free(env);
	if (log_path) {
		long sec = (long)(t1.tv_sec - t0.tv_sec);
		_cleanup_free_ char *tail = xasprintf(
			"\n# exit code: %d\n# elapsed time: %02ld:%02ld:%02ld\n"
			"----------------------------------------------------------------\n",
			status, sec / 3600 % 24, sec / 60 % 60, sec % 60);
		if (tail)
			append_log(log_path, tail);
	}
	if (!progress_end(&pg, status))
		invoke_end(s, cmd, status);
	return dkms_exit_to_errno(status);
}

/* `exec $run`: word splitting, no other expansion we support. */
static char **split_words(const char *s)
{
	char **v = calloc(strlen(s) / 2 + 2, sizeof(char *));
	size_t n = 0;

	if (!v)
		return NULL;
	while (*s) {
		size_t len;

		s += strspn(s, " \t\n");
		len = strcspn(s, " \t\n");
		if (!len)
			break;
		v[n++] = strndup(s, len);
		s += len;
	}
	return v;
}

static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISDIR(st.st_mode) &&
	       access(path, X_OK) == 0;
}

/* 3.4.3's `cd "$run_dir/"` before the script sets $PWD, which the
 * script's own pwd then reports (the source link, not its target). */
static int env_set_pwd(char ***env, const char *dir)
{
	char *pwd = xasprintf("PWD=%s", dir), **v = *env;
	size_t n;

	if (!pwd)
		return -ENOMEM;
	for (n = 0; v[n]; n++)
		if (startswith(v[n], "PWD=")) {
			free(v[n]);
			v[n] = pwd;
			return 0;
		}
	v = realloc(v, (n + 2) * sizeof(char *));
	if (!v) {
		free(pwd);
		return -ENOMEM;
	}
	v[n] = pwd;
	v[n + 1] = NULL;
	*env = v;
	return 0;
}

/* Start a PRE_INSTALL/POST_INSTALL/POST_ADD/POST_REMOVE job in sb; when
 * the sandbox is refused, one warning and then without. */
static int start_script(struct dkms_session *s, const char *type,
			struct dkms_sandbox *sb, struct dkms_run_opts *ro,
			struct dkms_job **job)
{
	const char *why;
	int r;

	if (sandbox_on(sb)) {
		ro->sandbox = true;
		ro->sb = sb;
		r = dkms_job_start(ro, job);
		ro->sandbox = false;
		if (r != -EOPNOTSUPP)
			return r;
		ro->sb = NULL;
		sandbox_fall_back(sb);
	}
	why = sandbox_warning(sb);
	if (why)
		dkms_warn(s, "Running the %s script without the sandbox: %s.",
			  type, why);
	return dkms_job_start(ro, job);
}

/* 3.4.3 runs these as root in the source dir (or /etc/dkms/<module>),
 * output to its own.  We run them the same way, but as the build
 * sandbox does (sandbox_new_script: nothing writable but a private /tmp,
 * no network, limits, nothing left running), unless framework.conf's
 * script_sandbox="no" lets a package that must act as root do so.  The
 * exit status is the script's, as 3.4.3 reports it. */
static int run_script(struct dkms_session *s, const struct dkms_op *op,
		      const char *type, struct dkms_run_opts *ro, int *status)
{
	struct dkms_sandbox *sb = NULL;
	struct dkms_job *job = NULL;
	int r;

	r = sandbox_new_script(s, ro->cwd, op->kernelver, &sb);
	if (r < 0)
		return r;
	*status = 1;
	if (sandbox_on(sb) && !sandbox_may_run(sb, ro->cwd, ro->argv[0])) {
		dkms_warn(s, "The %s script cannot be run by the sandbox user %u "
			  "(file modes); script_sandbox=\"no\" in framework.conf "
			  "runs it as root.", type, (unsigned int)sb->uid);
		sandbox_free(sb);
		*status = 126;
		return 0;
	}
	r = start_script(s, type, sb, ro, &job);
	while (r == 0) {
		r = dkms_job_wait_any(&job, 1, -1);
		if (r >= 0) {
			r = 0;
			*status = dkms_job_status(job);
			break;
		}
	}
	if (job && dkms_job_timed_out(job))
		dkms_warn(s, "The %s script was killed after %u seconds "
			  "(build_time_limit in framework.conf).", type,
			  sb->time_limit);
	else if (job && *status && ro->sb && sandbox_cgroup_oom(sb))
		dkms_warn(s, "The %s script was killed at the sandbox's memory "
			  "limit of %llu MiB (build_memory_limit in "
			  "framework.conf).", type, sb->mem_limit >> 20);
	dkms_job_free(job);
	sandbox_free(sb);
	return r;
}

int run_build_script(struct dkms_session *s, const struct dkms_op *op,
		     const char *type, const char *script,
		     const char *log_path)
{
	bool build = !strcmp(type, "pre_build") || !strcmp(type, "post_build");
	_cleanup_free_ char *run_dir = NULL, *run = NULL, *first = NULL;
	_cleanup_free_ char *override = NULL, *exe = NULL;
	const char *confdir = dkms_ctx_get_path(s->ctx, DKMS_PATH_CONF_DIR);
	int status = 0, r;

	if (!script || !*script)
		return 0;
	first = strndup(script, strcspn(script, " "));
	run_dir = tree_path(s, "%s/%s/%s", op->module, op->version,
			    build ? "build" : "source");
	override = first ? xasprintf("%s/%s/%s", confdir, op->module, first)
			 : NULL;
	if (!run_dir || !override)
		return -ENOMEM;
	if (executable(override)) {
		free(run_dir);
		run_dir = xasprintf("%s/%s", confdir, op->module);
	}
	run = xasprintf("%s/%s", run_dir, script);
	if (!run_dir || !run)
		return -ENOMEM;
	exe = strndup(run, strcspn(run, " "));
	if (!exe || !executable(exe)) {
		dkms_echo(s, "%s", "");
		dkms_warn(s, "The %s script is not executable.", type);
		return 0;
	}
	if (log_path) {
		_cleanup_free_ char *cmd = xasprintf("cd %s/ && %s", run_dir, run);
		_cleanup_free_ char *desc = xasprintf("Running the %s script", type);

		if (!cmd || !desc)
			return -ENOMEM;
		/* 3.4.3 exits with the script's status */
		r = invoke_command(s, op, cmd, desc, log_path, NULL, true);
		if (r)
			dkms_echo(s, "Consult %s for more information.", log_path);
		return r;
	} else {
		char **argv = split_words(run);
		char **env = dkms_build_env(dkms_ctx_environ(s->ctx), s->child_env);
		struct dkms_run_opts ro = { 0 };

		dkms_echo(s, "Running the %s script:", type);
		ro.argv = argv;
		ro.cwd = run_dir;
		ro.out_fd = DKMS_RUN_OUT_INHERIT;
		r = argv && env ? env_set_pwd(&env, run_dir) : -ENOMEM;
		ro.envp = env;
		if (r == 0)
			r = run_script(s, op, type, &ro, &status);
		strv_free(argv);
		strv_free(env);
		return r < 0 ? r : dkms_exit_to_errno(status);
	}
}

int dkms_post_transaction(struct dkms_session *s, const char *kernelver)
{
	_cleanup_free_ char *log = NULL, *cmd = NULL;
	int fd;

	if (!s->fw.post_transaction || !*s->fw.post_transaction)
		return 0;
	/* 3.4.3 sources the value while $kernelver is its first kernel */
	cmd = fw_expand(s->fw.post_transaction, kernelver ? kernelver : "");
	log = tree_path(s, "post_transaction.log");
	if (!log || !cmd)
		return -ENOMEM;
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	return invoke_command(s, NULL, cmd, "Executing post-transaction command",
			      log, NULL, true);
}

int run_capture(struct dkms_session *s, const char *script, char **ret,
		int *ret_status)
{
	char tmpl[] = "/tmp/dkms-capture.XXXXXX";
	struct dkms_run_opts ro = { 0 };
	char **env = dkms_build_env(dkms_ctx_environ(s->ctx), s->child_env);
	int fd = mkstemp(tmpl), status = 1, r;

	if (fd < 0 || !env) {
		if (fd >= 0)
			close(fd);
		strv_free(env);
		return -EIO;
	}
	unlink(tmpl);
	ro.shell = script;
	ro.envp = env;
	ro.out_fd = fd;
	ro.timeout_sec = 60;
	r = dkms_run(&ro, &status);
	strv_free(env);
	if (r == 0) {
		struct strbuf sb = { 0 };
		char buf[4096];
		ssize_t n;

		lseek(fd, 0, SEEK_SET);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			strbuf_add(&sb, buf, (size_t)n);
		*ret = strbuf_steal(&sb);
		if (ret_status)
			*ret_status = status;
	}
	close(fd);
	return r;
}
