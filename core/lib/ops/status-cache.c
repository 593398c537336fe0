/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The status cache: plain `dkms status` (no filter) on a large tree
 * replays what the last full walk printed instead of walking the tree,
 * reading every dkms.conf and comparing modules again.
 *
 * <dkms_tree>/.status-cache/status (a dot name: the bash dkms's globs
 * never see it) holds
 *   - a key: the three trees, the conf dir, the collation locale, what
 *     a dkms.conf's evaluation gets of the environment (a hash);
 *   - stamps: (dev, inode, size, mtime, ctime) of everything the walk's
 *     answer depends on: every directory and link of the dkms tree down
 *     to <m>/<v>/<k>/<a>/module and its files (not into source/ or build/),
 *     where each <m>/<v>/source and kernel-* link points, the dkms.conf
 *     and kernel .config of each built module, each installed copy and
 *     its directory, and the conf dir;
 *   - the output (stdout and stderr chunks, in order).
 * Stamps are taken before the walk, so anything changed while it ran
 * makes the next run walk again.  Any writer (ours, the bash dkms, an
 * admin with rm) changes some directory's ctime or a stamped file, so a
 * stale cache is never replayed: a mismatch, a missing or unreadable
 * cache means the slow path, which rewrites it (atomically: temp file +
 * rename).  Nothing needs to invalidate it explicitly.
 *
 * Only trees with at least CACHE_MIN_VERSIONS module versions are cached: small
 * trees are walked fast enough, and stay byte-identical to 3.4.3's.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops.h"

/* in a directory of its own: renaming the file into the tree root would
 * change the root's mtime, a stamp of the cache itself */
#define CACHE_NAME ".status-cache"
#define CACHE_FILE CACHE_NAME "/status"
#define CACHE_MAGIC "dkms-status-cache 1\n"
#define CACHE_MIN_VERSIONS 50

struct status_cache {
	struct dkms_session *s;
	dkms_output_fn fn;
	void *data;
	struct strbuf stamps, out;
};

static bool unfiltered(const char *m, const char *v, const char *k,
		       const char *a)
{
	return (!m || !*m) && (!v || !*v) && (!k || !*k) && (!a || !*a);
}

static char *cache_path(struct dkms_session *s)
{
	return path_join(dkms_tree(s), CACHE_FILE);
}

/* What a dkms.conf's evaluation is given of the environment (PATH, the
 * locale, ...: conf_env_passed()) decides what its tools print, which
 * status shows: one FNV-1a hash of it goes in the key. */
static unsigned long long conf_env_hash(struct dkms_session *s)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	char *const *e;
	const char *p;

	for (e = dkms_ctx_environ(s->ctx); e && *e; e++) {
		if (!startswith(*e, "PATH=") && !conf_env_passed(*e))
			continue;
		for (p = *e; ; p++) {
			h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
			if (!*p)
				break;
		}
	}
	return h;
}

static void key(struct dkms_session *s, struct strbuf *sb)
{
	const char *coll = setlocale(LC_COLLATE, NULL);

	strbuf_addf(sb, "%s\n%s\n%s\n%s\n%s\n%016llx\n", dkms_tree(s),
		    source_tree(s), install_tree(s),
		    dkms_ctx_get_path(s->ctx, DKMS_PATH_CONF_DIR),
		    coll ? coll : "", conf_env_hash(s));
}

/* Decimal digits by hand: a replay checks a thousand stamps, and
 * printf's cost was a quarter of it. */
static char *put_u(char *p, unsigned long long v)
{
	char tmp[20];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_s(char *p, long long v)
{
	if (v >= 0)
		return put_u(p, (unsigned long long)v);
	*p++ = '-';
	return put_u(p, -(unsigned long long)v);
}

/* sec.nnnnnnnnn, as "%lld.%09ld" */
static char *put_time(char *p, const struct timespec *ts)
{
	long ns = ts->tv_nsec;
	int i;

	p = put_s(p, (long long)ts->tv_sec);
	*p++ = '.';
	for (i = 8; i >= 0; i--, ns /= 10)
		p[i] = (char)('0' + ns % 10);
	return p + 9;
}

#define STAMP_FIELDS_MAX (2 + 4 * 21 + 2 * 31)

/* A stamp line up to its path: "L|F dev ino size mtime ctime ", or "- "
 * when PATH cannot be stat'ed.  Its length in buf. */
static size_t stamp_fields(char *buf, const char *path, bool follow)
{
	struct stat st;
	char *p = buf;

	if ((follow ? stat(path, &st) : lstat(path, &st)) < 0) {
		memcpy(buf, "- ", 2);
		return 2;
	}
	*p++ = follow ? 'F' : 'L';
	*p++ = ' ';
	p = put_u(p, (unsigned long long)st.st_dev);
	*p++ = ' ';
	p = put_u(p, (unsigned long long)st.st_ino);
	*p++ = ' ';
	p = put_s(p, (long long)st.st_size);
	*p++ = ' ';
	p = put_time(p, &st.st_mtim);
	*p++ = ' ';
	p = put_time(p, &st.st_ctim);
	*p++ = ' ';
	return (size_t)(p - buf);
}

/* One stamp line: "L|F dev ino size mtime ctime path" or "- path". */
static void stamp(struct strbuf *sb, const char *path, bool follow)
{
	char buf[STAMP_FIELDS_MAX];

	strbuf_add(sb, buf, stamp_fields(buf, path, follow));
	strbuf_adds(sb, path);
	strbuf_addch(sb, '\n');
}

/* The dkms tree below dir, depth levels deep: every entry, links also
 * followed; not into a version's source/ and build/. */
static void stamp_tree(struct strbuf *sb, const char *dir, int depth,
		       size_t *versions)
{
	DIR *d;
	struct dirent *de;

	stamp(sb, dir, false);
	if (depth == 0 || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		_cleanup_free_ char *p = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, CACHE_NAME))
			continue;
		p = path_join(dir, de->d_name);
		if (!p)
			continue;
		if (de->d_type == DT_LNK) {
			stamp(sb, p, false);
			stamp(sb, p, true);
		} else if (de->d_type == DT_DIR && strcmp(de->d_name, "source") &&
			   strcmp(de->d_name, "build")) {
			if (depth == 5)
				(*versions)++;
			stamp_tree(sb, p, depth - 1, versions);
		} else {
			stamp(sb, p, false);
		}
	}
	closedir(d);
}

/* What a built or installed entry's notes read outside the dkms tree. */
static int stamp_built(void *data, const struct dkms_status_entry *e)
{
	struct status_cache *c = data;
	struct dkms_session *s = c->s;
	_cleanup_free_ char *ksrc = NULL, *kconf = NULL, *conf = NULL;
	struct modconf mc;
	size_t i;
	int r;

	if (e->state != DKMS_STATE_BUILT && e->state != DKMS_STATE_INSTALLED)
		return 0;
	conf = tree_path(s, "%s/%s/source/dkms.conf", e->module, e->version);
	ksrc = kernel_source_dir(s, e->kernelver);
	kconf = ksrc ? kernel_config_path(s, ksrc) : NULL;
	if (!conf)
		return -ENOMEM;
	stamp(&c->stamps, conf, true);
	if (kconf)
		stamp(&c->stamps, kconf, true);
	r = modconf_read(s, e->module, e->version, e->kernelver, e->arch, conf,
			 MC_NO_DIE | MC_NO_CACHE | MC_NO_STDERR, &mc);
	for (i = 0; (r == 0 || r == -DKMS_EBADCONF) && i < mc.n; i++) {
		const char *cs = module_compressed_suffix(s, e->kernelver);
		_cleanup_free_ char *dest = find_actual_dest(s, &mc, i, e->module,
							     e->kernelver, e->arch, cs);
		const char *locs[2] = { mc.mod[i].dest_location,
					mc.mod[i].raw_dest_location };
		size_t k;

		for (k = 0; k < 2; k++) {
			_cleanup_free_ char *dir = xasprintf("%s/%s%s", install_tree(s),
							     e->kernelver, locs[k]);
			_cleanup_free_ char *ko = dir ? ko_in_dir(dir, mc.mod[i].dest_name, cs) : NULL;

			if (dir)
				stamp(&c->stamps, dir, true);
			if (ko)
				stamp(&c->stamps, ko, true);
		}
	}
	modconf_clear(&mc);
	return 0;
}

static int take_stamps(struct status_cache *c)
{
	struct strbuf *sb = &c->stamps;
	size_t versions = 0;
	int r;

	strbuf_adds(sb, CACHE_MAGIC);
	key(c->s, sb);
	/* m / v / k / a / module / files */
	stamp_tree(sb, dkms_tree(c->s), 6, &versions);
	if (versions < CACHE_MIN_VERSIONS)
		return -EAGAIN;
	stamp(sb, dkms_ctx_get_path(c->s->ctx, DKMS_PATH_CONF_DIR), true);
	r = dkms_status_walk(c->s, NULL, NULL, NULL, NULL, stamp_built, c);
	strbuf_adds(sb, "--\n");
	return r < 0 ? r : 0;
}

/* ---- replay ---------------------------------------------------------- */

/* The path of a stamp line [p, nl): after "- " or the six fields. */
static const char *stamp_path(const char *p, const char *nl)
{
	int fields = p[0] == '-' ? 1 : 6;

	for (; p && nl && p < nl && fields > 0; fields--) {
		p = memchr(p, ' ', (size_t)(nl - p));
		if (p)
			p++;
	}
	return p && nl && p < nl && fields == 0 ? p : NULL;
}

/* The stamps of text (up to "--\n") still hold; *rest gets what follows. */
static bool stamps_hold(struct dkms_session *s, const char *text,
			const char **rest)
{
	struct strbuf now = { 0 }, path = { 0 };
	const char *end = strstr(text, "\n--\n"), *p, *nl;
	bool ok = true;

	if (!end || !startswith(text, CACHE_MAGIC))
		return false;
	end += 4;
	key(s, &now);
	p = text + strlen(CACHE_MAGIC);
	if (strncmp(p, strbuf_str(&now), now.len))
		ok = false;
	for (p += now.len; ok && p < end - 3; p = nl + 1) {
		char buf[STAMP_FIELDS_MAX];
		const char *pp;
		size_t n;

		nl = strchr(p, '\n');
		pp = stamp_path(p, nl);
		path.len = 0;
		if (!pp || strbuf_add(&path, pp, (size_t)(nl - pp)) < 0) {
			ok = false;
			break;
		}
		/* the path is the line's own: the fields before it decide */
		n = stamp_fields(buf, path.buf, p[0] == 'F');
		ok = n == (size_t)(pp - p) && !memcmp(buf, p, n);
	}
	strbuf_release(&now);
	strbuf_release(&path);
	*rest = end;
	return ok;
}

/* Chunks: "O|E <len>\n<bytes>".  A run of chunks of one stream is
 * written at once: one write for the whole answer, not one a line. */
static bool replay(struct dkms_session *s, const char *p, const char *end)
{
	struct strbuf run = { 0 };
	const char *q;
	char cur = 0;

	/* check the whole record first: a torn file prints nothing */
	for (q = p; q < end;) {
		char *nl;
		unsigned long len = strtoul(q + 2, &nl, 10);

		if ((q[0] != 'O' && q[0] != 'E') || *nl != '\n' ||
		    len > (size_t)(end - nl - 1))
			return false;
		q = nl + 1 + len;
	}
	while (p < end) {
		char *nl;
		unsigned long len = strtoul(p + 2, &nl, 10);

		if (cur && p[0] != cur && run.len) {
			dkms_write(s->ctx, cur == 'O' ? DKMS_STDOUT : DKMS_STDERR,
				   run.buf, run.len);
			run.len = 0;
		}
		cur = p[0];
		if (strbuf_add(&run, nl + 1, len) < 0) {
			/* no memory for a longer run: what we have, then this */
			dkms_write(s->ctx, cur == 'O' ? DKMS_STDOUT : DKMS_STDERR,
				   run.buf, run.len);
			dkms_write(s->ctx, cur == 'O' ? DKMS_STDOUT : DKMS_STDERR,
				   nl + 1, len);
			run.len = 0;
		}
		p = nl + 1 + len;
	}
	if (run.len)
		dkms_write(s->ctx, cur == 'O' ? DKMS_STDOUT : DKMS_STDERR,
			   run.buf, run.len);
	strbuf_release(&run);
	return true;
}

int status_cache_replay(struct dkms_session *s, const char *m, const char *v,
			const char *kver, const char *arch)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	const char *rest;
	size_t len;

	if (!unfiltered(m, v, kver, arch))
		return -ENOENT;
	path = cache_path(s);
	if (!path || read_file(path, &text, &len) < 0)
		return -ENOENT;
	if (strlen(text) != len)
		return -ENOENT; /* our records are text; NUL is corruption */
	if (!stamps_hold(s, text, &rest) || !replay(s, rest, text + len))
		return -ENOENT;
	return 0;
}

/* ---- record ---------------------------------------------------------- */

static void record_output(void *data, enum dkms_stream stream,
			  const char *text, size_t len)
{
	struct status_cache *c = data;

	c->fn(c->data, stream, text, len);
	strbuf_addf(&c->out, "%c %zu\n", stream == DKMS_STDOUT ? 'O' : 'E', len);
	strbuf_add(&c->out, text, len);
}

struct status_cache *status_cache_begin(struct dkms_session *s, const char *m,
					const char *v, const char *kver,
					const char *arch)
{
	_cleanup_free_ char *dir = NULL;
	struct status_cache *c;
	int r;

	if (!unfiltered(m, v, kver, arch) || access(dkms_tree(s), W_OK) != 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->s = s;
	/* the cache's directory is made before the final stamps: its
	 * creation changes the root's mtime */
	dir = path_join(dkms_tree(s), CACHE_NAME);
	r = dir ? take_stamps(c) : -ENOMEM;
	if (r == 0 && mkdir(dir, 0755) == 0) {
		strbuf_release(&c->stamps);
		r = take_stamps(c);
	}
	if (r < 0) {
		strbuf_release(&c->stamps);
		free(c);
		return NULL;
	}
	dkms_ctx_get_output_fn(s->ctx, &c->fn, &c->data);
	dkms_ctx_set_output_fn(s->ctx, record_output, c);
	return c;
}

void status_cache_end(struct status_cache *c, int walk_result)
{
	_cleanup_free_ char *path = NULL;

	if (!c)
		return;
	dkms_ctx_set_output_fn(c->s->ctx, c->fn, c->data);
	path = cache_path(c->s);
	if (path && walk_result >= 0) {
		strbuf_add(&c->stamps, c->out.buf, c->out.len);
		/* a tree we cannot write, a full disk: no cache, same output */
		(void)write_file_atomic(path, c->stamps.buf, c->stamps.len, 0644);
	}
	strbuf_release(&c->stamps);
	strbuf_release(&c->out);
	free(c);
}
