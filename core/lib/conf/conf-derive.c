/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * read_conf's work after sourcing, as dkms 3.4.3 does it: defaults, module
 * records, validation messages, the make command, patches and the
 * BUILD_EXCLUSIVE_* verdict per module.  Bash's [[ =~ ]] is POSIX ERE
 * (regcomp REG_EXTENDED), grep's default is BRE; an invalid pattern never
 * matches, which is what the bash tests amount to.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"

static bool ere_match(const char *re, const char *s)
{
	regex_t rx;
	bool m;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	m = regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return m;
}

/* grep -q "$re" FILE: any line matching the basic regular expression.
 * REG_NEWLINE makes ^ and $ work per line and keeps matches inside one,
 * as grep's line-by-line matching does. */
static bool grep_q(const char *re, const char *text)
{
	regex_t rx;
	bool m;

	if (!text || regcomp(&rx, re, REG_NOSUB | REG_NEWLINE) != 0)
		return false;
	m = regexec(&rx, text, 0, NULL, 0) == 0;
	regfree(&rx);
	return m;
}

static int err_line(struct dkms_conf *conf, const char *fmt, ...) _printf_(2, 3);
static int err_line(struct dkms_conf *conf, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = strbuf_vaddf(&conf->err, fmt, ap);
	va_end(ap);
	return r < 0 ? r : strbuf_addch(&conf->err, '\n');
}

static const char *val(const struct dkms_conf *conf, const char *name, long i)
{
	return varset_value(&conf->vars, name, i);
}

static int set(struct dkms_conf *conf, const char *name, long i, const char *v)
{
	return varset_assign(&conf->vars, name, i, v);
}

/* One sed substitution of VER(): put a space between a char of class
 * `first` and a following char of class `second`, globally. */
static void ver_split(struct strbuf *out, const char *s, bool first_digit)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++) {
		bool d0 = s[i] >= '0' && s[i] <= '9';
		bool d1 = i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9';

		strbuf_addch(out, s[i]);
		if (i + 1 < n && d0 == first_digit && d1 != first_digit) {
			strbuf_addch(out, ' ');
			strbuf_addch(out, s[++i]);
		}
	}
}

/* s/ \(digits{width}\) / <pad>\1 /g: exactly `width` digits between
 * single spaces; the closing space is consumed by the match. */
static void ver_pad(struct strbuf *out, const char *s, size_t width)
{
	size_t i = 0, n = strlen(s), k;

	while (i < n) {
		bool ok = s[i] == ' ' && i + width + 1 < n && s[i + width + 1] == ' ';

		for (k = 1; ok && k <= width; k++)
			ok = s[i + k] >= '0' && s[i + k] <= '9';
		if (!ok) {
			strbuf_addch(out, s[i++]);
			continue;
		}
		strbuf_adds(out, width == 1 ? " 00" : " 0");
		strbuf_add(out, s + i + 1, width);
		strbuf_addch(out, ' ');
		i += width + 2;
	}
}

char *conf_ver(const char *version)
{
	struct strbuf a = { 0 }, b = { 0 };
	size_t i, j;
	char *r;

	ver_split(&a, version, false);           /* non-digit, digit */
	ver_split(&b, strbuf_str(&a), true);     /* digit, non-digit */
	strbuf_release(&a);
	strbuf_addch(&a, ' ');
	strbuf_adds(&a, strbuf_str(&b));
	strbuf_addch(&a, ' ');
	strbuf_release(&b);
	ver_pad(&b, strbuf_str(&a), 1);
	strbuf_release(&a);
	ver_pad(&a, strbuf_str(&b), 2);
	strbuf_release(&b);
	r = strbuf_steal(&a);
	if (!r)
		return NULL;
	for (i = j = 0; r[i]; i++)
		if (r[i] != ' ')
			r[j++] = r[i];
	r[j] = '\0';
	return r;
}

/* [[ "$(VER a)" < "$(VER b)" ]] is -1, > is 1. */
static int conf_ver_cmp(const char *a, const char *b)
{
	_cleanup_free_ char *va = conf_ver(a), *vb = conf_ver(b);

	if (!va || !vb)
		return 0;
	return strcmp(va, vb);
}

static bool endswith_o_ko(const char *s)
{
	return endswith(s, ".o") || endswith(s, ".ko");
}

/* What override_dest_module_location echoes, captured by $(...). */
static char *dest_location(const char *addon, const char *distro,
			   const char *orig)
{
	static const struct {
		const char *prefix;
		const char *dir;
	} map[] = {
		{ "fedora", "/extra" },   { "centos", "/extra" },
		{ "rhel", "/extra" },     { "sles", "/updates" },
		{ "suse", "/updates" },   { "opensuse", "/updates" },
		{ "debian", "/updates/dkms" }, { "ubuntu", "/updates/dkms" },
		{ "arch", "/updates/dkms" },
	};
	size_t i, n;

	if (addon && *addon) {
		n = strlen(addon);
		while (n > 0 && addon[n - 1] == '\n')
			n--;
		return xasprintf("/%.*s", (int)n, addon);
	}
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (startswith(distro, map[i].prefix))
			return strdup(map[i].dir);
	/* echo takes -n, -e, -E (and combinations) as options. */
	if (orig[0] == '-' && orig[1] && strspn(orig + 1, "neE") == strlen(orig + 1))
		return strdup("");
	n = strlen(orig);
	while (n > 0 && orig[n - 1] == '\n')
		n--;
	return strndup(orig, n);
}

static long max_record_index(const struct dkms_conf *conf)
{
	static const char *const names[] = { "BUILT_MODULE_NAME",
		"BUILT_MODULE_LOCATION", "DEST_MODULE_NAME", "DEST_MODULE_LOCATION" };
	long max = -1;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		long m = var_max_index(varset_get(&conf->vars, names[i]));

		if (m > max)
			max = m;
	}
	return max;
}

static int derive_scalars(struct dkms_conf *conf, int *rc)
{
	static const char *const pairs[][2] = {
		{ "package_name", "PACKAGE_NAME" },
		{ "package_version", "PACKAGE_VERSION" },
		{ "post_add", "POST_ADD" }, { "post_build", "POST_BUILD" },
		{ "post_install", "POST_INSTALL" }, { "post_remove", "POST_REMOVE" },
		{ "pre_build", "PRE_BUILD" }, { "pre_install", "PRE_INSTALL" },
		{ "obsolete_by", "OBSOLETE_BY" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pairs); i++)
		if (set(conf, pairs[i][0], 0, val(conf, pairs[i][1], 0)) < 0)
			return -ENOMEM;
	if (!*val(conf, "package_name", 0)) {
		err_line(conf, "dkms.conf: Error! No 'PACKAGE_NAME' directive specified.");
		*rc = 1;
	}
	if (!*val(conf, "package_version", 0)) {
		err_line(conf, "dkms.conf: Error! No 'PACKAGE_VERSION' directive specified.");
		*rc = 1;
	}
	return 0;
}

static int derive_strip(struct dkms_conf *conf, long i)
{
	const char *s = val(conf, "STRIP", i);
	const char *first;

	if (*s == 'n' || *s == 'N')
		return set(conf, "strip", i, "no");
	if (*s == 'y' || *s == 'Y')
		return set(conf, "strip", i, "yes");
	if (*s)
		return 0;
	first = val(conf, "strip", 0);
	return set(conf, "strip", i, *first ? first : "yes");
}

static int derive_record(struct dkms_conf *conf, long i, int *rc)
{
	_cleanup_free_ char *loc = NULL, *dest = NULL;
	const char *bn, *bl, *dl;

	if (set(conf, "built_module_name", i, val(conf, "BUILT_MODULE_NAME", i)) < 0 ||
	    set(conf, "built_module_location", i, val(conf, "BUILT_MODULE_LOCATION", i)) < 0 ||
	    set(conf, "dest_module_name", i, val(conf, "DEST_MODULE_NAME", i)) < 0 ||
	    set(conf, "dest_module_location", i, val(conf, "DEST_MODULE_LOCATION", i)) < 0 ||
	    derive_strip(conf, i) < 0)
		return -ENOMEM;
	if (!*val(conf, "built_module_name", i) && conf->num_modules == 1 &&
	    set(conf, "built_module_name", i, val(conf, "PACKAGE_NAME", 0)) < 0)
		return -ENOMEM;
	bn = val(conf, "built_module_name", i);
	if (!*val(conf, "dest_module_name", i) &&
	    set(conf, "dest_module_name", i, bn) < 0)
		return -ENOMEM;
	bl = val(conf, "built_module_location", i);
	if (*bl && bl[strlen(bl) - 1] != '/') {
		loc = xasprintf("%s/", bl);
		if (!loc || set(conf, "built_module_location", i, loc) < 0)
			return -ENOMEM;
	}
	bn = val(conf, "built_module_name", i);
	if (!*bn) {
		err_line(conf, "dkms.conf: Error! No 'BUILT_MODULE_NAME' directive specified for record #%ld.", i);
		*rc = 1;
	}
	if (endswith_o_ko(bn)) {
		err_line(conf, "dkms.conf: Error! 'BUILT_MODULE_NAME' directive ends in '.o' or '.ko' in record #%ld.", i);
		*rc = 1;
	}
	if (endswith_o_ko(val(conf, "dest_module_name", i))) {
		err_line(conf, "dkms.conf: Error! 'DEST_MODULE_NAME' directive ends in '.o' or '.ko' in record #%ld.", i);
		*rc = 1;
	}
	dest = dest_location(conf->addon_modules_dir, conf->distribution,
			     val(conf, "dest_module_location", i));
	if (!dest || set(conf, "dest_module_location", i, dest) < 0)
		return -ENOMEM;
	dl = val(conf, "DEST_MODULE_LOCATION", i);
	if (!*dl) {
		err_line(conf, "dkms.conf: Error! No 'DEST_MODULE_LOCATION' directive specified for record #%ld.", i);
		*rc = 1;
	} else if (!startswith(dl, "/kernel") && !startswith(dl, "/updates") &&
		   !startswith(dl, "/extra")) {
		err_line(conf, "dkms.conf: Error! Directive 'DEST_MODULE_LOCATION' does not begin with");
		err_line(conf, "'/kernel', '/updates', or '/extra' in record #%ld.", i);
		*rc = 1;
	}
	return 0;
}

static void check_lengths(struct dkms_conf *conf, int *rc)
{
	static const char *const names[] = { "built_module_name",
		"built_module_location", "dest_module_name", "dest_module_location" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (dkms_var_count(varset_get(&conf->vars, names[i])) == conf->num_modules)
			continue;
		err_line(conf, "dkms.conf: Error! Module name/location array length mismatch.");
		*rc = 1;
	}
}

static bool read_at(int fd, void *buf, size_t len, uint64_t off)
{
	return off <= (uint64_t)INT64_MAX &&
	       pread(fd, buf, len, (off_t)off) == (ssize_t)len;
}

/* The .comment section of a 64-bit ELF file, read piecewise (a vmlinux
 * is tens of megabytes); NULL when there is none. */
static char *elf_comment(int fd, size_t *len)
{
	_cleanup_free_ Elf64_Shdr *sh = NULL;
	_cleanup_free_ char *names = NULL;
	Elf64_Ehdr eh;
	size_t i;

	if (!read_at(fd, &eh, sizeof(eh), 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(*sh) ||
	    eh.e_shnum == 0 || eh.e_shstrndx >= eh.e_shnum)
		return NULL;
	sh = calloc(eh.e_shnum, sizeof(*sh));
	if (!sh || !read_at(fd, sh, eh.e_shnum * sizeof(*sh), eh.e_shoff) ||
	    sh[eh.e_shstrndx].sh_size > (1u << 24))
		return NULL;
	names = calloc(1, sh[eh.e_shstrndx].sh_size + 1);
	if (!names || !read_at(fd, names, sh[eh.e_shstrndx].sh_size,
			       sh[eh.e_shstrndx].sh_offset))
		return NULL;
	for (i = 0; i < eh.e_shnum; i++) {
		char *data;

		if (sh[i].sh_name >= sh[eh.e_shstrndx].sh_size ||
		    strcmp(names + sh[i].sh_name, ".comment") ||
		    sh[i].sh_size > (1u << 24))
			continue;
		data = malloc(sh[i].sh_size + 1);
		if (!data || !read_at(fd, data, sh[i].sh_size, sh[i].sh_offset)) {
			free(data);
			return NULL;
		}
		*len = sh[i].sh_size;
		return data;
	}
	return NULL;
}

/* Whether `readelf -p .comment vmlinux 2>&1 | grep -q clang` would say
 * yes: the section names clang (or, unreadable, readelf's complaint
 * quoting the path does). */
static bool vmlinux_is_clang(const char *path)
{
	_cleanup_free_ char *comment = NULL;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return strstr(path, "clang") != NULL;
	comment = elf_comment(fd, &len);
	close(fd);
	if (!comment)
		return false;
	return memmem(comment, len, "clang", 5) != NULL;
}

static int derive_make(struct dkms_conf *conf, const char *kconfig_text)
{
	const struct dkms_var *make = varset_get(&conf->vars, "MAKE");
	_cleanup_free_ char *vmlinux = NULL, *cmd = NULL;
	const char *mc = "";
	long i, n = (long)dkms_var_count(make);

	if (!*val(conf, "MAKE_MATCH", 0))
		mc = val(conf, "MAKE", 0);
	for (i = 0; i < n; i++) {
		const char *m = val(conf, "MAKE", i), *re = val(conf, "MAKE_MATCH", i);

		if (*m && *re && ere_match(re, conf->kernelver))
			mc = m;
	}
	if (*mc)
		cmd = strdup(mc);
	else
		cmd = xasprintf("make -C %s M=%s/%s/%s/build", conf->kernel_source_dir,
				conf->dkms_tree, conf->module, conf->module_version);
	vmlinux = path_join(conf->kernel_source_dir, "vmlinux");
	if (!cmd || !vmlinux)
		return -ENOMEM;
	if (path_exists(vmlinux) ? vmlinux_is_clang(vmlinux)
				 : kconfig_text && strstr(kconfig_text, "CONFIG_CC_IS_CLANG=y")) {
		char *c = xasprintf("%s LLVM=1", cmd);

		if (!c)
			return -ENOMEM;
		free(cmd);
		cmd = c;
	}
	return set(conf, "make_command", 0, cmd);
}

static int derive_patches(struct dkms_conf *conf)
{
	long i, count = 0, n = (long)dkms_var_count(varset_get(&conf->vars, "PATCH"));

	for (i = 0; i < n; i++) {
		const char *p = val(conf, "PATCH", i), *re = val(conf, "PATCH_MATCH", i);

		if (*p && (!*re || ere_match(re, conf->kernelver)))
			if (set(conf, "patch_array", count++, p) < 0)
				return -ENOMEM;
	}
	return 0;
}

/* BUILD_EXCLUSIVE_CONFIG: each word must be =y/=m, or not with a '!'. */
static bool config_ok(const char *words, const char *kconfig_text)
{
	_cleanup_free_ char *copy = strdup(words);
	char *save = NULL, *w;

	if (!copy)
		return false;
	for (w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		bool neg = w[0] == '!';
		_cleanup_free_ char *re = xasprintf("^%s=[ym]", neg ? w + 1 : w);
		bool found = re && grep_q(re, kconfig_text);

		if (neg == found)
			return false;
	}
	return true;
}

static bool index_has_exclusive(const struct dkms_conf *conf, long i)
{
	return *val(conf, "BUILD_EXCLUSIVE_KERNEL", i) ||
	       *val(conf, "BUILD_EXCLUSIVE_KERNEL_MIN", i) ||
	       *val(conf, "BUILD_EXCLUSIVE_KERNEL_MAX", i) ||
	       *val(conf, "BUILD_EXCLUSIVE_ARCH", i) ||
	       *val(conf, "BUILD_EXCLUSIVE_CONFIG", i);
}

/* The kernel/arch/config conditions of record i (index 0 doubles as the
 * global one, as in bash where $X is ${X[0]}): NULL when they hold, else
 * the name of the first directive that does not (diagnose names it). */
static const char *exclusive_fails(const struct dkms_conf *conf, long i,
				   const char *kconfig_text, bool have_kconfig)
{
	const char *k = conf->kernelver, *s;

	s = val(conf, "BUILD_EXCLUSIVE_KERNEL", i);
	if (*s && !ere_match(s, k))
		return "BUILD_EXCLUSIVE_KERNEL";
	s = val(conf, "BUILD_EXCLUSIVE_KERNEL_MIN", i);
	if (*s && conf_ver_cmp(k, s) < 0)
		return "BUILD_EXCLUSIVE_KERNEL_MIN";
	s = val(conf, "BUILD_EXCLUSIVE_KERNEL_MAX", i);
	if (*s && conf_ver_cmp(k, s) > 0)
		return "BUILD_EXCLUSIVE_KERNEL_MAX";
	s = val(conf, "BUILD_EXCLUSIVE_ARCH", i);
	if (*s && !ere_match(s, conf->arch))
		return "BUILD_EXCLUSIVE_ARCH";
	s = val(conf, "BUILD_EXCLUSIVE_CONFIG", i);
	if (*s && have_kconfig && !config_ok(s, kconfig_text))
		return "BUILD_EXCLUSIVE_CONFIG";
	return NULL;
}

static int derive_exclusive(struct dkms_conf *conf, const char *kconfig_text,
			    bool have_kconfig)
{
	const char *obsolete = val(conf, "obsolete_by", 0);
	bool directives = index_has_exclusive(conf, 0);
	const char *global;
	size_t i, buildable = 0;

	if (*obsolete && !*val(conf, "BUILD_EXCLUSIVE_KERNEL_MAX", 0)) {
		bool per_module = false;

		for (i = 0; i < conf->num_modules; i++)
			per_module |= !!*val(conf, "BUILD_EXCLUSIVE_KERNEL_MAX", (long)i);
		if (!per_module &&
		    set(conf, "BUILD_EXCLUSIVE_KERNEL_MAX", 0, obsolete) < 0)
			return -ENOMEM;
		directives = index_has_exclusive(conf, 0);
	}
	conf->excluded = calloc(conf->num_modules + 1, sizeof(bool));
	conf->exclusion = calloc(conf->num_modules + 1, sizeof(*conf->exclusion));
	if (!conf->excluded || !conf->exclusion)
		return -ENOMEM;
	/* The global conditions (element 0) hold for every record. */
	global = conf->num_modules == 0 ? NULL :
		 exclusive_fails(conf, 0, kconfig_text, have_kconfig);
	for (i = 0; i < conf->num_modules; i++) {
		struct conf_exclusion *e = &conf->exclusion[i];

		directives |= index_has_exclusive(conf, (long)i);
		if (global)
			*e = (struct conf_exclusion){ global, 0 };
		else if (i > 0)
			*e = (struct conf_exclusion){
				exclusive_fails(conf, (long)i, kconfig_text,
						have_kconfig), (long)i };
		conf->excluded[i] = e->directive != NULL;
		buildable += !conf->excluded[i];
	}
	if (conf->num_modules == 0)
		directives = false;
	return set(conf, "build_exclude", 0,
		   buildable == 0 && directives ? "yes" : "");
}

static void check_yes_no(struct dkms_conf *conf, const char *name, int *rc)
{
	const char *v = val(conf, name, 0);

	if (!*v || !strcasecmp(v, "yes"))
		return;
	if (!strcasecmp(v, "no")) {
		set(conf, name, 0, "");
		return;
	}
	err_line(conf, "dkms.conf: Error! Unsupported %s value '%s'", name, v);
	*rc = 1;
}

static void check_duplicates(struct dkms_conf *conf, bool built, int *rc)
{
	struct strbuf names = { 0 };
	size_t i;

	for (i = 0; i < conf->num_modules; i++) {
		_cleanup_free_ char *m = NULL, *hay = NULL, *needle = NULL;

		if (built)
			m = xasprintf("%s%s", val(conf, "built_module_location", (long)i),
				      val(conf, "built_module_name", (long)i));
		else
			m = strdup(val(conf, "dest_module_name", (long)i));
		hay = xasprintf(" %s ", strbuf_str(&names));
		needle = xasprintf(" %s ", m ? m : "");
		if (m && hay && needle && strstr(hay, needle)) {
			err_line(conf, "dkms.conf: Error! Duplicate module '%s' in '%s[%zu]'.",
				 m, built ? "BUILT_MODULE_NAME" : "DEST_MODULE_NAME", i);
			*rc = 1;
		}
		strbuf_addch(&names, ' ');
		strbuf_adds(&names, m ? m : "");
	}
	strbuf_release(&names);
}

int conf_derive(struct dkms_conf *conf, bool strict)
{
	_cleanup_free_ char *kconfig_text = NULL;
	bool have_kconfig = path_exists(conf->kernel_config);
	int rc = 0, r;
	long i;

	if (have_kconfig)
		read_file(conf->kernel_config, &kconfig_text, NULL);
	r = derive_scalars(conf, &rc);
	if (r < 0)
		return r;
	conf->num_modules = (size_t)(max_record_index(conf) + 1);
	for (i = 0; i < (long)conf->num_modules; i++) {
		r = derive_record(conf, i, &rc);
		if (r < 0)
			return r;
	}
	check_lengths(conf, &rc);
	r = derive_make(conf, kconfig_text);
	if (r == 0)
		r = derive_patches(conf);
	if (r == 0)
		r = derive_exclusive(conf, kconfig_text, have_kconfig);
	if (r < 0)
		return r;
	check_yes_no(conf, "AUTOINSTALL", &rc);
	check_yes_no(conf, "BUILD_DEPENDS_REBUILD", &rc);
	check_yes_no(conf, "NO_WEAK_MODULES", &rc);
	if (strict && rc == 0) {
		if (conf->num_modules == 0)
			err_line(conf, "dkms.conf: Warning! Zero modules specified.");
		check_duplicates(conf, true, &rc);
		check_duplicates(conf, false, &rc);
	}
	conf->rc = rc;
	return 0;
}
