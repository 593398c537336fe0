/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Read purely declarative dkms.conf files without a shell.
 *
 * Accepted: comments, blank lines, and commands made only of assignments
 * NAME=word or NAME[digits]=word (no leading zero), separated by blanks,
 * ';' or newlines, where a word is plain characters, '...', "..." and
 * $NAME / ${NAME} expansions of variables whose value is known here.
 * Anything else (command substitution, backquotes, any command or
 * keyword, ${x...} operators, $1, ~, redirections, special shell
 * variables, a subscript bash reads as octal) makes the read fall back to
 * bash: -EOPNOTSUPP.
 *
 * Then the re-emission of safe_source is reproduced: a value is echoed
 * unquoted inside NAME[i]="...", so runs of blanks collapse to one space
 * and the result is expanded again.  We only accept values for which that
 * is provably just the blank collapsing: the second expansion must leave
 * them alone (no quote, backquote, live '$' or escaping '\') and any
 * glob pattern among the echoed words must match nothing in the
 * directory bash runs in (the conf's).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <string.h>

#include "conf/conf.h"

#define UNSUPPORTED (-EOPNOTSUPP)

struct native {
	struct conf_eval *ev;
	/* Variables a conf may expand: dkms's, the conf vars, its own. */
	struct varset shell;
	/* The entries of the conf's directory (bash's cwd). */
	char **cwd;
	size_t ncwd;
	const char *p;
	const char *end;
};

static bool is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Names the driver or bash itself give a meaning: never assigned here. */
static bool reserved_name(const char *name)
{
	static const char *const names[] = {
		"IFS", "PATH", "HOME", "CDPATH", "ENV", "GLOBIGNORE", "SHELLOPTS",
		"BASHOPTS", "PS1", "PS2", "PS3", "PS4", "OPTIND", "OPTARG", "OPTERR",
		"LINENO", "RANDOM", "SRANDOM", "SECONDS", "EPOCHSECONDS",
		"EPOCHREALTIME", "FUNCNAME", "GROUPS", "HOSTNAME", "HOSTTYPE",
		"MACHTYPE", "OSTYPE", "PPID", "UID", "EUID", "PWD", "OLDPWD", "SHLVL",
		"LANG", "TMOUT", "TMPDIR", "HISTFILE", "HISTSIZE", "HISTCONTROL",
		"HISTIGNORE", "HISTCMD", "MAIL", "MAILPATH", "MAILCHECK", "TERM",
		"COLUMNS", "LINES", "POSIXLY_CORRECT", "INPUTRC", "FIGNORE",
		"TIMEFORMAT", "PROMPT_COMMAND", "PROMPT_DIRTRIM", "IGNOREEOF",
		"EXECIGNORE", "FUNCNEST", "CHILD_MAX", "COPROC", "DIRSTACK",
		"PIPESTATUS", "MAPFILE", "REPLY", "auto_resume", "histchars", "_",
		"CR", "export_envs", "to_source_file", "tmpfile", "var",
		"return_value", "read_conf_file", "_conf_file", "kernelver", "arch",
		"dkms_conf_variables", "show_deprecation_warnings", "mv_re",
		"dkms_framework_nonsigning_variables",
		"dkms_framework_signing_variables",
		"dkms_framework_post_transaction",
		"kernel_source_dir", "kernel_config", "dkms_tree", "source_tree",
		"install_tree", "module", "module_version",
	};
	size_t i;

	if (startswith(name, "BASH") || startswith(name, "LC_") ||
	    startswith(name, "COMP") || startswith(name, "READLINE") ||
	    startswith(name, "DKMS_DIRECTIVE") || startswith(name, "__dkms"))
		return true;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

/* The part of dkms's state a conf reads: set before each file. */
static int known_vars(struct native *n)
{
	const struct conf_eval *ev = n->ev;
	const char *const kv[][2] = {
		{ "kernelver", ev->kernelver }, { "arch", ev->arch },
		{ "kernel_source_dir", ev->kernel_source_dir },
		{ "kernel_config", ev->kernel_config },
		{ "dkms_tree", ev->dkms_tree }, { "source_tree", ev->source_tree },
		{ "install_tree", ev->install_tree },
		{ "module", ev->module ? ev->module : "" },
		{ "module_version", ev->module_version ? ev->module_version : "" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kv); i++)
		if (varset_assign(&n->shell, kv[i][0], 0, kv[i][1]) < 0)
			return -ENOMEM;
	return 0;
}

/* $NAME or ${NAME}: element 0, "" when unset.  Names we cannot vouch for
 * (environment, bash's own) are not guessed at. */
static int expand_name(struct native *n, const char *name, struct strbuf *out)
{
	const struct dkms_var *v = varset_get(&n->shell, name);

	if (!v && !conf_is_variable(name))
		return UNSUPPORTED;
	return strbuf_adds(out, var_first(v));
}

static int parse_dollar(struct native *n, struct strbuf *out, bool in_dquotes)
{
	char name[256];
	size_t len = 0;
	bool braced = false;

	n->p++; /* '$' */
	/* A '$' that cannot start an expansion stands for itself. */
	if (n->p >= n->end || strchr("|)].,/:=%^+~ \t\n", *n->p) ||
	    (in_dquotes && *n->p == '"'))
		return strbuf_addch(out, '$');
	if (n->p < n->end && *n->p == '{') {
		braced = true;
		n->p++;
	}
	if (n->p >= n->end || !is_name_start(*n->p))
		return UNSUPPORTED;
	while (n->p < n->end && is_name_char(*n->p)) {
		if (len + 1 >= sizeof(name))
			return UNSUPPORTED;
		name[len++] = *n->p++;
	}
	name[len] = '\0';
	/* bash joins a line continuation's lines before it reads a name:
	 * "$A\<newline>B" names $AB */
	if (!braced && n->p + 1 < n->end && n->p[0] == '\\' && n->p[1] == '\n')
		return UNSUPPORTED;
	if (braced) {
		if (n->p >= n->end || *n->p != '}')
			return UNSUPPORTED;
		n->p++;
	}
	return expand_name(n, name, out);
}

static int parse_single(struct native *n, struct strbuf *out)
{
	const char *q = memchr(n->p + 1, '\'', (size_t)(n->end - n->p - 1));

	if (!q)
		return UNSUPPORTED;
	strbuf_add(out, n->p + 1, (size_t)(q - n->p - 1));
	n->p = q + 1;
	return 0;
}

static int parse_double(struct native *n, struct strbuf *out)
{
	int r;

	n->p++;
	while (n->p < n->end && *n->p != '"') {
		char c = *n->p;

		if (c == '`')
			return UNSUPPORTED;
		if (c == '$') {
			r = parse_dollar(n, out, true);
			if (r < 0)
				return r;
			continue;
		}
		if (c == '\\' && n->p + 1 < n->end) {
			char d = n->p[1];

			if (d == '\n') {
				n->p += 2;
				continue;
			}
			if (d == '$' || d == '`' || d == '"' || d == '\\') {
				strbuf_addch(out, d);
				n->p += 2;
				continue;
			}
		}
		strbuf_addch(out, c);
		n->p++;
	}
	if (n->p >= n->end)
		return UNSUPPORTED;
	n->p++;
	return 0;
}

/* The value of an assignment, up to an unquoted blank, newline or ';'. */
static int parse_value(struct native *n, struct strbuf *out)
{
	int r = 0;

	while (r == 0 && n->p < n->end) {
		char c = *n->p;

		if (is_blank(c) || c == '\n' || c == ';')
			break;
		switch (c) {
		case '\'': r = parse_single(n, out); break;
		case '"': r = parse_double(n, out); break;
		case '$': r = parse_dollar(n, out, false); break;
		case '\\':
			if (n->p + 1 >= n->end)
				return UNSUPPORTED;
			if (n->p[1] != '\n')
				strbuf_addch(out, n->p[1]);
			n->p += 2;
			break;
		case '`': case '(': case ')': case '<': case '>': case '|':
		case '&': case '~': case '{': case '}':
			return UNSUPPORTED;
		default:
			strbuf_addch(out, c);
			n->p++;
		}
	}
	return r;
}

/* NAME or NAME[digits] then '='; fills name and index. */
static int parse_target(struct native *n, char *name, size_t size, long *index)
{
	size_t len = 0;

	*index = 0;
	if (!is_name_start(*n->p))
		return UNSUPPORTED;
	while (n->p < n->end && is_name_char(*n->p)) {
		if (len + 1 >= size)
			return UNSUPPORTED;
		name[len++] = *n->p++;
	}
	name[len] = '\0';
	if (n->p < n->end && *n->p == '[') {
		const char *d = ++n->p;

		while (n->p < n->end && *n->p >= '0' && *n->p <= '9')
			n->p++;
		if (n->p == d || n->p - d > 9 || n->p >= n->end || *n->p != ']')
			return UNSUPPORTED;
		/* a subscript is arithmetic: 010 is 8 to bash, 08 an error */
		if (*d == '0' && n->p - d > 1)
			return UNSUPPORTED;
		*index = strtol(d, NULL, 10);
		n->p++;
	}
	if (n->p >= n->end || *n->p != '=')
		return UNSUPPORTED;
	n->p++;
	if (reserved_name(name))
		return UNSUPPORTED;
	return 0;
}

static int parse_assignment(struct native *n)
{
	struct strbuf value = { 0 };
	char name[256];
	long index;
	int r;

	r = parse_target(n, name, sizeof(name), &index);
	if (r == 0)
		r = parse_value(n, &value);
	if (r == 0)
		r = varset_assign(&n->shell, name, index, strbuf_str(&value));
	strbuf_release(&value);
	return r;
}

static void skip_comment(struct native *n)
{
	while (n->p < n->end && *n->p != '\n')
		n->p++;
}

/* One file, as `. FILE` in the subshell would run it. */
static int parse_file(struct native *n, const char *text, size_t len)
{
	bool in_command = false; /* ';' needs a command before it */
	int r;

	if (memchr(text, '\0', len))
		return UNSUPPORTED;
	n->p = text;
	n->end = text + len;
	while (n->p < n->end) {
		char c = *n->p;

		if (is_blank(c)) {
			n->p++;
		} else if (c == '\\' && n->p + 1 < n->end && n->p[1] == '\n') {
			n->p += 2;
		} else if (c == '\n') {
			in_command = false;
			n->p++;
		} else if (c == '#') {
			skip_comment(n);
		} else if (c == ';') {
			if (!in_command)
				return UNSUPPORTED;
			in_command = false;
			n->p++;
		} else {
			r = parse_assignment(n);
			if (r < 0)
				return r;
			in_command = true;
		}
	}
	return 0;
}

/* Whether the second expansion, inside "...", leaves c unchanged: no
 * quote or backquote, '$' only before a character that cannot start an
 * expansion, '\' only before one it does not escape. */
static bool stable_in_dquotes(const char *c)
{
	for (; *c; c++) {
		if (*c == '"' || *c == '`')
			return false;
		if (*c == '$' && c[1] && !strchr("|)].,/ :=%^+~", c[1]))
			return false;
		if (*c == '\\' && (!c[1] || strchr("$`\"\\", c[1])))
			return false;
	}
	return true;
}

static bool has_glob(const char *f)
{
	const char *p;

	if (strpbrk(f, "*?["))
		return true;
	for (p = strchr(f, '('); p; p = strchr(p + 1, '('))
		if (p > f && strchr("+@!", p[-1]))
			return true;
	return false;
}

/* Pathname expansion of the echoed fields: a field that is a pattern must
 * match nothing in the current directory (it is then left as it is). */
static int glob_free(const struct native *n, const char *word)
{
	_cleanup_free_ char *copy = strdup(word);
	char *save = NULL, *f;
	bool first = true;
	size_t i;

	if (!copy)
		return -ENOMEM;
	for (f = strtok_r(copy, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		/* NAME[i]="... : see check_cwd(). */
		if (first) {
			first = false;
			continue;
		}
		if (!has_glob(f))
			continue;
		if (strchr(f, '/'))
			return UNSUPPORTED;
		for (i = 0; i < n->ncwd; i++)
			if (fnmatch(f, n->cwd[i], FNM_PERIOD | FNM_EXTMATCH) == 0)
				return UNSUPPORTED;
	}
	return 0;
}

/* What `echo NAME[i]=\"$value\"` then sourcing its output gives back,
 * when we can tell: blanks (space, tab, newline) collapse to one space,
 * nothing else changes. */
static int reemit(const struct native *n, const char *name, long index,
		  const char *value, struct strbuf *out)
{
	_cleanup_free_ char *word = NULL;
	size_t len = strlen(value), i;
	int r;

	if (len && value[len - 1] == '\r')
		len--;
	for (i = 0; i < len; i++) {
		char c = value[i];

		if (c == ' ' || c == '\t' || c == '\n') {
			while (i + 1 < len && strchr(" \t\n", value[i + 1]))
				i++;
			c = ' ';
		}
		if (c == '\0')
			break;
		r = strbuf_addch(out, c);
		if (r < 0)
			return r;
	}
	if (!stable_in_dquotes(strbuf_str(out)))
		return UNSUPPORTED;
	word = xasprintf("%s[%ld]=\"%s\"", name, index, strbuf_str(out));
	if (!word)
		return -ENOMEM;
	return glob_free(n, word);
}

/* The first word echoed, NAME[i]="..., is itself a glob pattern matching
 * NAMEi="... in the current directory (the conf's): make sure nothing
 * there could, and keep the listing for glob_free(). */
static int read_cwd(struct native *n, const char *conf)
{
	_cleanup_free_ char *dir = strdup(conf);
	char *slash;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	d = opendir(slash ? dir : ".");
	if (!d)
		return UNSUPPORTED;
	while (r == 0 && (de = readdir(d))) {
		char **nc;

		if (strstr(de->d_name, "=\"")) {
			r = UNSUPPORTED;
			break;
		}
		nc = realloc(n->cwd, (n->ncwd + 1) * sizeof(*nc));
		if (!nc) {
			r = -ENOMEM;
			break;
		}
		n->cwd = nc;
		n->cwd[n->ncwd] = strdup(de->d_name);
		if (!n->cwd[n->ncwd])
			r = -ENOMEM;
		else
			n->ncwd++;
	}
	closedir(d);
	return r;
}

/* After a file: the conf variables as the parent shell gets them back. */
static int take_back(struct native *n)
{
	size_t i, j;

	for (i = 0; i < conf_variables_count; i++) {
		const char *name = conf_variables[i];
		const struct dkms_var *v = varset_get(&n->shell, name);
		struct dkms_var *dst;

		if (!v || !v->n)
			continue;
		dst = varset_want(&n->ev->vars, name);
		if (!dst)
			return -ENOMEM;
		for (j = 0; j < v->n; j++) {
			struct strbuf sb = { 0 };
			int r = reemit(n, name, v->e[j].index, v->e[j].value, &sb);

			if (r == 0)
				r = var_set(dst, v->e[j].index, strbuf_str(&sb));
			strbuf_release(&sb);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int conf_deprecation_warnings(const struct varset *vars, const char *file,
			      struct strbuf *err)
{
	static const char *const names[] = { "REMAKE_INITRD", "MODULES_CONF",
		"MODULES_CONF_OBSOLETES", "MODULES_CONF_ALIAS_TYPE",
		"MODULES_CONF_OBSOLETE_ONLY" };
	const struct dkms_var *clean = varset_get(vars, "CLEAN");
	size_t i;

	if (dkms_var_count(clean)) {
		const char *c = var_first(clean);

		if (strcmp(c, "true") && strcmp(c, "/bin/true") && strcmp(c, "/usr/bin/true"))
			strbuf_addf(err, "Deprecated feature: CLEAN (%s)\n", file);
	}
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (dkms_var_count(varset_get(vars, names[i])))
			strbuf_addf(err, "Deprecated feature: %s (%s)\n", names[i], file);
	if (dkms_var_count(varset_get(vars, "OBSOLETE_BY")))
		strbuf_addf(err, "Deprecated feature: OBSOLETE_BY (%s): use BUILD_EXCLUSIVE_KERNEL_MAX instead\n", file);
	return 0;
}

static int native_file(struct native *n, const char *file)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	if (read_file(file, &text, &len) < 0)
		return UNSUPPORTED;
	/* The subshell starts from the parent's conf variables. */
	varset_release(&n->shell);
	r = varset_copy(&n->shell, &n->ev->vars);
	if (r == 0)
		r = known_vars(n);
	if (r == 0)
		r = parse_file(n, text, len);
	if (r == 0)
		r = take_back(n);
	if (r == 0 && n->ev->strict)
		r = conf_deprecation_warnings(&n->ev->vars, file, &n->ev->err);
	return r;
}

int conf_eval_native(struct conf_eval *ev)
{
	struct native n = { .ev = ev };
	size_t i;
	int r;

	r = read_cwd(&n, ev->files[0]);
	for (i = 0; r == 0 && i < ev->nfiles; i++)
		if (path_exists(ev->files[i]))
			r = native_file(&n, ev->files[i]);
	varset_release(&n.shell);
	for (i = 0; i < n.ncwd; i++)
		free(n.cwd[i]);
	free(n.cwd);
	return r;
}
