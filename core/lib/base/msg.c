/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messages in 3.4.3's shapes (error, warn, echo), written through the
 * context's output callback: the library itself never prints. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* One message on stderr: PREFIX, the formatted text, a newline. */
static void write_prefixed(struct dkms_session *s, const char *prefix,
			   const char *fmt, va_list ap)
{
	struct strbuf sb = { 0 };

	strbuf_adds(&sb, prefix);
	strbuf_vaddf(&sb, fmt, ap);
	strbuf_addch(&sb, '\n');
	dkms_write(s->ctx, DKMS_STDERR, strbuf_str(&sb), sb.len);
	strbuf_release(&sb);
}

int dkms_die(struct dkms_session *s, int code, const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	char *text, *p;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	text = strbuf_steal(&sb);
	dkms_printf(s->ctx, DKMS_STDERR, "\nError! %s\n", text ? text : "");
	/* kept on one line for whoever sums up the run (autoinstall's
	 * live summary names it when no make.log tells more) */
	for (p = text ? strchr(text, '\n') : NULL; p; p = strchr(p, '\n'))
		*p = ' ';
	free(s->last_error);
	s->last_error = text;
	return dkms_exit_to_errno(code);
}

void dkms_warn(struct dkms_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	write_prefixed(s, "Warning: ", fmt, ap);
	va_end(ap);
}

void dkms_echo(struct dkms_session *s, const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addch(&sb, '\n');
	dkms_write(s->ctx, DKMS_STDOUT, strbuf_str(&sb), sb.len);
	strbuf_release(&sb);
}
