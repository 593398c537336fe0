/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Events as text, one a line: what `dkms batch` reads and what an adapter
 * can log, so a package manager's batch can be replayed by hand.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"

static const char *const kind_names[_DKMS_EVENT_MAX] = {
	[DKMS_EVENT_ADD] = "add",
	[DKMS_EVENT_BUILD] = "build",
	[DKMS_EVENT_INSTALL] = "install",
	[DKMS_EVENT_UNINSTALL] = "uninstall",
	[DKMS_EVENT_UNBUILD] = "unbuild",
	[DKMS_EVENT_REMOVE] = "remove",
	[DKMS_EVENT_KERNEL_ADDED] = "kernel-added",
	[DKMS_EVENT_KERNEL_REMOVING] = "kernel-removing",
	[DKMS_EVENT_SOURCE_ADDED] = "source-added",
	[DKMS_EVENT_SOURCE_REMOVING] = "source-removing",
};

const char *batch_kind_name(enum dkms_event_kind kind)
{
	if ((int)kind < 0 || kind >= _DKMS_EVENT_MAX || !kind_names[kind])
		return "?";
	return kind_names[kind];
}

void batch_event_clear(struct batch_event *ev)
{
	free(ev->module);
	free(ev->version);
	free(ev->kernelver);
	free(ev->arch);
	free(ev->path);
	memset(ev, 0, sizeof(*ev));
}

static bool kernel_kind(enum dkms_event_kind k)
{
	return k == DKMS_EVENT_KERNEL_ADDED || k == DKMS_EVENT_KERNEL_REMOVING;
}

/* "M/V" into module and version: both non-empty, one slash. */
static int split_mv(const char *w, struct batch_event *ev)
{
	const char *slash = strchr(w, '/');

	if (!slash || slash == w || !slash[1] || strchr(slash + 1, '/'))
		return -EINVAL;
	ev->module = strndup(w, slash - w);
	ev->version = strdup(slash + 1);
	return ev->module && ev->version ? 0 : -ENOMEM;
}

static int parse_words(char **w, size_t n, struct batch_event *ev)
{
	enum dkms_event_kind k;
	size_t max_words;

	for (k = 0; k < _DKMS_EVENT_MAX; k++)
		if (kind_names[k] && !strcmp(w[0], kind_names[k]))
			break;
	if (k == _DKMS_EVENT_MAX || n < 2)
		return -EINVAL;
	ev->kind = k;
	if (kernel_kind(k)) {
		if (n > 3)
			return -EINVAL;
		ev->kernelver = strdup(w[1]);
		ev->arch = n > 2 ? strdup(w[2]) : NULL;
		return ev->kernelver && (n < 3 || ev->arch) ? 0 : -ENOMEM;
	}
	/* a source given by its directory (or its dkms.conf) */
	if ((k == DKMS_EVENT_SOURCE_ADDED || k == DKMS_EVENT_SOURCE_REMOVING) &&
	    w[1][0] == '/') {
		ev->path = strdup(w[1]);
		return n == 2 ? (ev->path ? 0 : -ENOMEM) : -EINVAL;
	}
	max_words = k == DKMS_EVENT_ADD || k == DKMS_EVENT_SOURCE_ADDED ||
		    k == DKMS_EVENT_SOURCE_REMOVING ? 2 : 4;
	if (n > max_words || split_mv(w[1], ev) < 0)
		return -EINVAL;
	if (n > 2 && !(ev->kernelver = strdup(w[2])))
		return -ENOMEM;
	if (n > 3 && !(ev->arch = strdup(w[3])))
		return -ENOMEM;
	return 0;
}

int batch_event_parse(const char *line, struct batch_event *ev)
{
	_cleanup_free_ char *copy = strdup(line);
	char *w[6], *save = NULL, *t;
	size_t n = 0;
	int r;

	memset(ev, 0, sizeof(*ev));
	if (!copy)
		return -ENOMEM;
	copy[strcspn(copy, "#")] = '\0';
	for (t = strtok_r(copy, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == ARRAY_SIZE(w))
			return -EINVAL;
		w[n++] = t;
	}
	if (n == 0)
		return -ENODATA;
	r = parse_words(w, n, ev);
	if (r)
		batch_event_clear(ev);
	return r;
}

char *batch_event_format(const struct batch_event *ev)
{
	const char *name = batch_kind_name(ev->kind);

	if (kernel_kind(ev->kind))
		return xasprintf("%s %s %s", name, ev->kernelver, ev->arch);
	if (ev->path && (!ev->module || !*ev->module))
		return xasprintf("%s %s", name, ev->path);
	if (ev->kind == DKMS_EVENT_ADD || ev->kind == DKMS_EVENT_SOURCE_ADDED ||
	    ev->kind == DKMS_EVENT_SOURCE_REMOVING)
		return xasprintf("%s %s/%s", name, ev->module, ev->version);
	return xasprintf("%s %s/%s %s %s", name, ev->module, ev->version,
			 ev->kernelver, ev->arch);
}
