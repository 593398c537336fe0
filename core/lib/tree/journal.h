/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The intent journal of install, uninstall, remove and ldtarball (crash
 * safety).
 *
 * An operation is first planned as a list of steps, without touching
 * anything.  journal_commit() then writes
 * <dkms_tree>/.dkms-journal.<time>.<pid> in state "prepare" (the
 * temporary files and directories it is about to make; skipped when
 * there are none), makes the directories, stages the new files under
 * temporary dot names beside their final place, fsyncs them, the new
 * directories and the tree's directory, and rewrites the journal in
 * place in state "commit" with every step, fsynced (without a prepare:
 * written, fsynced, the tree's directory fsynced).  A journal is in
 * force only up to its last line, "end": one a crash tore is rolled
 * back.  journal_run() then does the steps, journal_end() fsyncs the
 * directories they changed and drops the journal.
 *
 * The next dkms command (journal_recover(), under the tree lock, before
 * anything else) rolls a "prepare" journal back (the staged files and the
 * new directories go: the state before) and replays a "commit" journal
 * from its first step (the state after).  Every step is written so that
 * doing it again, once later steps are done, changes nothing: a rename
 * of a staged file happens only while the staged file exists, an original
 * is archived only while no backup exists, and so on.
 *
 * The journal is a dot name in the tree's root: dkms 3.4.3 and 3.0.10
 * glob the root for modules and never see it.
 */
#ifndef DKMS_JOURNAL_H
#define DKMS_JOURNAL_H

#include <stdbool.h>
#include <sys/types.h>

struct dkms_session;
struct journal;

enum jop {
	JOP_PLACE,        /* a: a staged temp, b: its final name */
	JOP_ARCHIVE,      /* move a to b unless b exists (original -> backup) */
	JOP_RESTORE,      /* move a to b (parents made) while a exists */
	JOP_UNLINK,       /* rm -f a */
	JOP_SYMLINK,      /* a -> b, replaced in one rename */
	JOP_RMTREE,       /* rm -rf a */
	JOP_RMTREE_LEAF,  /* rm -rf a unless it has a subdirectory */
	JOP_RMDIRS,       /* rmdir -p --ignore-fail-on-non-empty b below a */
	JOP_PRUNE,        /* find a -type d -empty -delete */
	JOP_TOUCH,        /* create a, empty, unless it exists */
	JOP_DEPMOD,       /* depmod for kernel a */
	JOP_DROP_BACKUP,  /* rm -rf a if a dir; then b unless it has a subdir */
	JOP_DROP_VERSION, /* remove: rm -rf a unless kernel dirs remain */
	JOP_DROP_MODULE,  /* remove: rm -rf a when nothing visible remains */
	JOP_REPLACE,      /* a: a staged temp, b: its final name, replaced */
	JOP_MKDIR,        /* mkdir -p a */
	JOP_KEEP_GOOD,    /* a: the last good build kept aside, b: its place;
			   * only a recovery does it (keep_good) */
	JOP_MSG,          /* in the run only: print the message */
	JOP_CALL,         /* in the run only: call the function */
};

/* what: "install hello/0.1 for 6.1.0 (x86_64)", said by a recovery. */
struct journal *journal_new(struct dkms_session *s, const char *what);
void journal_free(struct journal *j);
static inline void journal_freep(struct journal **j)
{
	journal_free(*j);
}

/* Append a step.  msg (may be NULL) is printed on stdout when the run
 * reaches the step (for JOP_DROP_BACKUP and JOP_DROP_VERSION only when
 * there is something to drop), never by a recovery. */
int journal_add(struct journal *j, enum jop op, const char *a, const char *b,
		const char *msg);
/* A step that only the run does: PRE/POST scripts, depmod with its
 * output.  free_data (may be NULL) frees data with the journal. */
int journal_call(struct journal *j, int (*fn)(struct dkms_session *, void *),
		 void *data, void (*free_data)(void *));
/* Mark the steps added from now on as the recovery's only (the run does
 * them itself, later, e.g. depmod); journal_add_recovery() adds one. */
int journal_add_recovery(struct journal *j, enum jop op, const char *a,
			 const char *b);
/* Stage `final` from a copy of src (or, with as_link, a symlink to src);
 * adds the JOP_PLACE step.  The directory of final is made at commit. */
int journal_stage_copy(struct journal *j, const char *src, const char *final,
		       mode_t mode, bool as_link);
/* Stage directory `final`: at commit, fill(temp dir, data) fills a new
 * temporary directory beside it; the step renames it into place,
 * replacing what is there when `replace`. */
int journal_stage_tree(struct journal *j, const char *final, bool replace,
		       int (*fill)(const char *dir, void *data), void *data);
/* Stage `final` holding data. */
int journal_stage_data(struct journal *j, const char *data, const char *final,
		       mode_t mode);
/* Directory made at commit (and dropped again by a rollback). */
int journal_mkdir(struct journal *j, const char *dir);
const char *journal_what(const struct journal *j);
/* Whether the plan has any step a recovery would do. */
bool journal_empty(const struct journal *j);

/* 0, or -errno with everything undone (no journal, no temp file). */
int journal_commit(struct journal *j);
/* Do the steps from the last one done up to the end (or up to and
 * including the next JOP_CALL when `until_call`).  A JOP_CALL's negative
 * return stops the run too.  -errno: the journal stays for the next
 * command to complete. */
int journal_run(struct journal *j, bool until_call);
/* Steps done: the journal goes. */
int journal_end(struct journal *j);

/* Complete or roll back what a killed dkms left (every journal in the
 * tree).  The caller holds the tree lock.  0, or -errno when one could
 * not be finished (it stays, a warning says so). */
int journal_recover(struct dkms_session *s);
/* Whether the tree has a journal other than j's (an operation inside j's
 * that stopped and left its own). */
bool journal_others_pending(const struct journal *j);
/* Whether the tree has a journal left (cheap: one readdir of the root). */
bool journal_pending(const char *tree);

/* What a recovery needs from the operations above the journal: they
 * hand these in (dkms_session_new), the journal never calls up. */
struct journal_handlers {
	/* JOP_DEPMOD: depmod for kernel kver, without a word */
	int (*depmod)(struct dkms_session *s, const char *kver);
	/* JOP_KEEP_GOOD: the last good build kept aside at saved goes back
	 * to its place ka and is installed again */
	int (*keep_good)(struct dkms_session *s, const char *saved,
			 const char *ka);
};

#endif
