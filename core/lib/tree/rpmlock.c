/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --rpm_safe_upgrade: during an rpm upgrade the new package's %post adds
 * the new version before the old package's %preun removes the old one;
 * when both are the same module/version the removal must not happen.
 * add leaves <tmp>/dkms_rpm_safe_upgrade_lock.<pppid>.XXXXXX holding
 * "<m>-<v>" and the start time of our grandparent (the rpm process) as
 * `ps -o lstart` prints it; remove finds it and stops (3.4.3's scheme).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tree/tree.h"

/* PPid of our parent (bash's $PPID is dkms's parent) */
static long grandparent(void)
{
	_cleanup_free_ char *path = xasprintf("/proc/%ld/status", (long)getppid());
	_cleanup_free_ char *text = NULL;
	char *p;

	if (!path || read_file(path, &text, NULL) < 0)
		return -1;
	p = strstr(text, "\nPPid:");
	return p ? strtol(p + 6, NULL, 10) : -1;
}

/* ps -o lstart: "%a %b %e %H:%M:%S %Y" of the process start */
static char *start_time(long pid)
{
	_cleanup_free_ char *path = xasprintf("/proc/%ld/stat", pid);
	_cleanup_free_ char *stat = NULL, *up = NULL;
	unsigned long long ticks = 0;
	char buf[64], *p;
	struct tm tm;
	time_t t;
	int i;

	if (!path || read_file(path, &stat, NULL) < 0 ||
	    read_file("/proc/uptime", &up, NULL) < 0)
		return NULL;
	p = strrchr(stat, ')');
	for (i = 0; p && i < 20; i++)
		p = strchr(p + 1, ' ');
	if (!p)
		return NULL;
	ticks = strtoull(p + 1, NULL, 10);
	t = time(NULL) - (time_t)strtod(up, NULL) +
	    (time_t)(ticks / (unsigned long long)sysconf(_SC_CLK_TCK));
	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm);
	return strdup(buf);
}

int rpm_safe_upgrade_lock(struct dkms_session *s, const char *m, const char *v)
{
	const char *tmp = dkms_ctx_get_path(s->ctx, DKMS_PATH_TMP);
	long pppid = grandparent();
	_cleanup_free_ char *name = xasprintf("%s/dkms_rpm_safe_upgrade_lock.%ld.XXXXXX",
					      tmp, pppid);
	_cleanup_free_ char *when = start_time(pppid);
	_cleanup_free_ char *text = NULL;
	int fd;

	if (!name)
		return -ENOMEM;
	fd = mkstemp(name);
	if (fd < 0)
		return dkms_die(s, 1, "Unable to make temporary file.");
	text = xasprintf("%s-%s\n%s%s", m, v, when ? when : "", when ? "\n" : "");
	if (text && write(fd, text, strlen(text)) < 0) {
		/* the lock only spares a later remove: best effort */
	}
	close(fd);
	return 0;
}

/* *found: a lock of ours says this remove is half of an upgrade (the
 * lock is consumed). */
int rpm_safe_upgrade_check(struct dkms_session *s, const char *m, const char *v,
			   bool *found)
{
	const char *tmp = dkms_ctx_get_path(s->ctx, DKMS_PATH_TMP);
	long pppid = grandparent();
	_cleanup_free_ char *prefix = xasprintf("dkms_rpm_safe_upgrade_lock.%ld.", pppid);
	_cleanup_free_ char *mv = xasprintf("%s-%s", m, v);
	_cleanup_free_ char *when = start_time(pppid);
	struct dirent *de;
	DIR *d;

	*found = false;
	if (!prefix || !mv)
		return -ENOMEM;
	d = opendir(tmp);
	while (!*found && d && (de = readdir(d))) {
		_cleanup_free_ char *p = NULL, *text = NULL;
		char *first, *last, *nl;

		if (!startswith(de->d_name, prefix))
			continue;
		p = path_join(tmp, de->d_name);
		if (!p || read_file(p, &text, NULL) < 0)
			continue;
		first = text;
		nl = strchr(first, '\n');
		if (nl)
			*nl = '\0';
		last = nl ? nl + 1 : first;
		last[strcspn(last, "\n")] = '\0';
		if (strcmp(first, mv) || !when || strcmp(last, when))
			continue;
		unlink(p);
		*found = true;
	}
	if (d)
		closedir(d);
	return 0;
}
