/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A batch's failures, kept in the tree: for a module version that did
 * not install on a kernel, <m>/<v>/.<k>-<a>.dkms-failed says why and
 * <m>/<v>/.<k>-<a>.make.log keeps its build's log (the build dir serves
 * every kernel: the next kernel's build would overwrite it).  Dot files,
 * which 3.4.3's globs never see; `status --json` shows them; an install
 * on that kernel, or the version's removal, drops them.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ops/ops.h"

static char *note_path(struct dkms_session *s, const struct dkms_op *op,
		       const char *what)
{
	return tree_path(s, "%s/%s/.%s-%s.%s", op->module, op->version,
			 op->kernelver, op->arch, what);
}

const char *dkms_failure_words(int status)
{
	switch (status) {
	case 0:
		return NULL;
	case -DKMS_ENOHEADERS:
		return "the kernel's headers are not installed";
	case -DKMS_EEXCLUDED:
		return "BUILD_EXCLUSIVE excludes this kernel";
	case -DKMS_EBUILD:
		return "the build failed";
	case -DKMS_ENODEPS:
		return "BUILD_DEPENDS are missing";
	case -DKMS_EPREINSTALL:
		return "PRE_INSTALL failed";
	case -DKMS_EBADCONF:
		return "its dkms.conf is not valid";
	case -DKMS_EINSTALL:
		return "the install failed";
	default:
		return "it did not install";
	}
}

/* The reason as one line: newlines of dkms's messages joined. */
static char *one_line(const char *text)
{
	char *t = strdup(text), *p;

	for (p = t; p && *p; p++)
		if (*p == '\n')
			*p = ' ';
	return t;
}

int dkms_failure_note(struct dkms_session *s, const struct dkms_op *op,
		      int status, const char *reason, const char *log)
{
	_cleanup_free_ char *note = note_path(s, op, "dkms-failed");
	_cleanup_free_ char *keep = note_path(s, op, "make.log");
	_cleanup_free_ char *text = NULL, *why = NULL;

	if (!note || !keep)
		return -ENOMEM;
	if (log && copy_file_to(log, keep, 0644) == 0)
		log = keep;
	else {
		unlink(keep);
		log = NULL;
	}
	why = one_line(reason && *reason ? reason : dkms_failure_words(status));
	/* the file holds the exit code, as dkms would have ended with it */
	text = xasprintf("status=%d\nreason=%s\nlog=%s\n",
			 dkms_errno_to_exit(status), why ? why : "",
			 log ? log : "");
	if (!text)
		return -ENOMEM;
	return write_file_atomic(note, text, strlen(text), 0644);
}

void dkms_failure_clear(struct dkms_session *s, const struct dkms_op *op)
{
	_cleanup_free_ char *note = note_path(s, op, "dkms-failed");
	_cleanup_free_ char *keep = note_path(s, op, "make.log");

	if (note)
		unlink(note);
	if (keep)
		unlink(keep);
}

static char *field(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == '=')
			return strndup(p + n + 1, strcspn(p + n + 1, "\n"));
	return NULL;
}

int dkms_failure_read(struct dkms_session *s, const struct dkms_op *op,
		      struct dkms_failure *f)
{
	_cleanup_free_ char *note = note_path(s, op, "dkms-failed");
	_cleanup_free_ char *text = NULL, *st = NULL;
	int r;

	memset(f, 0, sizeof(*f));
	if (!note)
		return -ENOMEM;
	r = read_file(note, &text, NULL);
	if (r < 0)
		return r;
	st = field(text, "status");
	f->status = dkms_exit_to_errno(st ? atoi(st) : 1);
	f->reason = field(text, "reason");
	f->log = field(text, "log");
	if (f->log && !*f->log) {
		free(f->log);
		f->log = NULL;
	}
	return 0;
}

void dkms_failure_free(struct dkms_failure *f)
{
	free(f->reason);
	free(f->log);
	memset(f, 0, sizeof(*f));
}
