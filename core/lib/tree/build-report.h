/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The build report: what this implementation knows of a build that dkms
 * 3.4.3's make.log has no line for (the sandbox, its memory limit, a
 * command it killed, the jobserver, each module's signature read back,
 * the checks 3.4.3 does not make).  make.log stays 3.4.3's byte for byte,
 * for the tools that compare or parse it; these facts go to a file of our
 * own beside it, BUILD_REPORT_NAME, which goes where make.log goes (the
 * built module's log/ dir, or a failed build's build/ dir), is carried
 * with that dir by mktarball and ldtarball, is never read by 3.4.3, and
 * is read back by status --json.
 *
 * The report is written by dkms alone, after the build, so nothing the
 * module's own code printed (make.log holds its output) can pass for a
 * fact of ours.
 *
 * One fact a line, "key: value" (a value is one line):
 *   build: M/V for kernel K (A)           the first line
 *   sandbox: yes (uid ..., ...) | no (why)
 *   memory limit: N MiB for the whole build (cgroup v2 memory.max) | ...
 *   jobserver: the command make ran as, under dkms's jobserver
 *   NAME.ko signature: signed by 'CN' (hash, key ID); Secure Boot: state
 *                      | unsigned; Secure Boot: state
 *                      | cannot read it: why; Secure Boot: state
 *   NAME.ko signing failed: what the sign command said
 *   warning: what 3.4.3 would not have said (a module built for another
 *            kernel, signed otherwise than asked, a command killed at a
 *            limit), one line each
 */
#ifndef DKMS_BUILD_REPORT_H
#define DKMS_BUILD_REPORT_H

#include <stdbool.h>

#include "base/base.h"

#define BUILD_REPORT_NAME "dkms-build-report"

struct dkms_op;
struct build_report;

/* A report for the build of op, its "build:" line written; NULL on
 * ENOMEM. */
struct build_report *build_report_new(const struct dkms_op *op);
/* Takes NULL; returns NULL. */
struct build_report *build_report_free(struct build_report *r);
/* Append "key: value" (newlines in the value become spaces).  Nothing
 * when r is NULL: outside a build there is no report. */
void build_report_add(struct build_report *r, const char *key,
		      const char *fmt, ...) _printf_(3, 4);
/* dir/BUILD_REPORT_NAME, replacing what is there (not fsynced: like
 * make.log, it need not survive a crash).  0 or -errno. */
int build_report_write(const struct build_report *r, const char *dir);

/* ---- reading (status --json) ---------------------------------------- */
/* dir/BUILD_REPORT_NAME's text when it reports a build for kver (arch);
 * NULL when missing, unreadable or another kernel's. */
char *build_report_read(const char *dir, const char *kver, const char *arch);
/* The value of key's last line in text, or NULL. */
char *build_report_get(const char *text, const char *key);
/* fn(data, value, len) for each line of key, in order; stops at and
 * returns fn's first non-zero. */
int build_report_each(const char *text, const char *key,
		      int (*fn)(void *data, const char *value, size_t len),
		      void *data);

#endif
