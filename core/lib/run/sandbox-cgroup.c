/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sandbox's memory limit for a whole build: RLIMIT_AS bounds each
 * process's address space, not what make and its compilers hold together
 * (nor page-cache-free memory-hungry builds that map a lot and touch
 * little).  When the machine lets us, the jobs of a sandbox go into a
 * cgroup of their own whose memory.max is the limit (and pids.max bounds
 * a fork bomb); the kernel then kills inside it at the limit, and counts
 * it, so the log can say so.
 *
 * cgroup v2 is used when the memory controller is delegated to the
 * children of our own cgroup or of the hierarchy's root; else the v1
 * memory (and pids) hierarchy when mounted and writable; else nothing,
 * and the jobs keep RLIMIT_AS (sandbox.c).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "run/run.h"

#define PIDS_MAX "4096"

struct cg_mount {
	char *dir;  /* the mount point */
	char *root; /* the hierarchy path mounted there */
};

static void cg_mount_clear(struct cg_mount *m)
{
	free(m->dir);
	free(m->root);
	m->dir = m->root = NULL;
}

/* name is one of the words of list, separated by any of seps */
static bool has_word(const char *list, const char *name, const char *seps)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; p && *p; p += strcspn(p, seps), p += *p ? 1 : 0)
		if (!strncmp(p, name, n) && (p[n] == '\0' || strchr(seps, p[n])))
			return true;
	return false;
}

/* the options of a mount (mountinfo), the controllers of a v1 line of
 * /proc/self/cgroup: comma-separated */
static bool has_option(const char *opts, const char *name)
{
	return has_word(opts, name, ",\n");
}

static int find_mount(const char *controller, struct cg_mount *m)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char root[512], dir[512], fstype[32], opts[512];
		const char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %511s %511s", root, dir) != 2 ||
		    sscanf(dash, " - %31s %*s %511s", fstype, opts) != 2)
			continue;
		if (*controller ? strcmp(fstype, "cgroup") || !has_option(opts, controller)
				: strcmp(fstype, "cgroup2"))
			continue;
		m->dir = strdup(dir);
		m->root = strdup(root);
		fclose(f);
		return m->dir && m->root ? 0 : -ENOMEM;
	}
	fclose(f);
	return -ENOENT;
}

/* Our cgroup in the hierarchy carrying controller ("": the v2 one). */
static char *own_cgroup(const char *controller)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	char *ret = NULL;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return NULL;
	while (!ret && getline(&line, &cap, f) > 0) {
		char *c = strchr(line, ':'), *p = c ? strchr(c + 1, ':') : NULL;

		if (!p)
			continue;
		*p++ = '\0';
		p[strcspn(p, "\n")] = '\0';
		c++;
		if (*controller ? has_option(c, controller)
				: !strcmp(line, "0") && !*c)
			ret = strdup(p);
	}
	fclose(f);
	return ret;
}

/* The directory of cgroup path cg under mount m. */
static char *cg_dir(const struct cg_mount *m, const char *cg)
{
	size_t n = strlen(m->root);

	if (!strcmp(m->root, "/"))
		return xasprintf("%s%s", m->dir, strcmp(cg, "/") ? cg : "");
	if (strncmp(cg, m->root, n) || (cg[n] != '/' && cg[n] != '\0'))
		return NULL;
	return xasprintf("%s%s", m->dir, cg + n);
}

static int write_at(const char *dir, const char *file, const char *v)
{
	_cleanup_free_ char *p = path_join(dir, file);
	int fd, r = 0;

	if (!p)
		return -ENOMEM;
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, v, strlen(v)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static bool file_has_word(const char *dir, const char *file, const char *word)
{
	_cleanup_free_ char *p = path_join(dir, file), *text = NULL;
	size_t len;

	if (!p || read_file(p, &text, &len) < 0)
		return false;
	return has_word(text, word, " \n");
}

/* A dkms killed before it removed its cgroup leaves it, empty (its
 * processes died with the sandbox): remove those of dead dkms. */
static void remove_stale(const char *parent)
{
	DIR *d = opendir(parent);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int pid;

		if (sscanf(de->d_name, "dkms-sandbox-%d-", &pid) != 1 || pid <= 0)
			continue;
		if (kill(pid, 0) < 0 && errno == ESRCH)
			unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

/* A fresh child of parent: dkms-sandbox-<pid>-<ns>. */
static char *make_child(const char *parent)
{
	struct timespec ts;
	int i;

	for (i = 0; i < 8; i++) {
		char *d;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		d = xasprintf("%s/dkms-sandbox-%d-%ld", parent, (int)getpid(),
			      (long)ts.tv_nsec + i);
		if (!d)
			return NULL;
		if (mkdir(d, 0755) == 0)
			return d;
		free(d);
		if (errno != EEXIST)
			return NULL;
	}
	return NULL;
}

static void kill_members(const char *dir)
{
	_cleanup_free_ char *p = path_join(dir, "cgroup.procs");
	char buf[32];
	FILE *f = p ? fopen(p, "re") : NULL;

	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		int pid = atoi(buf);

		if (pid > 1)
			kill(pid, SIGKILL);
	}
	fclose(f);
}

/* Empty the cgroup and remove it; killed processes take a moment to
 * leave, so a few tries. */
static void remove_dir(char *dir)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	if (!dir)
		return;
	if (write_at(dir, "cgroup.kill", "1") < 0)
		kill_members(dir);
	for (i = 0; i < 100; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			break;
		if (errno != EBUSY)
			break;
		if (i % 10 == 9)
			kill_members(dir);
		nanosleep(&ts, NULL);
	}
	free(dir);
}

/* The v2 parents whose children may get the memory controller: ours,
 * then the hierarchy's root. */
static void v2_places(struct cg_places *p)
{
	struct cg_mount m = { 0 };
	_cleanup_free_ char *own = own_cgroup("");
	const char *cands[2] = { own, "/" };
	int i, n = 0;

	if (!own || find_mount("", &m) < 0) {
		cg_mount_clear(&m);
		return;
	}
	for (i = 0; i < 2; i++) {
		char *parent = cg_dir(&m, cands[i]);

		if (parent && file_has_word(parent, "cgroup.subtree_control", "memory"))
			p->v2[n++] = parent;
		else
			free(parent);
	}
	cg_mount_clear(&m);
}

/* Our own cgroup in the v1 hierarchy of controller. */
static char *v1_place(const char *controller)
{
	struct cg_mount m = { 0 };
	_cleanup_free_ char *own = own_cgroup(controller);
	char *parent = NULL;

	if (own && find_mount(controller, &m) == 0)
		parent = cg_dir(&m, own);
	cg_mount_clear(&m);
	return parent;
}

void sandbox_cgroup_places(struct cg_places *p)
{
	int i;

	sandbox_cgroup_places_clear(p);
	v2_places(p);
	/* v1 too: a v2 parent may still refuse the limit */
	p->v1_mem = v1_place("memory");
	p->v1_pids = p->v1_mem ? v1_place("pids") : NULL;
	for (i = 0; i < 2; i++)
		if (p->v2[i])
			remove_stale(p->v2[i]);
	if (p->v1_mem)
		remove_stale(p->v1_mem);
	if (p->v1_pids)
		remove_stale(p->v1_pids);
	p->done = true;
}

void sandbox_cgroup_places_clear(struct cg_places *p)
{
	free(p->v2[0]);
	free(p->v2[1]);
	free(p->v1_mem);
	free(p->v1_pids);
	memset(p, 0, sizeof(*p));
}

static int try_v2(struct dkms_sandbox *sb, const struct cg_places *p,
		  const char *limit)
{
	int i;

	for (i = 0; i < 2 && p->v2[i] && !sb->cg_mem; i++) {
		char *d = make_child(p->v2[i]);

		if (!d)
			continue;
		if (write_at(d, "memory.max", limit) < 0) {
			remove_dir(d);
			continue;
		}
		/* the limit is the build's memory, not memory plus swap */
		write_at(d, "memory.swap.max", "0");
		write_at(d, "pids.max", PIDS_MAX);
		sb->cg_mem = d;
		sb->cg_version = 2;
	}
	return sb->cg_mem ? 0 : -ENOENT;
}

static int try_v1(struct dkms_sandbox *sb, const struct cg_places *p,
		  const char *limit)
{
	char *d = p->v1_mem ? make_child(p->v1_mem) : NULL;

	if (!d)
		return -ENOENT;
	if (write_at(d, "memory.limit_in_bytes", limit) < 0) {
		remove_dir(d);
		return -EIO;
	}
	write_at(d, "memory.memsw.limit_in_bytes", limit);
	sb->cg_mem = d;
	sb->cg_version = 1;
	sb->cg_pids = p->v1_pids ? make_child(p->v1_pids) : NULL;
	if (sb->cg_pids && write_at(sb->cg_pids, "pids.max", PIDS_MAX) < 0) {
		remove_dir(sb->cg_pids);
		sb->cg_pids = NULL;
	}
	return 0;
}

void sandbox_cgroup_create(struct dkms_sandbox *sb, const struct cg_places *places)
{
	struct cg_places own = { 0 };
	char limit[32];

	if (!sb->mem_limit || sb->cg_mem)
		return;
	if (!places || !places->done) {
		sandbox_cgroup_places(&own);
		places = &own;
	}
	snprintf(limit, sizeof(limit), "%llu", sb->mem_limit);
	if (try_v2(sb, places, limit) < 0)
		try_v1(sb, places, limit);
	sandbox_cgroup_places_clear(&own);
}

void sandbox_cgroup_remove(struct dkms_sandbox *sb)
{
	remove_dir(sb->cg_mem);
	remove_dir(sb->cg_pids);
	sb->cg_mem = sb->cg_pids = NULL;
	sb->cg_version = 0;
}

/*
 * Move the calling thread into dir.  On v1 through "tasks": the child is
 * still one thread (what it forks later follows it), and moving a thread
 * of one's own skips the write lock of the threadgroup rwsem that
 * "cgroup.procs" takes, whose first taking waits for an RCU grace period
 * (8-12 ms, at the start of every build).  v2 has only cgroup.procs for a
 * domain cgroup.
 */
static int join_one(const char *dir, int version)
{
	if (version == 1 && write_at(dir, "tasks", "0") == 0)
		return 0;
	return write_at(dir, "cgroup.procs", "0");
}

/* In the child, still root, one thread, before its mounts: into the
 * cgroup(s). */
int sandbox_cgroup_join(const struct dkms_sandbox *sb)
{
	if (!sb->cg_mem)
		return -ENOENT;
	if (join_one(sb->cg_mem, sb->cg_version) < 0)
		return -1;
	if (sb->cg_pids)
		join_one(sb->cg_pids, sb->cg_version);
	return 0;
}

static unsigned long long oom_kills(const struct dkms_sandbox *sb)
{
	_cleanup_free_ char *p = path_join(sb->cg_mem, sb->cg_version == 2 ?
					   "memory.events" : "memory.oom_control");
	_cleanup_free_ char *text = NULL;
	const char *k;
	size_t len;

	if (!p || read_file(p, &text, &len) < 0)
		return 0;
	for (k = text; (k = strstr(k, "oom_kill ")); k++)
		if (k == text || k[-1] == '\n')
			return strtoull(k + 9, NULL, 10);
	return 0;
}

bool sandbox_cgroup_oom(struct dkms_sandbox *sb)
{
	unsigned long long n;

	if (!sb || !sb->cg_mem)
		return false;
	n = oom_kills(sb);
	if (n <= sb->cg_ooms)
		return false;
	sb->cg_ooms = n;
	return true;
}

const char *sandbox_memory_kind(const struct dkms_sandbox *sb)
{
	switch (sb->cg_version) {
	case 2:
		return "for the whole build (cgroup v2 memory.max)";
	case 1:
		return "for the whole build (cgroup v1 memory.limit_in_bytes)";
	default:
		return "per process (RLIMIT_AS: no writable cgroup with a memory controller)";
	}
}
