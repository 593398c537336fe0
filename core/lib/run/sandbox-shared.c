/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every build sandbox of one dkms run shares, looked up once: the
 * sandbox user (an NSS lookup, which may ask systemd-userdbd), where the
 * memory cgroups go (mountinfo and our own cgroup, parsed), and an empty
 * network namespace for the builds to join.
 *
 * A parallel autoinstall starts its builds from forked children: what
 * the parent looked up before forking (sandbox_prepare, called by the
 * scheduler) each child has for free; a lone build looks it up itself,
 * as before.  Creating a network namespace costs a third of a
 * millisecond and its teardown a kernel worker's time, per build;
 * joining one costs nothing.  Builds that share it see the same down
 * loopback and no other interface, as each did with its own.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/run.h"

struct sandbox_shared {
	bool user_done;
	int user_r;
	uid_t uid;
	gid_t gid;
	struct cg_places cg;
	int netns_fd; /* -1: none (each sandbox makes its own) */
};

/* "dkms" when that user exists, else nobody/nogroup (65534); a uid
 * number as given; a name that is not a user (or is root): -ESRCH. */
int sandbox_user_lookup(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	char *end;
	unsigned long n;

	if (name && *name) {
		errno = 0;
		n = strtoul(name, &end, 10);
		if (!*end && !errno && n > 0 && n < 65535 * 65536ul) {
			*uid = (uid_t)n;
			*gid = (gid_t)n;
			return 0;
		}
		pw = getpwnam(name);
		if (!pw || pw->pw_uid == 0)
			return -ESRCH;
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return 0;
	}
	pw = getpwnam("dkms");
	if (pw && pw->pw_uid != 0) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return 0;
	}
	*uid = 65534;
	*gid = 65534;
	return 0;
}

static struct sandbox_shared *shared(struct dkms_session *s)
{
	if (!s->sandbox.shared) {
		s->sandbox.shared = calloc(1, sizeof(*s->sandbox.shared));
		if (s->sandbox.shared)
			s->sandbox.shared->netns_fd = -1;
	}
	return s->sandbox.shared;
}

int sandbox_shared_user(struct dkms_session *s, uid_t *uid, gid_t *gid)
{
	struct sandbox_shared *sh = shared(s);

	if (!sh)
		return sandbox_user_lookup(s->fw.build_sandbox_user, uid, gid);
	if (!sh->user_done) {
		sh->user_r = sandbox_user_lookup(s->fw.build_sandbox_user,
						 &sh->uid, &sh->gid);
		sh->user_done = true;
	}
	*uid = sh->uid;
	*gid = sh->gid;
	return sh->user_r;
}

const struct cg_places *sandbox_shared_cgroups(struct dkms_session *s)
{
	struct sandbox_shared *sh = shared(s);

	if (!sh)
		return NULL;
	if (!sh->cg.done)
		sandbox_cgroup_places(&sh->cg);
	return &sh->cg;
}

int sandbox_shared_netns(struct dkms_session *s)
{
	return s->sandbox.shared ? s->sandbox.shared->netns_fd : -1;
}

/* A new network namespace, held by an fd: a child enters it and waits
 * until we have opened it. */
static int new_netns(void)
{
	char path[64], c;
	int p[2], fd, e;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = (pid_t)syscall(SYS_clone, SIGCHLD | CLONE_NEWNET, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	e = errno;
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return -e;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	e = errno;
	close(p[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd < 0 ? -e : fd;
}

void sandbox_prepare(struct dkms_session *s)
{
	struct sandbox_shared *sh;
	uid_t uid;
	gid_t gid;

	if (sandbox_disabled(s) || geteuid() != 0 || !(sh = shared(s)))
		return;
	(void)sandbox_shared_user(s, &uid, &gid);
	(void)sandbox_shared_cgroups(s);
	if (sh->netns_fd < 0) {
		int fd = new_netns();

		sh->netns_fd = fd < 0 ? -1 : fd;
	}
}

void sandbox_shared_free(struct sandbox_shared *sh)
{
	if (!sh)
		return;
	sandbox_cgroup_places_clear(&sh->cg);
	if (sh->netns_fd >= 0)
		close(sh->netns_fd);
	free(sh);
}
