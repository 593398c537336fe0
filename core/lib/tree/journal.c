/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The intent journal of install, uninstall and remove (see journal.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tree/tree.h"

#define JOURNAL_PREFIX ".dkms-journal."

struct jstep {
	enum jop op;
	char *a, *b, *msg;
	bool recovery_only;
	int (*fn)(struct dkms_session *, void *);
	void *data;
	void (*free_data)(void *);
};

struct jstage {
	char *src;      /* file to copy, or link target */
	char *data;     /* or the contents */
	size_t len;
	char *tmp;
	mode_t mode;
	bool as_link;
	int (*fill)(const char *dir, void *data);
	void *fill_data;
};

struct journal {
	struct dkms_session *s;
	char *what, *path;
	struct jstep *step;
	size_t n, done;
	struct jstage *stage;
	size_t n_stage;
	char **dirs;    /* made at commit, parents first */
	size_t n_dirs;
	char **synced;  /* directories a step changed: fsynced at the end */
	size_t n_synced;
	char **fsynced; /* ... unless a step fsynced them already */
	size_t n_fsynced;
	bool committed;
	bool queued;    /* a step waits: messages wait behind it */
};

static const char *const op_names[] = {
	[JOP_PLACE] = "place", [JOP_ARCHIVE] = "archive",
	[JOP_RESTORE] = "restore", [JOP_UNLINK] = "unlink",
	[JOP_SYMLINK] = "symlink", [JOP_RMTREE] = "rmtree",
	[JOP_RMTREE_LEAF] = "rmtree-leaf", [JOP_RMDIRS] = "rmdirs",
	[JOP_PRUNE] = "prune", [JOP_TOUCH] = "touch", [JOP_DEPMOD] = "depmod",
	[JOP_DROP_BACKUP] = "drop-backup", [JOP_DROP_VERSION] = "drop-version",
	[JOP_DROP_MODULE] = "drop-module", [JOP_REPLACE] = "replace",
	[JOP_MKDIR] = "mkdir", [JOP_KEEP_GOOD] = "keep-good", [JOP_MSG] = "msg",
	[JOP_CALL] = "call",
};

/* a journal line holds tab-separated fields */
static bool field_ok(const char *p)
{
	return !p || !strpbrk(p, "\t\n");
}

struct journal *journal_new(struct dkms_session *s, const char *what)
{
	struct journal *j = calloc(1, sizeof(*j));
	struct timespec ts;

	if (!j)
		return NULL;
	j->s = s;
	j->what = strdup(what);
	/* the time first: a recovery replays journals in the order they
	 * were made */
	clock_gettime(CLOCK_REALTIME, &ts);
	j->path = tree_path(s, JOURNAL_PREFIX "%010lld%09ld.%ld",
			    (long long)ts.tv_sec, ts.tv_nsec, (long)getpid());
	if (!j->what || !j->path || !field_ok(what)) {
		journal_free(j);
		return NULL;
	}
	return j;
}

static void strv_drop(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void journal_free(struct journal *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->n; i++) {
		free(j->step[i].a);
		free(j->step[i].b);
		free(j->step[i].msg);
		if (j->step[i].free_data)
			j->step[i].free_data(j->step[i].data);
	}
	free(j->step);
	for (i = 0; i < j->n_stage; i++) {
		free(j->stage[i].src);
		free(j->stage[i].data);
		free(j->stage[i].tmp);
	}
	free(j->stage);
	strv_drop(j->dirs, j->n_dirs);
	strv_drop(j->synced, j->n_synced);
	strv_drop(j->fsynced, j->n_fsynced);
	free(j->what);
	free(j->path);
	free(j);
}

static struct jstep *new_step(struct journal *j)
{
	struct jstep *v = realloc(j->step, (j->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	j->step = v;
	memset(&v[j->n], 0, sizeof(*v));
	return &v[j->n++];
}

static int add_step(struct journal *j, enum jop op, const char *a,
		    const char *b, const char *msg, bool recovery_only)
{
	struct jstep *st;

	if (!field_ok(a) || !field_ok(b))
		return -EINVAL;
	/* nothing planned before it: said now, as 3.4.3 says it before
	 * what may still fail while planning */
	if (op == JOP_MSG && !j->queued && !recovery_only) {
		if (msg)
			dkms_echo(j->s, "%s", msg);
		return 0;
	}
	if (!recovery_only)
		j->queued = true;
	st = new_step(j);
	if (!st)
		return -ENOMEM;
	st->op = op;
	st->recovery_only = recovery_only;
	st->a = a ? strdup(a) : NULL;
	st->b = b ? strdup(b) : NULL;
	st->msg = msg ? strdup(msg) : NULL;
	if ((a && !st->a) || (b && !st->b) || (msg && !st->msg))
		return -ENOMEM;
	/* a restore or a placement at a path an earlier step unlinks: the
	 * rename replaces it, and a replay of that unlink must not delete
	 * what the rename brought (the original module, say) */
	if ((op == JOP_RESTORE || op == JOP_PLACE) && b) {
		size_t i;

		for (i = 0; i + 1 < j->n; i++)
			if (j->step[i].op == JOP_UNLINK && !strcmp(j->step[i].a, b))
				j->step[i].op = JOP_MSG;
	}
	return 0;
}

int journal_add(struct journal *j, enum jop op, const char *a, const char *b,
		const char *msg)
{
	return add_step(j, op, a, b, msg, false);
}

int journal_add_recovery(struct journal *j, enum jop op, const char *a,
			 const char *b)
{
	return add_step(j, op, a, b, NULL, true);
}

int journal_call(struct journal *j, int (*fn)(struct dkms_session *, void *),
		 void *data, void (*free_data)(void *))
{
	struct jstep *st = new_step(j);

	if (!st) {
		if (free_data)
			free_data(data);
		return -ENOMEM;
	}
	st->op = JOP_CALL;
	if (fn)
		j->queued = true;
	st->fn = fn;
	st->data = data;
	st->free_data = free_data;
	return 0;
}

static char *dir_of(const char *path)
{
	char *d = strdup(path), *slash;

	if (d && (slash = strrchr(d, '/'))) {
		if (slash == d)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	return d;
}

static bool strv_has(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static int strv_add(char ***v, size_t *n, const char *s)
{
	char **nv;

	if (strv_has(*v, *n, s))
		return 0;
	nv = realloc(*v, (*n + 1) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

int journal_mkdir(struct journal *j, const char *dir)
{
	_cleanup_free_ char *p = strdup(dir);
	char **missing = NULL;
	size_t n = 0, i;
	int r = 0;

	if (!p || !field_ok(dir))
		return -ENOMEM;
	/* the missing ones, deepest first */
	while (r == 0 && *p && strcmp(p, "/") && !path_exists(p)) {
		char *up;

		r = strv_add(&missing, &n, p);
		up = dir_of(p);
		free(p);
		p = up;
		if (!p)
			r = -ENOMEM;
	}
	for (i = n; r == 0 && i > 0; i--)
		r = strv_add(&j->dirs, &j->n_dirs, missing[i - 1]);
	strv_drop(missing, n);
	return r;
}

static struct jstage *new_stage(struct journal *j, const char *final)
{
	_cleanup_free_ char *dir = dir_of(final);
	struct jstage *v;
	const char *base = strrchr(final, '/');

	if (!dir || !base || !field_ok(final) || journal_mkdir(j, dir) < 0)
		return NULL;
	v = realloc(j->stage, (j->n_stage + 1) * sizeof(*v));
	if (!v)
		return NULL;
	j->stage = v;
	v = &v[j->n_stage];
	memset(v, 0, sizeof(*v));
	/* a dot name: no glob of 3.4.3's and no depmod sees it */
	v->tmp = xasprintf("%s/.%s.dkms-tmp.%ld", dir, base + 1, (long)getpid());
	if (!v->tmp)
		return NULL;
	j->n_stage++;
	return v;
}

int journal_stage_copy(struct journal *j, const char *src, const char *final,
		       mode_t mode, bool as_link)
{
	struct jstage *st = new_stage(j, final);

	if (!st || !(st->src = strdup(src)))
		return -ENOMEM;
	st->mode = mode;
	st->as_link = as_link;
	return journal_add(j, JOP_PLACE, st->tmp, final, NULL);
}

int journal_stage_tree(struct journal *j, const char *final, bool replace,
		       int (*fill)(const char *dir, void *data), void *data)
{
	struct jstage *st = new_stage(j, final);

	if (!st)
		return -ENOMEM;
	st->fill = fill;
	st->fill_data = data;
	return journal_add(j, replace ? JOP_REPLACE : JOP_PLACE, st->tmp, final, NULL);
}

int journal_stage_data(struct journal *j, const char *data, const char *final,
		       mode_t mode)
{
	struct jstage *st = new_stage(j, final);

	if (!st || !(st->data = strdup(data)))
		return -ENOMEM;
	st->len = strlen(data);
	st->mode = mode;
	return journal_add(j, JOP_PLACE, st->tmp, final, NULL);
}

const char *journal_what(const struct journal *j)
{
	return j->what;
}

bool journal_empty(const struct journal *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->step[i].op != JOP_MSG && j->step[i].op != JOP_CALL)
			return false;
	return true;
}

/* ---- writing ----------------------------------------------------------- */

/*
 * The journal is written at its own name, in place: a journal is in
 * force ("commit", replayed) only when its last line is "end", so a
 * write a crash tore is a journal not committed (rolled back).  That
 * spares a temp + rename and the fsync of the tree that would follow
 * it: the tree's directory is fsynced once, with the staged files,
 * before the commit is written (journal_commit).
 */
static int write_in_place(const char *path, const char *data, size_t len,
			  bool sync)
{
	size_t off = 0;
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (r == 0 && off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno != EINTR)
			r = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (r == 0 && sync && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static int write_journal(struct journal *j, bool commit)
{
	struct strbuf sb = { 0 };
	size_t i;
	int r;

	strbuf_addf(&sb, "dkms-journal 2\nwhat\t%s\nstate\t%s\n", j->what,
		    commit ? "commit" : "prepare");
	/* in the commit too: a commit torn by a crash is rolled back */
	for (i = 0; i < j->n_stage; i++)
		strbuf_addf(&sb, "tmp\t%s\n", j->stage[i].tmp);
	for (i = 0; i < j->n_dirs; i++)
		strbuf_addf(&sb, "dir\t%s\n", j->dirs[i]);
	for (i = 0; commit && i < j->n; i++) {
		const struct jstep *st = &j->step[i];

		if (st->op == JOP_MSG || st->op == JOP_CALL)
			continue;
		strbuf_addf(&sb, "step\t%s\t%s\t%s\n", op_names[st->op],
			    st->a ? st->a : "", st->b ? st->b : "");
	}
	strbuf_addf(&sb, "end\n");
	if (!sb.buf)
		return -ENOMEM;
	/* a prepare journal only lists what a rollback deletes: after a
	 * power cut without it, a dot-named temp could stay, nothing else;
	 * it is not worth an fsync.  The commit is. */
	r = write_in_place(j->path, sb.buf, sb.len, commit);
	strbuf_release(&sb);
	return r;
}

static int fsync_path(const char *p)
{
	int r = fsync_open(p, O_DIRECTORY);

	return r == -ENOENT ? 0 : r;
}

/* a staged file's data, its writeback started when it was written */
static int fsync_file(const char *p)
{
	return fsync_open(p, O_NOFOLLOW);
}

static int write_stage(const struct jstage *st)
{
	_cleanup_free_ char *data = NULL;
	const char *buf = st->data;
	size_t len = st->len, off = 0;
	int fd, r = 0;

	rm_rf(st->tmp);
	if (st->fill) {
		if (mkdir(st->tmp, 0755) < 0)
			return -errno;
		return st->fill(st->tmp, st->fill_data);
	}
	if (st->as_link)
		return symlink(st->src, st->tmp) < 0 ? -errno : 0;
	if (!buf) {
		r = read_file(st->src, &data, &len);
		if (r < 0)
			return r;
		buf = data;
	}
	fd = open(st->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  st->mode);
	if (fd < 0)
		return -errno;
	while (r == 0 && off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno != EINTR)
			r = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (r == 0 && fchmod(fd, st->mode) < 0)
		r = -errno;
	/* the writeback of all staged files starts now, so the fsyncs
	 * after them (sync_staged) wait for one journal commit of the
	 * file system, not one each */
	if (r == 0)
		sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static bool is_staged_file(const struct jstage *st)
{
	return !st->fill && !st->as_link;
}

/* The staged files, the new directories and (when a prepare journal was
 * written there) the tree's directory reach the disk before the commit:
 * a replay finds what it places, and the commit, written in place, needs
 * only its own fsync. */
static int sync_staged(struct journal *j, bool prepared)
{
	_cleanup_free_ char *tree = dir_of(j->path);
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < j->n_stage; i++)
		if (is_staged_file(&j->stage[i]))
			r = fsync_file(j->stage[i].tmp);
	for (i = 0; r == 0 && i < j->n_dirs; i++)
		r = fsync_path(j->dirs[i]);
	if (r == 0 && prepared)
		r = tree ? fsync_path(tree) : -ENOMEM;
	return r;
}

/* undo a prepare: staged files and new directories go */
static void unprepare(char **tmps, size_t n_tmp, char **dirs, size_t n_dirs)
{
	size_t i;

	/* only what we staged: a dot name with our marker */
	for (i = 0; i < n_tmp; i++)
		if (strstr(tmps[i], "/.") && strstr(tmps[i], ".dkms-tmp."))
			rm_rf(tmps[i]);
	for (i = n_dirs; i > 0; i--)
		rmdir(dirs[i - 1]);
}

static void rollback(struct journal *j)
{
	size_t i;

	for (i = 0; i < j->n_stage; i++)
		rm_rf(j->stage[i].tmp);
	for (i = j->n_dirs; i > 0; i--)
		rmdir(j->dirs[i - 1]);
	unlink(j->path);
}

int journal_commit(struct journal *j)
{
	bool prepared = j->n_stage || j->n_dirs;
	size_t i;
	int r = 0;

	/* nothing to stage (uninstall, remove): nothing to roll back */
	if (prepared) {
		r = dkms_fault("journal prepare");
		if (r == 0)
			r = write_journal(j, false);
		if (r < 0)
			return r;
	}
	if (j->n_dirs)
		r = dkms_fault("make directories");
	for (i = 0; r == 0 && i < j->n_dirs; i++)
		if (mkdir(j->dirs[i], 0755) < 0 && errno != EEXIST)
			r = -errno;
	for (i = 0; r == 0 && i < j->n_stage; i++) {
		r = dkms_fault("stage file");
		if (r == 0)
			r = write_stage(&j->stage[i]);
	}
	if (r == 0)
		r = sync_staged(j, prepared);
	if (r == 0)
		r = dkms_fault("journal commit");
	if (r == 0)
		r = write_journal(j, true);
	/* a journal new now: its name reaches the disk too */
	if (r == 0 && !prepared) {
		_cleanup_free_ char *tree = dir_of(j->path);

		r = tree ? fsync_path(tree) : -ENOMEM;
	}
	if (r < 0)
		rollback(j);
	j->committed = r == 0;
	return r;
}

/* ---- doing a step ------------------------------------------------------ */

static void note_dir(struct journal *j, const char *path)
{
	_cleanup_free_ char *d = dir_of(path);

	if (d)
		strv_add(&j->synced, &j->n_synced, d);
}

static int replace_symlink(const char *target, const char *link)
{
	_cleanup_free_ char *dir = dir_of(link);
	_cleanup_free_ char *tmp = NULL;

	tmp = dir ? xasprintf("%s/.%s.tmp", dir, strrchr(link, '/') + 1) : NULL;
	if (!tmp)
		return -ENOMEM;
	unlink(tmp);
	if (symlink(target, tmp) < 0)
		return -errno;
	if (rename(tmp, link) < 0) {
		int r = -errno;

		unlink(tmp);
		return r;
	}
	return 0;
}

static int move_into(const char *a, const char *b)
{
	_cleanup_free_ char *d = dir_of(b);

	if (!d || mkdir_p(d, 0755) < 0)
		return -EIO;
	return move_file(a, b);
}

static void say(struct dkms_session *s, const char *msg, bool run)
{
	if (run && msg)
		dkms_echo(s, "%s", msg);
}

static void note_moved(struct journal *j, const char *a, const char *b);

static int do_step(struct dkms_session *s, struct journal *j,
		   const struct jstep *st, bool run)
{
	struct stat sa, sb;
	int r = 0;

	switch (st->op) {
	case JOP_PLACE:
		say(s, st->msg, run);
		if (lstat(st->a, &sa) == 0 && rename(st->a, st->b) < 0)
			return -errno;
		break;
	case JOP_REPLACE:
		if (lstat(st->a, &sa) < 0)
			return 0;
		rm_rf(st->b);
		if (rename(st->a, st->b) < 0)
			return -errno;
		break;
	case JOP_MKDIR:
		r = mkdir_p(st->a, 0755);
		break;
	case JOP_KEEP_GOOD:
		/* the run settles it itself (install.c, lkg_settle) */
		return run ? 0 : s->journal_handlers->keep_good(s, st->a, st->b);
	case JOP_ARCHIVE:
		say(s, st->msg, run);
		if (lstat(st->b, &sb) == 0 || lstat(st->a, &sa) < 0)
			return 0;
		/* move_file fsyncs both directories: the backup is on disk
		 * before a later step puts anything at the original's place */
		r = move_into(st->a, st->b);
		if (r == 0)
			note_moved(j, st->a, st->b);
		return r;
	case JOP_RESTORE:
		say(s, st->msg, run);
		if (lstat(st->a, &sa) < 0)
			return 0;
		r = move_into(st->a, st->b);
		if (r == 0)
			note_moved(j, st->a, st->b);
		return r;
	case JOP_UNLINK:
		say(s, st->msg, run);
		if (unlink(st->a) < 0 && errno != ENOENT)
			return -errno;
		break;
	case JOP_SYMLINK:
		say(s, st->msg, run);
		r = replace_symlink(st->b, st->a);
		break;
	case JOP_RMTREE:
		say(s, st->msg, run);
		rm_rf(st->a);
		break;
	case JOP_RMTREE_LEAF:
		if (!dir_has_subdir(st->a, NULL))
			rm_rf(st->a);
		break;
	case JOP_RMDIRS:
		rmdir_parents(st->a, st->b);
		break;
	case JOP_PRUNE:
		delete_empty_dirs(st->a);
		break;
	case JOP_TOUCH: {
		int fd = open(st->a, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0)
			return -errno;
		close(fd);
		break;
	}
	case JOP_DEPMOD:
		s->journal_handlers->depmod(s, st->a);
		return 0;
	case JOP_DROP_BACKUP:
		if (is_dir(st->a)) {
			say(s, st->msg, run);
			rm_rf(st->a);
			if (!dir_has_subdir(st->b, NULL))
				rm_rf(st->b);
		}
		break;
	case JOP_DROP_VERSION:
		if (!version_has_kernel_dirs(st->a)) {
			say(s, st->msg, run);
			rm_rf(st->a);
		}
		break;
	case JOP_DROP_MODULE:
		if (dir_has_no_visible_entries(st->a))
			rm_rf(st->a);
		break;
	case JOP_MSG:
		say(s, st->msg, run);
		return 0;
	case JOP_CALL:
		return run && st->fn ? st->fn(s, st->data) : 0;
	}
	if (r == 0 && st->a)
		note_dir(j, st->a);
	if (r == 0 && st->b && st->op != JOP_SYMLINK && st->op != JOP_RMDIRS)
		note_dir(j, st->b);
	return r;
}

/* the directories move_file() fsynced already */
static void note_moved(struct journal *j, const char *a, const char *b)
{
	_cleanup_free_ char *da = dir_of(a), *db = dir_of(b);

	if (da)
		strv_add(&j->fsynced, &j->n_fsynced, da);
	if (db)
		strv_add(&j->fsynced, &j->n_fsynced, db);
}

int journal_run(struct journal *j, bool until_call)
{
	int r;

	while (j->done < j->n) {
		const struct jstep *st = &j->step[j->done];

		if (st->recovery_only) {
			j->done++;
			continue;
		}
		if (st->op != JOP_MSG && st->op != JOP_CALL) {
			const char *p = st->op == JOP_PLACE ||
					st->op == JOP_REPLACE ? st->b : st->a;
			_cleanup_free_ char *what = xasprintf("%s %s",
						op_names[st->op],
						strrchr(p, '/') ? strrchr(p, '/') + 1 : p);

			r = dkms_fault(what ? what : op_names[st->op]);
			if (r < 0)
				return r;
		}
		r = do_step(j->s, j, st, true);
		if (r < 0)
			return r;
		j->done++;
		if (until_call && st->op == JOP_CALL)
			break;
	}
	return 0;
}

/* The steps' directories reach the disk before the journal goes; its
 * own removal need not (a replay of a done journal changes nothing). */
static int finish(struct journal *j)
{
	size_t i;

	for (i = 0; i < j->n_synced; i++)
		if (!strv_has(j->fsynced, j->n_fsynced, j->synced[i]))
			fsync_path(j->synced[i]);
	if (unlink(j->path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int journal_end(struct journal *j)
{
	int r;

	if (!j->committed)
		return 0;
	r = dkms_fault("journal end");
	return r < 0 ? r : finish(j);
}

/* ---- recovery ---------------------------------------------------------- */

bool journal_pending(const char *tree)
{
	DIR *d = opendir(tree);
	struct dirent *de;
	bool found = false;

	while (d && !found && (de = readdir(d)))
		found = startswith(de->d_name, JOURNAL_PREFIX);
	if (d)
		closedir(d);
	return found;
}

bool journal_others_pending(const struct journal *j)
{
	_cleanup_free_ char *tree = dir_of(j->path);
	const char *mine = strrchr(j->path, '/') + 1;
	DIR *d = tree ? opendir(tree) : NULL;
	struct dirent *de;
	bool found = false;

	while (d && !found && (de = readdir(d)))
		found = startswith(de->d_name, JOURNAL_PREFIX) &&
			strcmp(de->d_name, mine) != 0;
	if (d)
		closedir(d);
	return found;
}

static int op_of(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(op_names); i++)
		if (op_names[i] && !strcmp(op_names[i], name))
			return (int)i;
	return -1;
}

/* fields of one line, split at tabs in place */
static size_t split(char *line, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

static int recover_one(struct dkms_session *s, const char *path)
{
	_cleanup_(journal_freep) struct journal *j = journal_new(s, "recovery");
	_cleanup_free_ char *text = NULL;
	char **tmps = NULL, **dirs = NULL, *what = NULL, *line, *save = NULL;
	size_t n_tmp = 0, n_dirs = 0;
	bool commit = false, v2, ended = false;
	int r;

	if (!j)
		return -ENOMEM;
	free(j->path);
	j->path = strdup(path);
	r = j->path ? read_file(path, &text, NULL) : -ENOMEM;
	if (r < 0)
		return r;
	/* version 2 is in force only up to its "end" line; a journal a
	 * crash tore (or left empty) was not committed: rolled back */
	v2 = text && startswith(text, "dkms-journal 2\n");
	if (!text || (!v2 && !startswith(text, "dkms-journal 1\n")))
		return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	if (v2 && strrchr(text, '\n'))
		strrchr(text, '\n')[1] = '\0'; /* not a torn last line */
	for (line = strtok_r(text, "\n", &save); r == 0 && line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = { NULL };
		size_t n = split(line, f, 4);
		int op;

		if (n == 2 && !strcmp(f[0], "what"))
			what = f[1];
		else if (n == 2 && !strcmp(f[0], "state"))
			commit = !strcmp(f[1], "commit");
		else if (n == 2 && !strcmp(f[0], "tmp"))
			r = strv_add(&tmps, &n_tmp, f[1]);
		else if (n == 1 && !strcmp(f[0], "end"))
			ended = true;
		else if (n == 2 && !strcmp(f[0], "dir"))
			r = strv_add(&dirs, &n_dirs, f[1]);
		else if (n == 4 && !strcmp(f[0], "step") && (op = op_of(f[1])) >= 0)
			r = add_step(j, (enum jop)op, *f[2] ? f[2] : NULL,
				     *f[3] ? f[3] : NULL, NULL, false);
	}
	if (v2 && !ended)
		commit = false;
	if (r == 0 && !commit) {
		unprepare(tmps, n_tmp, dirs, n_dirs);
		r = unlink(path) < 0 && errno != ENOENT ? -errno : 0;
		dkms_printf(s->ctx, DKMS_STDERR, "dkms: rolled back the interrupted %s\n",
			    what ? what : "operation");
	} else if (r == 0) {
		size_t i;

		for (i = 0; r == 0 && i < j->n; i++)
			r = do_step(s, j, &j->step[i], false);
		if (r == 0)
			r = finish(j);
		if (r == 0)
			dkms_printf(s->ctx, DKMS_STDERR, "dkms: completed the interrupted %s\n",
				    what ? what : "operation");
	}
	strv_drop(tmps, n_tmp);
	strv_drop(dirs, n_dirs);
	return r;
}

int journal_recover(struct dkms_session *s)
{
	const char *tree = dkms_tree(s);
	struct dirent **names = NULL;
	int n, i, r = 0;

	/* newest first: an operation inside another (the install in a
	 * rebuild) is finished before the one around it looks */
	n = scandir(tree, &names, NULL, alphasort);
	for (i = n - 1; i >= 0; i--) {
		const char *name = names[i]->d_name;
		_cleanup_free_ char *p = startswith(name, JOURNAL_PREFIX) ?
					 path_join(tree, name) : NULL;

		if (p && strstr(name, ".dkms-tmp.")) {
			unlink(p); /* a journal never renamed into place */
		} else if (p) {
			int q = recover_one(s, p);

			if (q < 0) {
				dkms_warn(s, "Could not finish the interrupted "
					  "operation in %s: %s", p, strerror(-q));
				r = q;
			}
		}
		free(names[i]);
	}
	free(names);
	return r;
}
