/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dkms.conf reading: each validation path of read_conf/read_conf_strict
 * with dkms 3.4.3's exact message and status, the BUILD_EXCLUSIVE_*,
 * MAKE_MATCH and PATCH_MATCH decisions, /etc/dkms overrides, and the
 * confinement of the bash child (time and output limits).  Every test
 * works in its own scratch tree: conf dir, install tree, kernel source.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "libdkms.h"
#include "tap-check.h"

#define KVER "6.1.0-56-amd64"

static char scratch[] = "/tmp/test-conf.XXXXXX";
static char *conf_path;
static struct dkms_ctx *ctx;

static void setup(void)
{
	char *p;

	strcpy(scratch + strlen(scratch) - 6, "XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
	conf_path = path_join(scratch, "src/dkms.conf");
	ck_assert_int_eq(dkms_ctx_new(&ctx), 0);
	p = path_join(scratch, "etc");
	ck_assert_int_eq(mkdir_p(p, 0755), 0);
	dkms_ctx_set_path(ctx, DKMS_PATH_CONF_DIR, p);
	free(p);
	p = path_join(scratch, "lib");
	dkms_ctx_set_path(ctx, DKMS_PATH_INSTALL_TREE, p);
	free(p);
	dkms_ctx_set_path(ctx, DKMS_PATH_TMP, scratch);
	dkms_ctx_set_path(ctx, DKMS_PATH_DKMS_TREE, "/var/lib/dkms");
	dkms_ctx_set_distribution(ctx, "debian");
	dkms_ctx_set_jobs(ctx, 4);
}

static void teardown(void)
{
	rm_rf(scratch);
	free(conf_path);
	conf_path = NULL;
	ctx = dkms_ctx_unref(ctx);
}

static void put(const char *rel, const char *text)
{
	_cleanup_free_ char *p = path_join(scratch, rel);
	_cleanup_free_ char *dir = strdup(p);

	*strrchr(dir, '/') = '\0';
	ck_assert_int_eq(mkdir_p(dir, 0755), 0);
	ck_assert_int_eq(write_file_atomic(p, text, strlen(text), 0644), 0);
}

/* A valid one-module conf plus `extra`. */
static void put_conf(const char *extra)
{
	_cleanup_free_ char *text = xasprintf(
		"PACKAGE_NAME=foo\nPACKAGE_VERSION=1.0\n"
		"BUILT_MODULE_NAME[0]=foo\nDEST_MODULE_LOCATION[0]=/updates\n%s", extra);

	put("src/dkms.conf", text);
}

struct opts {
	bool strict;
	bool shell;
	const char *kver;
	const char *arch;
	unsigned int timeout_ms;
	size_t output_limit;
	const char *const *directives;
};

static int try_read(const struct opts *o, struct dkms_conf **ret)
{
	_cleanup_free_ char *ksrc = path_join(scratch, "ksrc");
	struct dkms_conf_query q = {
		.path = conf_path, .module = "foo", .module_version = "1.0",
		.kernelver = o->kver ? o->kver : KVER,
		.arch = o->arch ? o->arch : "x86_64",
		.kernel_source_dir = ksrc, .strict = o->strict,
		.force_shell = o->shell, .timeout_ms = o->timeout_ms,
		.output_limit = o->output_limit, .directives = o->directives,
	};

	return dkms_conf_read(ctx, &q, ret);
}

static struct dkms_conf *read_with(const struct opts *o)
{
	struct dkms_conf *conf = NULL;

	ck_assert_int_eq(try_read(o, &conf), 0);
	return conf;
}

static struct dkms_conf *read_plain(void)
{
	const struct opts o = { 0 };

	return read_with(&o);
}

static struct dkms_conf *read_strict(void)
{
	const struct opts o = { .strict = true };

	return read_with(&o);
}

static const char *derived0(const struct dkms_conf *c, const char *name)
{
	const char *v = dkms_var_get(dkms_conf_derived(c, name), 0);

	return v ? v : "(unset)";
}

static void expect(struct dkms_conf *c, int rc, const char *err)
{
	ck_assert_str_eq(dkms_conf_stderr(c), err);
	ck_assert_int_eq(dkms_conf_rc(c), rc);
	dkms_conf_unref(c);
}

START_TEST(test_valid)
{
	struct dkms_conf *c;

	put_conf("");
	c = read_strict();
	ck_assert_int_eq(dkms_conf_num_modules(c), 1);
	ck_assert_str_eq(derived0(c, "dest_module_location"), "/updates/dkms");
	ck_assert_str_eq(derived0(c, "dest_module_name"), "foo");
	ck_assert_str_eq(derived0(c, "strip"), "yes");
	ck_assert(!dkms_conf_used_shell(c));
	expect(c, 0, "");
}
END_TEST

START_TEST(test_missing_package_name)
{
	put("src/dkms.conf", "PACKAGE_VERSION=1.0\nBUILT_MODULE_NAME=a\n"
	    "DEST_MODULE_LOCATION=/updates\n");
	expect(read_plain(), 1,
	       "dkms.conf: Error! No 'PACKAGE_NAME' directive specified.\n");
}
END_TEST

START_TEST(test_missing_package_version)
{
	put("src/dkms.conf", "PACKAGE_NAME=foo\nBUILT_MODULE_NAME=a\n"
	    "DEST_MODULE_LOCATION=/updates\n");
	expect(read_plain(), 1,
	       "dkms.conf: Error! No 'PACKAGE_VERSION' directive specified.\n");
}
END_TEST

START_TEST(test_missing_built_module_name)
{
	put_conf("DEST_MODULE_LOCATION[1]=/updates\n");
	expect(read_plain(), 1, "dkms.conf: Error! No 'BUILT_MODULE_NAME' "
	       "directive specified for record #1.\n");
}
END_TEST

START_TEST(test_single_module_defaults_to_package_name)
{
	struct dkms_conf *c;

	put("src/dkms.conf", "PACKAGE_NAME=foo\nPACKAGE_VERSION=1\n"
	    "DEST_MODULE_LOCATION=/kernel/x\nBUILT_MODULE_LOCATION=src\n");
	c = read_plain();
	ck_assert_str_eq(derived0(c, "built_module_name"), "foo");
	ck_assert_str_eq(derived0(c, "built_module_location"), "src/");
	expect(c, 0, "");
}
END_TEST

START_TEST(test_ko_suffix)
{
	put("src/dkms.conf", "PACKAGE_NAME=foo\nPACKAGE_VERSION=1.0\n"
	    "BUILT_MODULE_NAME=a.ko\nDEST_MODULE_NAME=b.o\n"
	    "DEST_MODULE_LOCATION=/updates\n");
	expect(read_plain(), 1,
	       "dkms.conf: Error! 'BUILT_MODULE_NAME' directive ends in '.o' or '.ko' in record #0.\n"
	       "dkms.conf: Error! 'DEST_MODULE_NAME' directive ends in '.o' or '.ko' in record #0.\n");
}
END_TEST

START_TEST(test_dest_location_missing)
{
	put("src/dkms.conf", "PACKAGE_NAME=foo\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME=a\n");
	expect(read_plain(), 1, "dkms.conf: Error! No 'DEST_MODULE_LOCATION' "
	       "directive specified for record #0.\n");
}
END_TEST

START_TEST(test_dest_location_outside)
{
	put("src/dkms.conf", "PACKAGE_NAME=foo\nPACKAGE_VERSION=1.0\n"
	    "BUILT_MODULE_NAME=a\nDEST_MODULE_LOCATION=/lib/x\n");
	expect(read_plain(), 1,
	       "dkms.conf: Error! Directive 'DEST_MODULE_LOCATION' does not begin with\n"
	       "'/kernel', '/updates', or '/extra' in record #0.\n");
}
END_TEST

START_TEST(test_dest_location_by_distribution)
{
	static const char *const cases[][2] = {
		{ "fedora", "/extra" }, { "rhel", "/extra" },
		{ "opensuse-leap", "/updates" }, { "ubuntu", "/updates/dkms" },
		{ "arch", "/updates/dkms" }, { "gentoo", "/kernel/x" },
	};
	size_t i;

	put("src/dkms.conf", "PACKAGE_NAME=foo\nPACKAGE_VERSION=1\n"
	    "BUILT_MODULE_NAME=a\nDEST_MODULE_LOCATION=/kernel/x\n");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct dkms_conf *c;

		dkms_ctx_set_distribution(ctx, cases[i][0]);
		c = read_plain();
		ck_assert_str_eq(derived0(c, "dest_module_location"), cases[i][1]);
		expect(c, 0, "");
	}
}
END_TEST

/* $ADDON_MODULES_DIR goes over the distribution's directory */
START_TEST(test_dest_location_addon_modules_dir)
{
	struct dkms_conf *c;

	put("src/dkms.conf", "PACKAGE_NAME=foo\nPACKAGE_VERSION=1\n"
	    "BUILT_MODULE_NAME=a\nDEST_MODULE_LOCATION=/kernel/x\n");
	ck_assert_int_eq(dkms_ctx_set_addon_modules_dir(ctx, "extra/addon"), 0);
	ck_assert_str_eq(dkms_ctx_get_addon_modules_dir(ctx), "extra/addon");
	c = read_plain();
	ck_assert_str_eq(derived0(c, "dest_module_location"), "/extra/addon");
	expect(c, 0, "");
	/* "" is unset */
	ck_assert_int_eq(dkms_ctx_set_addon_modules_dir(ctx, ""), 0);
	ck_assert_ptr_null(dkms_ctx_get_addon_modules_dir(ctx));
	c = read_plain();
	ck_assert_str_eq(derived0(c, "dest_module_location"), "/updates/dkms");
	expect(c, 0, "");
}
END_TEST

START_TEST(test_array_length_mismatch)
{
	put_conf("built_module_name[3]=x\n");
	expect(read_plain(), 1,
	       "dkms.conf: Error! Module name/location array length mismatch.\n");
}
END_TEST

START_TEST(test_duplicates_strict_only)
{
	const char *extra = "BUILT_MODULE_NAME[1]=foo\nDEST_MODULE_LOCATION[1]=/extra\n";

	put_conf(extra);
	expect(read_plain(), 0, "");
	expect(read_strict(), 1,
	       "dkms.conf: Error! Duplicate module 'foo' in 'BUILT_MODULE_NAME[1]'.\n"
	       "dkms.conf: Error! Duplicate module 'foo' in 'DEST_MODULE_NAME[1]'.\n");
}
END_TEST

START_TEST(test_zero_modules_strict)
{
	put("src/dkms.conf", "PACKAGE_NAME=foo\nPACKAGE_VERSION=1.0\n");
	expect(read_plain(), 0, "");
	expect(read_strict(), 0, "dkms.conf: Warning! Zero modules specified.\n");
}
END_TEST

START_TEST(test_deprecations_strict_only)
{
	_cleanup_free_ char *want = NULL;

	put_conf("REMAKE_INITRD=yes\nCLEAN=\"make clean\"\nOBSOLETE_BY=5.0\n"
		 "MODULES_CONF[0]=x\n");
	expect(read_plain(), 0, "");
	want = xasprintf("Deprecated feature: CLEAN (%1$s)\n"
			 "Deprecated feature: REMAKE_INITRD (%1$s)\n"
			 "Deprecated feature: MODULES_CONF (%1$s)\n"
			 "Deprecated feature: OBSOLETE_BY (%1$s): use BUILD_EXCLUSIVE_KERNEL_MAX instead\n",
			 conf_path);
	expect(read_strict(), 0, want);
	put_conf("CLEAN=/bin/true\n");
	expect(read_strict(), 0, "");
}
END_TEST

START_TEST(test_autoinstall_values)
{
	struct dkms_conf *c;

	put_conf("AUTOINSTALL=maybe\n");
	expect(read_plain(), 1, "dkms.conf: Error! Unsupported AUTOINSTALL value 'maybe'\n");
	put_conf("AUTOINSTALL=Y\n");
	expect(read_plain(), 1, "dkms.conf: Error! Unsupported AUTOINSTALL value 'Y'\n");
	put_conf("AUTOINSTALL=YES\nNO_WEAK_MODULES=No\nBUILD_DEPENDS_REBUILD=kind\n");
	c = read_plain();
	/* "no" reads as unset afterwards, as dkms blanks it. */
	ck_assert_str_eq(dkms_var_get(dkms_conf_raw(c, "NO_WEAK_MODULES"), 0), "");
	ck_assert_str_eq(dkms_var_get(dkms_conf_raw(c, "AUTOINSTALL"), 0), "YES");
	expect(c, 1, "dkms.conf: Error! Unsupported BUILD_DEPENDS_REBUILD value 'kind'\n");
}
END_TEST

START_TEST(test_loop_forever)
{
	const struct opts o = { .timeout_ms = 300 };
	struct dkms_conf *c = NULL;
	struct timespec a, b;

	put_conf("while :; do :; done\n");
	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(try_read(&o, &c), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_ptr_null(c);
	ck_assert_int_lt(b.tv_sec - a.tv_sec, 5);
}
END_TEST

START_TEST(test_background_job_does_not_hold)
{
	const struct opts o = { .timeout_ms = 5000 };
	struct dkms_conf *c = NULL;
	struct timespec a, b;

	put_conf("sleep 30 &\n");
	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(try_read(&o, &c), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_int_lt(b.tv_sec - a.tv_sec, 3);
	expect(c, 0, "");
}
END_TEST

START_TEST(test_megabytes_of_stderr)
{
	const struct opts o = { .output_limit = 64 * 1024 };
	struct dkms_conf *c = NULL;

	put_conf("while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx >&2; done\n");
	ck_assert_int_eq(try_read(&o, &c), -EFBIG);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_stdout_is_discarded)
{
	put_conf("head -c 3000000 /dev/zero\necho to-stderr >&2\n");
	expect(read_plain(), 0, "to-stderr\n");
}
END_TEST

START_TEST(test_non_utf8_is_data)
{
	struct dkms_conf *c;
	const struct opts shell = { .shell = true };

	/* bash (LC_ALL=C) and dkms take any byte as data. */
	put_conf("MAKE=\"make \xff\xfe x\"\n");
	c = read_plain();
	ck_assert_str_eq(derived0(c, "make_command"), "make \xff\xfe x");
	expect(c, 0, "");
	c = read_with(&shell);
	ck_assert_str_eq(derived0(c, "make_command"), "make \xff\xfe x");
	expect(c, 0, "");
}
END_TEST

START_TEST(test_missing_file)
{
	const struct opts o = { 0 };
	struct dkms_conf *c = NULL;

	ck_assert_int_eq(try_read(&o, &c), -ENOENT);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_shell_errors_are_reported)
{
	_cleanup_free_ char *want = NULL;

	put_conf("no_such_command_x\n");
	want = xasprintf("%s: line 5: no_such_command_x: command not found\n", conf_path);
	expect(read_plain(), 0, want);
}
END_TEST

START_TEST(test_build_exclusive_kernel)
{
	struct dkms_conf *c;

	put_conf("BUILD_EXCLUSIVE_KERNEL=\"^6\\.1\\.\"\n");
	c = read_plain();
	ck_assert_str_eq(derived0(c, "build_exclude"), "");
	ck_assert(!dkms_conf_module_excluded(c, 0));
	expect(c, 0, "");
	put_conf("BUILD_EXCLUSIVE_KERNEL=\"^5\\.\"\n");
	c = read_plain();
	ck_assert_str_eq(derived0(c, "build_exclude"), "yes");
	ck_assert(dkms_conf_module_excluded(c, 0));
	expect(c, 0, "");
}
END_TEST

START_TEST(test_build_exclusive_min_max_arch)
{
	const struct opts arm = { .arch = "aarch64" };
	const struct opts old = { .kver = "6.1.0-5-amd64" };
	struct dkms_conf *c;

	put_conf("BUILD_EXCLUSIVE_KERNEL_MAX=6.1.0-10\nBUILD_EXCLUSIVE_ARCH=\"^x86\"\n");
	c = read_plain();    /* 006.001.000-056-amd064 > 006.001.000-010 */
	ck_assert_str_eq(derived0(c, "build_exclude"), "yes");
	expect(c, 0, "");
	c = read_with(&old); /* -005- sorts before -010 */
	ck_assert_str_eq(derived0(c, "build_exclude"), "");
	expect(c, 0, "");
	put_conf("BUILD_EXCLUSIVE_ARCH=\"^x86\"\n");
	c = read_with(&arm);
	ck_assert_str_eq(derived0(c, "build_exclude"), "yes");
	expect(c, 0, "");
	/* Per module: only record 1 needs 6.2, so the build goes on. */
	put_conf("BUILT_MODULE_NAME[1]=bar\nDEST_MODULE_LOCATION[1]=/updates\n"
		 "BUILD_EXCLUSIVE_KERNEL_MIN[1]=6.2\n");
	c = read_plain();
	ck_assert(!dkms_conf_module_excluded(c, 0));
	ck_assert(dkms_conf_module_excluded(c, 1));
	ck_assert(dkms_conf_module_excluded(c, 2));
	ck_assert_str_eq(derived0(c, "build_exclude"), "");
	expect(c, 0, "");
}
END_TEST

/* The plain directive is element 0, and holds for every record. */
START_TEST(test_build_exclusive_global_for_all)
{
	struct dkms_conf *c;

	put_conf("BUILT_MODULE_NAME[1]=bar\nDEST_MODULE_LOCATION[1]=/updates\n"
		 "BUILD_EXCLUSIVE_ARCH=none\n");
	c = read_plain();
	ck_assert(dkms_conf_module_excluded(c, 0));
	ck_assert(dkms_conf_module_excluded(c, 1));
	ck_assert_str_eq(derived0(c, "build_exclude"), "yes");
	expect(c, 0, "");
	put_conf("BUILT_MODULE_NAME[1]=bar\nDEST_MODULE_LOCATION[1]=/updates\n"
		 "BUILT_MODULE_NAME[2]=baz\nDEST_MODULE_LOCATION[2]=/updates\n"
		 "BUILD_EXCLUSIVE_KERNEL[0]=\"^99\\..*\"\n"
		 "BUILD_EXCLUSIVE_KERNEL[1]=\".*\"\nBUILD_EXCLUSIVE_ARCH[1]=none\n");
	c = read_plain();
	ck_assert(dkms_conf_module_excluded(c, 0));
	ck_assert(dkms_conf_module_excluded(c, 1));
	ck_assert(dkms_conf_module_excluded(c, 2));
	ck_assert_str_eq(derived0(c, "build_exclude"), "yes");
	expect(c, 0, "");
	/* Records 1 and 2 out, record 0 left: no 77. */
	put_conf("BUILT_MODULE_NAME[1]=bar\nDEST_MODULE_LOCATION[1]=/updates\n"
		 "BUILT_MODULE_NAME[2]=baz\nDEST_MODULE_LOCATION[2]=/updates\n"
		 "BUILD_EXCLUSIVE_ARCH[1]=none\nBUILD_EXCLUSIVE_KERNEL[2]=^99\n");
	c = read_plain();
	ck_assert(!dkms_conf_module_excluded(c, 0));
	ck_assert(dkms_conf_module_excluded(c, 1));
	ck_assert(dkms_conf_module_excluded(c, 2));
	ck_assert_str_eq(derived0(c, "build_exclude"), "");
	expect(c, 0, "");
}
END_TEST

START_TEST(test_obsolete_by_is_kernel_max)
{
	struct dkms_conf *c;

	put_conf("OBSOLETE_BY=6.0\n");
	c = read_plain();
	ck_assert_str_eq(dkms_var_get(dkms_conf_raw(c, "BUILD_EXCLUSIVE_KERNEL_MAX"), 0), "6.0");
	ck_assert_str_eq(derived0(c, "build_exclude"), "yes");
	expect(c, 0, "");
}
END_TEST

START_TEST(test_build_exclusive_config)
{
	struct dkms_conf *c;

	put("ksrc/.config", "CONFIG_PCI=y\nCONFIG_USB=m\n# CONFIG_FOO is not set\n");
	put_conf("BUILD_EXCLUSIVE_CONFIG=\"CONFIG_PCI CONFIG_USB !CONFIG_FOO\"\n");
	c = read_plain();
	ck_assert_str_eq(derived0(c, "build_exclude"), "");
	expect(c, 0, "");
	put_conf("BUILD_EXCLUSIVE_CONFIG=\"!CONFIG_PCI\"\n");
	c = read_plain();
	ck_assert_str_eq(derived0(c, "build_exclude"), "yes");
	expect(c, 0, "");
	/* include/config/auto.conf wins over .config. */
	put("ksrc/include/config/auto.conf", "CONFIG_FOO=y\n");
	put_conf("BUILD_EXCLUSIVE_CONFIG=\"CONFIG_FOO\"\n");
	c = read_plain();
	ck_assert_str_eq(derived0(c, "build_exclude"), "");
	ck_assert(endswith(dkms_conf_kernel_config(c), "/ksrc/include/config/auto.conf"));
	expect(c, 0, "");
}
END_TEST

START_TEST(test_clang_kernel_adds_llvm)
{
	struct dkms_conf *c;

	put("ksrc/.config", "CONFIG_CC_IS_CLANG=y\n");
	put_conf("");
	c = read_plain();
	ck_assert(endswith(derived0(c, "make_command"), "/var/lib/dkms/foo/1.0/build LLVM=1"));
	expect(c, 0, "");
}
END_TEST

/* A minimal ELF64 file whose .comment says `comment`. */
static void put_elf(const char *rel, const char *comment)
{
	static const char names[] = "\0.shstrtab\0.comment";
	struct {
		Elf64_Ehdr eh;
		Elf64_Shdr sh[3];
		char names[sizeof(names)];
		char comment[64];
	} f;
	_cleanup_free_ char *p = path_join(scratch, rel);
	FILE *out;

	memset(&f, 0, sizeof(f));
	memcpy(f.eh.e_ident, ELFMAG, SELFMAG);
	f.eh.e_ident[EI_CLASS] = ELFCLASS64;
	f.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	f.eh.e_ident[EI_VERSION] = EV_CURRENT;
	f.eh.e_type = ET_EXEC;
	f.eh.e_machine = EM_X86_64;
	f.eh.e_version = EV_CURRENT;
	f.eh.e_ehsize = sizeof(f.eh);
	f.eh.e_shoff = offsetof(typeof(f), sh);
	f.eh.e_shentsize = sizeof(Elf64_Shdr);
	f.eh.e_shnum = 3;
	f.eh.e_shstrndx = 1;
	f.sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_STRTAB,
		.sh_offset = offsetof(typeof(f), names), .sh_size = sizeof(names) };
	f.sh[2] = (Elf64_Shdr){ .sh_name = 11, .sh_type = SHT_PROGBITS,
		.sh_offset = offsetof(typeof(f), comment), .sh_size = strlen(comment) + 1 };
	memcpy(f.names, names, sizeof(names));
	snprintf(f.comment, sizeof(f.comment), "%s", comment);
	out = fopen(p, "w");
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(fwrite(&f, sizeof(f), 1, out), 1);
	fclose(out);
}

START_TEST(test_clang_vmlinux_adds_llvm)
{
	struct dkms_conf *c;

	put("ksrc/.config", "CONFIG_CC_IS_CLANG=y\n");
	put_elf("ksrc/vmlinux", "GCC: (Debian 12.2.0-14) 12.2.0");
	put_conf("");
	c = read_plain();   /* vmlinux decides, not .config */
	ck_assert(endswith(derived0(c, "make_command"), "/build"));
	expect(c, 0, "");
	put_elf("ksrc/vmlinux", "Debian clang version 14.0.6");
	c = read_plain();
	ck_assert(endswith(derived0(c, "make_command"), "/build LLVM=1"));
	expect(c, 0, "");
}
END_TEST

START_TEST(test_make_match)
{
	const struct opts five = { .kver = "5.10.0-1-amd64" };
	const struct opts four = { .kver = "4.19.0" };
	struct dkms_conf *c;
	char *inv;

	put_conf("MAKE[0]=\"make zero\"\nMAKE[1]=\"make one\"\nMAKE_MATCH[1]=\"^6\\.1\"\n"
		 "MAKE[2]=\"make two\"\nMAKE_MATCH[2]=\"^5\"\n");
	c = read_plain();
	ck_assert_str_eq(derived0(c, "make_command"), "make one");
	inv = dkms_conf_make_invocation(c, 4);
	ck_assert_str_eq(inv, "make -j4 KERNELRELEASE=" KVER " one");
	free(inv);
	expect(c, 0, "");
	c = read_with(&five);
	ck_assert_str_eq(derived0(c, "make_command"), "make two");
	expect(c, 0, "");
	c = read_with(&four);
	ck_assert_str_eq(derived0(c, "make_command"), "make zero");
	expect(c, 0, "");
	/* MAKE_MATCH[0] set and nothing matching: the default command. */
	put_conf("MAKE[0]=\"make zero\"\nMAKE_MATCH[0]=\"^3\"\n");
	c = read_plain();
	ck_assert(startswith(derived0(c, "make_command"), "make -C "));
	expect(c, 0, "");
}
END_TEST

START_TEST(test_make_invocation_prefix)
{
	struct dkms_conf *c;
	char *inv;

	/* ${make_command/#make/...} is a string prefix, not a word. */
	put_conf("MAKE=\"makefoo -x\"\n");
	c = read_plain();
	inv = dkms_conf_make_invocation(c, 0);
	ck_assert_str_eq(inv, "make -j KERNELRELEASE=" KVER "foo -x");
	free(inv);
	expect(c, 0, "");
	put_conf("MAKE=\"'make' -x\"\n");
	c = read_plain();
	inv = dkms_conf_make_invocation(c, 4);
	ck_assert_str_eq(inv, "'make' -x");
	free(inv);
	expect(c, 0, "");
}
END_TEST

START_TEST(test_patch_match)
{
	struct dkms_conf *c;
	const struct dkms_var *p;

	put_conf("PATCH[0]=p0\nPATCH_MATCH[0]=\"^6\"\nPATCH[1]=p1\n"
		 "PATCH[2]=p2\nPATCH_MATCH[2]=\"^4\"\nPATCH[3]=p3\nPATCH_MATCH[3]=\"amd64$\"\n");
	c = read_plain();
	p = dkms_conf_derived(c, "patch_array");
	ck_assert_int_eq(dkms_var_count(p), 3);
	ck_assert_str_eq(dkms_var_get(p, 0), "p0");
	ck_assert_str_eq(dkms_var_get(p, 1), "p1");
	ck_assert_str_eq(dkms_var_get(p, 2), "p3");
	expect(c, 0, "");
}
END_TEST

/* bash gets the context's PATH and locale, and no other variable of it;
 * never the process's own environment */
START_TEST(test_environment)
{
	char *env[] = { (char *)"LANG=C.UTF-8", (char *)"LC_TIME=C",
			(char *)"DKMS_T_SECRET=s3cret", (char *)"PATH=/usr/bin:/bin",
			NULL };
	const struct opts o = { .shell = true };
	struct dkms_conf *c;

	setenv("DKMS_T_PROCESS", "1", 1);
	put_conf("MAKE=\"m $LANG $LC_TIME ${DKMS_T_SECRET-unset} "
		 "${DKMS_T_PROCESS-unset} $PATH\"\n");
	c = read_with(&o);
	ck_assert_str_eq(derived0(c, "make_command"),
			 "m unset unset /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	expect(c, 0, "");
	ck_assert_int_eq(dkms_ctx_set_environ(ctx, env), 0);
	c = read_with(&o);
	ck_assert_str_eq(derived0(c, "make_command"),
			 "m C.UTF-8 C unset unset /usr/bin:/bin");
	expect(c, 0, "");
	unsetenv("DKMS_T_PROCESS");
}
END_TEST

START_TEST(test_overrides)
{
	struct dkms_conf *c;

	put_conf("MAKE=\"make base\"\nSTRIP=yes\n");
	put("etc/foo.conf", "MAKE=\"$MAKE module\"\n");
	put("etc/foo-1.0.conf", "MAKE=\"$MAKE version\"\n");
	put("etc/foo--" KVER "-x86_64.conf", "STRIP=no\n");
	put("etc/bar.conf", "MAKE=never\n");
	c = read_plain();
	ck_assert_str_eq(derived0(c, "make_command"), "make base module version");
	ck_assert_str_eq(derived0(c, "strip"), "no");
	expect(c, 0, "");
}
END_TEST

static void capture(void *data, enum dkms_stream stream, const char *text,
		    size_t len)
{
	ck_assert_int_eq(stream, DKMS_STDOUT);
	strbuf_add(data, text, len);
}

START_TEST(test_directives)
{
	static const char *const d[] = { "MAKE=make  by directive", "FOO=bar", NULL };
	const struct opts o = { .directives = d };
	struct strbuf out = { 0 };
	struct dkms_conf *c;

	dkms_ctx_set_output_fn(ctx, capture, &out);
	put_conf("MAKE=\"make conf\"\n");
	c = read_with(&o);
	ck_assert_str_eq(derived0(c, "make_command"), "make  by directive");
	ck_assert_str_eq(strbuf_str(&out), "DIRECTIVE: MAKE=\"make  by directive\"\n"
			 "DIRECTIVE: FOO=\"bar\"\n");
	expect(c, 0, "");
	strbuf_release(&out);
}
END_TEST

START_TEST(test_ver_padding)
{
	static const char *const cases[][2] = {
		{ "2.6.9-1cvs200409091247", "002.006.009-001cvs200409091247" },
		{ "6.1.0-56-amd64", "006.001.000-056-amd064" },
		{ "5.10", "005.010" },
		{ "", "" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *v = conf_ver(cases[i][0]);

		ck_assert_str_eq(v, cases[i][1]);
		free(v);
	}
}
END_TEST

/* Tricky declarative files read natively must equal bash's reading. */
START_TEST(test_native_equals_bash)
{
	static const struct {
		const char *text;
		bool native;
	} confs[] = {
		{ "MAKE=\"make  \t a\\\n   b\"  # spaces collapse\nCLEAN='x  y'\n", true },
		{ "MAKE=\"a\\\\.b\"\nPRE_BUILD=pre$kernelver.$arch\n", true },
		{ "BUILD_EXCLUSIVE_KERNEL=\"^(5\\.[0-9]($|[.-]))\"\n", true },
		{ "MAKE=\"make\"\r\nPOST_ADD=x\r\n", true },
		{ "A=1; B=$A$A; POST_BUILD=\"$B ${kernel_source_dir}\"\n", true },
		{ "MAKE='find . -name *.ko'\n", true },
		{ "strip[0]=no\nSTRIP[1]=x\nBUILT_MODULE_NAME[1]=b\nDEST_MODULE_LOCATION[1]=/extra\n", true },
		{ "BUILD_EXCLUSIVE_ARCH[10]=x\nBUILD_EXCLUSIVE_KERNEL[0]=y\n", true },
		/* Subscripts are arithmetic: 010 is 8, 08 an error. */
		{ "BUILD_EXCLUSIVE_ARCH[010]=x\nBUILD_EXCLUSIVE_KERNEL[00]=y\n", false },
		{ "BUILD_EXCLUSIVE_ARCH[08]=x\n", false },
		/* A line continuation inside a name: bash joins the lines
		 * first, so the name goes on ($PACKAGE_NAMECLEAN, unset). */
		{ "MAKE=*$PACKAGE_NAME\\\nCLEAN[2]=\n", false },
		{ "MAKE=\"a$PACKAGE_NAME\\\nB\"\n", false },
		/* Expanded a second time: bash's business. */
		{ "MAKE='make $kernelver \"A\"'\n", false },
		{ "MAKE=\"x \\$PACKAGE_NAME\"\n", false },
		{ "POST_ADD=`echo hi`\n", false },
		{ "if true; then MAKE=x; fi\n", false },
		{ "MAKE=$HOME\n", false },
	};
	const struct opts shell = { .shell = true };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(confs); i++) {
		struct dkms_conf *a, *b;
		char *ja = NULL, *jb = NULL;
		size_t la, lb;
		FILE *f;

		put_conf(confs[i].text);
		a = read_plain();
		b = read_with(&shell);
		f = open_memstream(&ja, &la);
		dkms_conf_write_json(a, f);
		fclose(f);
		f = open_memstream(&jb, &lb);
		dkms_conf_write_json(b, f);
		fclose(f);
		ck_assert_msg(dkms_conf_used_shell(a) != confs[i].native,
			      "conf %zu: native %d", i, confs[i].native);
		ck_assert_msg(!strcmp(ja, jb), "conf %zu: native and bash differ", i);
		free(ja);
		free(jb);
		dkms_conf_unref(a);
		dkms_conf_unref(b);
	}
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *v = tcase_create("validation");
	TCase *e = tcase_create("evaluation");
	TCase *d = tcase_create("decisions");

	tcase_add_checked_fixture(v, setup, teardown);
	tcase_add_test(v, test_valid);
	tcase_add_test(v, test_missing_package_name);
	tcase_add_test(v, test_missing_package_version);
	tcase_add_test(v, test_missing_built_module_name);
	tcase_add_test(v, test_single_module_defaults_to_package_name);
	tcase_add_test(v, test_ko_suffix);
	tcase_add_test(v, test_dest_location_missing);
	tcase_add_test(v, test_dest_location_outside);
	tcase_add_test(v, test_dest_location_by_distribution);
	tcase_add_test(v, test_dest_location_addon_modules_dir);
	tcase_add_test(v, test_array_length_mismatch);
	tcase_add_test(v, test_duplicates_strict_only);
	tcase_add_test(v, test_zero_modules_strict);
	tcase_add_test(v, test_deprecations_strict_only);
	tcase_add_test(v, test_autoinstall_values);
	suite_add_tcase(s, v);

	tcase_add_checked_fixture(e, setup, teardown);
	tcase_set_timeout(e, 30);
	tcase_add_test(e, test_loop_forever);
	tcase_add_test(e, test_background_job_does_not_hold);
	tcase_add_test(e, test_megabytes_of_stderr);
	tcase_add_test(e, test_stdout_is_discarded);
	tcase_add_test(e, test_non_utf8_is_data);
	tcase_add_test(e, test_missing_file);
	tcase_add_test(e, test_shell_errors_are_reported);
	tcase_add_test(e, test_environment);
	tcase_add_test(e, test_overrides);
	tcase_add_test(e, test_native_equals_bash);
	suite_add_tcase(s, e);

	tcase_add_checked_fixture(d, setup, teardown);
	tcase_add_test(d, test_build_exclusive_kernel);
	tcase_add_test(d, test_build_exclusive_min_max_arch);
	tcase_add_test(d, test_build_exclusive_global_for_all);
	tcase_add_test(d, test_obsolete_by_is_kernel_max);
	tcase_add_test(d, test_build_exclusive_config);
	tcase_add_test(d, test_clang_kernel_adds_llvm);
	tcase_add_test(d, test_clang_vmlinux_adds_llvm);
	tcase_add_test(d, test_make_match);
	tcase_add_test(d, test_make_invocation_prefix);
	tcase_add_test(d, test_patch_match);
	tcase_add_test(d, test_ver_padding);
	tcase_add_test(d, test_directives);
	suite_add_tcase(s, d);
	return s;
}

TAP_CHECK_MAIN(conf_suite)
