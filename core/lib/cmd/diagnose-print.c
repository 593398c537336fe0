/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `dkms diagnose`'s output: one entry (a module version on a kernel) as
 * a screen of text, or as a JSON object.
 *
 * Text: the line `dkms status` prints for it, then "verdict: ok" or
 * "verdict: not usable", a "problem:" line for each fact that keeps it
 * from working and a "note:" line for each one worth knowing, then the
 * facts: headers, the build's make.log (a failed build's first errors
 * under it) and build report, each module file with its vermagic,
 * signature, whether the kernel will load it, whether modules.dep lists
 * it and (on the running kernel) whether it is loaded.
 *
 * JSON (version 1; members are only ever added): one object,
 *
 *   "running_kernel"   the running kernel's release
 *   "secure_boot"      "enabled" | "disabled" | "unknown"
 *   "entries"          one object per module version and kernel:
 *     "module", "version"     strings
 *     "kernel", "arch"        strings; null for a broken module version
 *     "state"                 "broken" | "added" | "built" | "installed"
 *                             | "installed-weak" (dkms status's words)
 *     "weak_from"             installed-weak: the kernel it was built for
 *     "original_kept"         dkms keeps the module the kernel shipped
 *     "usable"                no problem found
 *     "problems", "notes"     the text's problem and note lines
 *     "kernel_installed"      the install tree has the kernel
 *     "running"               it is the running kernel
 *     "headers"               {"dir", "present", "link_target" (where a
 *                             dangling build link points, or null),
 *                             "package" (the package that has them, or
 *                             null)}
 *     "kernel_release"        the release the headers (else a module of
 *                             the kernel) name, or null
 *     "excluded"              BUILD_EXCLUSIVE leaves no module to build
 *     "exclusions"            [{"module", "directive", "index" (0: the
 *                             global one), "value", "from_obsolete_by"}]
 *     "conf_valid"            the dkms.conf reads for the kernel
 *     "build"                 {"log" (make.log of the build, or of the
 *                             failed one, or null), "failed",
 *                             "exit_code" (null unless failed),
 *                             "errors" (its first compiler and make
 *                             error lines), "report" (the build report,
 *                             or null), "sandbox", "memory_limit" (its
 *                             lines, or null), "warnings"}
 *     "modules"               one object per module file built:
 *       "name"                NAME.ko
 *       "built", "installed"  paths, or null
 *       "differs"             the installed copy is not the built one
 *       "vermagic"            of the installed copy, else the built one
 *       "vermagic_matches"    its release is the kernel's
 *       "signed", "signer", "key_id", "hash_algo", "enrolled",
 *       "will_load"           as in status --json
 *       "will_load_why"       why will_load says so
 *       "signing_error"       the build report's signing failure, or null
 *       "modules_dep"         "listed" | "not listed" | "no modules.dep";
 *                             null when not installed
 *       "modules_dep_others"  other modules.dep entries of that name
 *       "loaded"              "yes" | "no" | "another version" | "built-in";
 *                             null when not the running kernel
 *       "loaded_srcversion"   the loaded module's srcversion, or null
 */
#include "config.h"

#include <string.h>

#include "cmd/diagnose.h"

/* ---- text ------------------------------------------------------------------- */

static void head_line(struct strbuf *out, const struct diag_entry *e)
{
	if (!e->kernel) {
		strbuf_addf(out, "%s/%s: %s\n", e->module, e->version, e->state);
		return;
	}
	strbuf_addf(out, "%s/%s, %s, %s: %s", e->module, e->version, e->kernel,
		    e->arch, e->state);
	if (e->weak_from)
		strbuf_addf(out, " from %s", e->weak_from);
	if (e->original_kept)
		strbuf_adds(out, " (Original modules exist)");
	strbuf_addch(out, '\n');
}

static void lines(struct strbuf *out, const char *prefix,
		  const struct namelist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		strbuf_addf(out, "%s%s\n", prefix, l->v[i]);
}

static void text_headers(struct strbuf *out, const struct diag_entry *e)
{
	if (e->headers_ok)
		strbuf_addf(out, "  headers: %s\n", e->headers);
	else if (e->headers_link)
		strbuf_addf(out, "  headers: missing: %s -> %s\n", e->headers,
			    e->headers_link);
	else
		strbuf_addf(out, "  headers: missing: %s\n", e->headers);
	if (e->release && strcmp(e->release, e->kernel))
		strbuf_addf(out, "  kernel release: %s\n", e->release);
}

static void text_build(struct strbuf *out, const struct diag_entry *e)
{
	if (e->log)
		strbuf_addf(out, "  build log: %s\n", e->log);
	lines(out, "    ", &e->errors);
	if (!e->report)
		return;
	strbuf_addf(out, "  build report: %s\n", e->report);
	if (e->sandbox)
		strbuf_addf(out, "    sandbox: %s\n", e->sandbox);
	if (e->memory_limit)
		strbuf_addf(out, "    memory limit: %s\n", e->memory_limit);
	lines(out, "    warning: ", &e->warnings);
}

static void text_signature(struct strbuf *out, const struct diag_ko *k)
{
	const struct module_trust *t = &k->trust;

	if (!k->trust_known)
		return;
	if (t->read_error < 0)
		strbuf_addf(out, "    signature: cannot be read: %s\n",
			    strerror(-t->read_error));
	else if (!t->is_signed)
		strbuf_adds(out, "    signature: none\n");
	else
		strbuf_addf(out, "    signature: signed by '%s', key %s, %s; "
			    "enrolled: %s\n", t->sig.signer ? t->sig.signer : "?",
			    t->sig.sig_key ? t->sig.sig_key : "?",
			    t->sig.sig_hashalgo ? t->sig.sig_hashalgo : "?",
			    t->enrolled);
	strbuf_addf(out, "    will load: %s (%s)\n", t->will_load, t->why);
}

static const char *const dep_words[] = {
	[DEP_NO_FILE] = "no modules.dep for this kernel",
	[DEP_LISTED] = "lists it",
	[DEP_NOT_LISTED] = "does not list it",
};

static void text_ko(struct strbuf *out, const struct diag_ko *k)
{
	const char *file = k->installed ? k->installed : k->built;

	strbuf_addf(out, "  %s: %s\n", k->name, file ? file : "missing");
	if (k->vermagic)
		strbuf_addf(out, "    vermagic: %s\n", k->vermagic);
	text_signature(out, k);
	if (k->dep != DEP_NOT_INSTALLED)
		strbuf_addf(out, "    modules.dep: %s\n", dep_words[k->dep]);
	switch (k->loaded) {
	case LOADED_NOT_RUNNING:
		break;
	case LOADED_NO:
		strbuf_adds(out, "    loaded: no\n");
		break;
	case LOADED_YES:
		strbuf_adds(out, "    loaded: yes\n");
		break;
	case LOADED_OTHER:
		strbuf_addf(out, "    loaded: another version (srcversion %s)\n",
			    k->loaded_srcversion);
		break;
	case LOADED_BUILTIN:
		strbuf_adds(out, "    loaded: built into the kernel\n");
		break;
	}
}

void diag_print_text(struct strbuf *out, const struct diag_entry *e,
		     const char *secure_boot)
{
	size_t i;

	head_line(out, e);
	strbuf_addf(out, "  verdict: %s\n", e->problems.n ? "not usable" : "ok");
	lines(out, "  problem: ", &e->problems);
	lines(out, "  note: ", &e->notes);
	if (!e->kernel)
		return;
	text_headers(out, e);
	text_build(out, e);
	for (i = 0; i < e->n_ko; i++)
		text_ko(out, &e->ko[i]);
	if (e->n_ko)
		strbuf_addf(out, "  secure boot: %s\n", secure_boot);
}

/* ---- JSON ------------------------------------------------------------------- */

static void key_str(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	if (v)
		json_string(j, v);
	else
		json_null(j);
}

static void key_bool(struct json *j, const char *k, bool v)
{
	json_key(j, k);
	json_bool(j, v);
}

static void key_list(struct json *j, const char *k, const struct namelist *l)
{
	size_t i;

	json_key(j, k);
	json_begin_array(j);
	for (i = 0; i < l->n; i++)
		json_string(j, l->v[i]);
	json_end_array(j);
}

static void json_headers(struct json *j, const struct diag_entry *e)
{
	json_key(j, "headers");
	if (!e->kernel) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	key_str(j, "dir", e->headers);
	key_bool(j, "present", e->headers_ok);
	key_str(j, "link_target", e->headers_link);
	key_str(j, "package", e->headers_package);
	json_end_object(j);
}

static void json_exclusions(struct json *j, const struct diag_entry *e)
{
	size_t i;

	key_bool(j, "excluded", e->excluded);
	json_key(j, "exclusions");
	json_begin_array(j);
	for (i = 0; i < e->n_excl; i++) {
		json_begin_object(j);
		key_str(j, "module", e->excl[i].module);
		key_str(j, "directive", e->excl[i].directive);
		json_key(j, "index");
		json_int(j, e->excl[i].index);
		key_str(j, "value", e->excl[i].value);
		key_bool(j, "from_obsolete_by", e->excl[i].from_obsolete_by);
		json_end_object(j);
	}
	json_end_array(j);
}

static void json_build(struct json *j, const struct diag_entry *e)
{
	json_key(j, "build");
	json_begin_object(j);
	key_str(j, "log", e->log);
	key_bool(j, "failed", e->failed);
	json_key(j, "exit_code");
	if (e->failed)
		json_int(j, e->exit_code);
	else
		json_null(j);
	key_list(j, "errors", &e->errors);
	key_str(j, "report", e->report);
	key_str(j, "sandbox", e->sandbox);
	key_str(j, "memory_limit", e->memory_limit);
	key_list(j, "warnings", &e->warnings);
	json_end_object(j);
}

static const char *const dep_json[] = {
	[DEP_NOT_INSTALLED] = NULL,
	[DEP_NO_FILE] = "no modules.dep",
	[DEP_LISTED] = "listed",
	[DEP_NOT_LISTED] = "not listed",
};

static const char *const loaded_json[] = {
	[LOADED_NOT_RUNNING] = NULL,
	[LOADED_NO] = "no",
	[LOADED_YES] = "yes",
	[LOADED_OTHER] = "another version",
	[LOADED_BUILTIN] = "built-in",
};

static void json_ko(struct json *j, const struct diag_ko *k)
{
	const struct module_trust *t = &k->trust;

	json_begin_object(j);
	key_str(j, "name", k->name);
	key_str(j, "built", k->built);
	key_str(j, "installed", k->installed);
	key_bool(j, "differs", k->differs);
	key_str(j, "vermagic", k->vermagic);
	json_key(j, "vermagic_matches");
	if (k->vermagic)
		json_bool(j, k->vermagic_ok);
	else
		json_null(j);
	key_bool(j, "signed", t->is_signed);
	key_str(j, "signer", t->sig.signer);
	key_str(j, "key_id", t->sig.sig_key);
	key_str(j, "hash_algo", t->sig.sig_hashalgo);
	key_str(j, "enrolled", t->enrolled);
	key_str(j, "will_load", k->trust_known ? t->will_load : NULL);
	key_str(j, "will_load_why", k->trust_known ? t->why : NULL);
	key_str(j, "signing_error", k->sign_failed);
	key_str(j, "modules_dep", dep_json[k->dep]);
	key_list(j, "modules_dep_others", &k->dep_others);
	key_str(j, "loaded", loaded_json[k->loaded]);
	key_str(j, "loaded_srcversion", k->loaded_srcversion);
	json_end_object(j);
}

void diag_print_json(struct json *j, const struct diag_entry *e)
{
	size_t i;

	json_begin_object(j);
	key_str(j, "module", e->module);
	key_str(j, "version", e->version);
	key_str(j, "kernel", e->kernel);
	key_str(j, "arch", e->arch);
	key_str(j, "state", e->state);
	key_str(j, "weak_from", e->weak_from);
	key_bool(j, "original_kept", e->original_kept);
	key_bool(j, "usable", !e->problems.n);
	key_list(j, "problems", &e->problems);
	key_list(j, "notes", &e->notes);
	key_bool(j, "kernel_installed", e->kernel_installed);
	key_bool(j, "running", e->running);
	json_headers(j, e);
	key_str(j, "kernel_release", e->release);
	json_exclusions(j, e);
	key_bool(j, "conf_valid", e->kernel && !e->conf_bad);
	json_build(j, e);
	json_key(j, "modules");
	json_begin_array(j);
	for (i = 0; i < e->n_ko; i++)
		json_ko(j, &e->ko[i]);
	json_end_array(j);
	json_end_object(j);
}
