/* lang/cpp: C++17 with GNU g++.
 *
 * Settings (group `lang.cpp`):
 *   compiler  absolute path of g++ (default /usr/bin/g++); it must exist and
 *             be executable here, and the sandbox must show it at the same
 *             path (it binds /usr read-only).
 *   flags     extra compiler flags, space-separated, each starting with '-'
 *             (default none); they go before "-o".
 *
 *   time_multiplier, memory_multiplier  (default 1) applied to the
 *             problem's limits (a string "1.5" or an integer).
 *
 *   pch       (bool, default true) precompile <bits/stdc++.h>.
 *   pch_dir   where precompiled headers are kept (default
 *             $(localstatedir)/cache/algocode/pch).
 *
 * The version string ("g++ 12.2.0") comes from `<compiler> -dumpfullversion`
 * run once at init, without a shell.
 *
 * Precompiled headers: <pch_dir>/<hash of compiler, version and
 * flags>/bits/stdc++.h.gch and iostream.gch, built on the host (they are
 * the trusted system headers, not user code) with exactly the compile
 * flags, into temporary files renamed into place.  The build is never
 * waited for: when one is missing, init starts it in a detached
 * background shell (one build at a time per directory: .build/lock), and
 * compiles meanwhile read the headers.  The compile command gets
 * `-I <that dir>` from the start, so g++ uses a .gch for a first
 * `#include <bits/stdc++.h>` or `#include <iostream>` once it is there,
 * and for nothing else (GCC checks that flags and macros match, and
 * falls back to the header otherwise).  The directory is declared
 * read-only in the compile profile unless the sandbox shows it anyway
 * (under /usr).
 *
 * Programs are linked by gold where /usr/bin/ld.gold exists
 * (-fuse-ld=gold, right after -std: about half the link time of bfd).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algocode/plugin.h>

#include "../common/lang_common.h"

#ifndef AC_CACHE_DIR
#define AC_CACHE_DIR "/var/cache/algocode"
#endif

#define CPP_DEFAULT_COMPILER "/usr/bin/g++"
#define CPP_GOLD             "/usr/bin/ld.gold"
#define CPP_MAX_FLAGS        32
#define CPP_MAX_FLAGS_LEN    1024
/* Processes+threads of a run.  CPU time is accounted over all threads, so
 * threads buy nothing against the time limit; 4 lets a program (or a C++
 * runtime) start a helper thread or two and still stops fork bombs. */
#define CPP_RUN_PROCESSES 4

struct cpp_state {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	struct ac_lang_info info;
	char *compiler;
	char *flags; /* tokenised in place; compile_argv points in it */
	const char **compile_argv;
	const char *run_argv[2];
	const char *envp[5];
	char version[64];
	char *pch_base;    /* pch_dir setting */
	char pch_inc[512]; /* <pch_dir>/<hash>, given with -I; "" none */
	const char *ro_paths[2];
	struct ac_run_profile profile;
};

#define cpp_log(st, lvl, ...) (st)->host->log((st)->ctx, (lvl), __VA_ARGS__)

static const struct ac_lang_info *cpp_info(void *state)
{
	struct cpp_state *st = state;

	return &st->info;
}

static int cpp_version(struct cpp_state *st)
{
	return lc_gnu_version(st->host, st->ctx, st->compiler, "g++",
	                      st->version, sizeof(st->version));
}

/* Headers precompiled, each used by g++ for a source whose first
 * #include it is: <bits/stdc++.h> and the common <iostream>. */
#define CPP_PCH_HEADERS "bits/stdc++.h iostream"

/* The background build (sh -c, detached): for each header missing its
 * .gch, compile the wrapper .build/<name> into a temporary file renamed
 * into place; a compile meanwhile finds no .gch and reads the header. */
static const char cpp_pch_script[] =
        "D=$1; H=$2; shift 2\n"
        "(\n"
        "  for h in $H; do\n"
        "    g=\"$D/$h.gch\"; t=\"$g.$$.tmp\"; w=\"$D/.build/${h##*/}\"\n"
        "    [ -e \"$g\" ] && continue\n"
        "    \"$@\" -x c++-header \"$w\" -o \"$t\" && chmod 644 \"$t\" &&\n"
        "      mv -f \"$t\" \"$g\"\n"
        "    rm -f \"$t\"\n"
        "  done\n"
        "  rm -f \"$D/.build/lock\"\n"
        ") </dev/null >/dev/null 2>&1 &\n";

/* Start the build of the missing precompiled headers in the background:
 * a detached shell (its own session) that outlives us if need be, so
 * that neither the plugin's start nor a short CLI command waits for it.
 * `flags` are compile_argv[1 .. nflags]. */
static int cpp_pch_spawn(struct cpp_state *st, size_t nflags)
{
	const char *argv[CPP_MAX_FLAGS + 16];
	char lock[600], path[600];
	size_t n = 0;
	int ret;

	snprintf(lock, sizeof(lock), "%s/.build/lock", st->pch_inc);
	if (lc_build_lock(lock) < 0)
		return 0; /* being built by someone else */
	for (const char *h = CPP_PCH_HEADERS; *h;) {
		size_t l = strcspn(h, " ");
		const char *base = memchr(h, '/', l);
		char text[64];

		base = base ? base + 1 : h;
		snprintf(path, sizeof(path), "%s/.build/%.*s", st->pch_inc,
		         (int)(l - (size_t)(base - h)), base);
		snprintf(text, sizeof(text), "#include <%.*s>\n", (int)l, h);
		if ((ret = lc_write_file(path, text)) < 0) {
			unlink(lock);
			return ret;
		}
		h += l;
		h += strspn(h, " ");
	}
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = cpp_pch_script;
	argv[n++] = "sh";
	argv[n++] = st->pch_inc;
	argv[n++] = CPP_PCH_HEADERS;
	if (access("/usr/bin/timeout", X_OK) == 0) {
		argv[n++] = "/usr/bin/timeout";
		argv[n++] = "180";
	}
	argv[n++] = st->compiler;
	for (size_t i = 1; i <= nflags; i++)
		argv[n++] = st->compile_argv[i];
	argv[n] = NULL;
	ret = lc_spawn_build(argv);
	if (ret < 0) {
		unlink(lock);
		return ret;
	}
	cpp_log(st, AC_LOG_INFO,
	        "building the precompiled headers in %s in the background",
	        st->pch_inc);
	return 0;
}

/* The precompiled headers for these exact flags: their directory
 * <pch_dir>/<hash of compiler, version and flags> (made here, given with
 * -I from now on), their build started in the background when missing.
 * `flags` are compile_argv[1 .. nflags]. */
static int cpp_pch(struct cpp_state *st, size_t nflags)
{
	char gch[600], dir[600];
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	int ret;

#define CPP_FNV(str)                                                           \
	for (const char *q_ = (str);; q_++) {                                  \
		h = (h ^ (unsigned char)*q_) * 1099511628211ull;               \
		if (!*q_)                                                      \
			break;                                                 \
	}
	CPP_FNV(st->compiler);
	CPP_FNV(st->version);
	for (size_t i = 1; i <= nflags; i++)
		CPP_FNV(st->compile_argv[i]);
#undef CPP_FNV
	if (snprintf(st->pch_inc, sizeof(st->pch_inc), "%s/%016llx",
	             st->pch_base,
	             (unsigned long long)h) >= (int)sizeof(st->pch_inc) - 64)
		return -ENAMETOOLONG;
	snprintf(dir, sizeof(dir), "%s/bits", st->pch_inc);
	if ((ret = lc_mkdirs(dir)) < 0)
		return ret;
	snprintf(dir, sizeof(dir), "%s/.build", st->pch_inc);
	if ((ret = lc_mkdirs(dir)) < 0)
		return ret;
	snprintf(gch, sizeof(gch), "%s/bits/stdc++.h.gch", st->pch_inc);
	if (access(gch, R_OK) == 0) {
		snprintf(gch, sizeof(gch), "%s/iostream.gch", st->pch_inc);
		if (access(gch, R_OK) == 0)
			return 0;
	}
	ret = cpp_pch_spawn(st, nflags);
	if (ret < 0)
		cpp_log(st, AC_LOG_WARN,
		        "no precompiled header: cannot start its build (%s): "
		        "compiles are slower",
		        strerror(-ret));
	return 0;
}

/* Split the `flags` setting in place and build compile_argv. */
static int cpp_build_argv(struct cpp_state *st)
{
	/* No -pipe: with it, cc1 writes to a pipe of its own whose read
	 * end `#include "/dev/stdout"` reopens, and reads until the wall
	 * limit.  Without it, the compiler's streams are the sandbox's
	 * pipes, which belong to root: /dev/stdout, /dev/stderr cannot be
	 * opened (docs/security.md). */
	static const char *const head[] = {"-O2", "-std=gnu++17"};
	/* gold links a program in about half the time of the default
	 * linker (bfd), with the same program for us. */
	bool gold = access(CPP_GOLD, X_OK) == 0;

	static const char *const tail[] = {"-o", "/box/main", "/box/main.cpp"};
	const char *extra[CPP_MAX_FLAGS];
	size_t nextra, n = 0, total;
	int ret;

	ret = lc_split_flags(st->host, st->ctx, "cpp", st->flags, extra,
	                     CPP_MAX_FLAGS, CPP_MAX_FLAGS_LEN, &nextra);
	if (ret < 0)
		return ret;
	total = 1 + 3 + 1 + nextra + 2 + 3 + 1;
	st->compile_argv = calloc(total, sizeof(*st->compile_argv));
	if (!st->compile_argv)
		return -ENOMEM;
	st->compile_argv[n++] = st->compiler;
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		st->compile_argv[n++] = head[i];
	if (gold)
		st->compile_argv[n++] = "-fuse-ld=gold";
	for (size_t i = 0; i < nextra; i++)
		st->compile_argv[n++] = extra[i];
	st->compile_argv[n] = NULL;
	if (st->pch_base) {
		int r = cpp_pch(st, n - 1);

		if (r < 0) {
			cpp_log(st, AC_LOG_WARN,
			        "no precompiled header (%s): compiles are "
			        "slower",
			        strerror(-r));
			st->pch_inc[0] = '\0';
		} else {
			st->compile_argv[n++] = "-I";
			st->compile_argv[n++] = st->pch_inc;
			if (strncmp(st->pch_inc, "/usr/", 5) != 0) {
				st->ro_paths[0] = st->pch_inc;
				st->profile.ro_paths = st->ro_paths;
				st->info.compile_profile = &st->profile;
			}
		}
	}
	for (size_t i = 0; i < 3; i++)
		st->compile_argv[n++] = tail[i];
	st->compile_argv[n] = NULL;
	return 0;
}

static void cpp_fini(void *state)
{
	struct cpp_state *st = state;

	if (!st)
		return;
	free(st->compile_argv);
	free(st->pch_base);
	free(st->flags);
	free(st->compiler);
	free(st);
}

static int cpp_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                    void **state)
{
	struct cpp_state *st;
	struct ac_lang_info *in;
	int ret;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->host = host;
	st->ctx = ctx;
	ret = host->conf_string(ctx, "compiler", &st->compiler);
	if (ret == -ENOENT) {
		st->compiler = strdup(CPP_DEFAULT_COMPILER);
		ret = st->compiler ? 0 : -ENOMEM;
	} else if (ret < 0) {
		cpp_log(st, AC_LOG_ERROR, "lang.cpp.compiler must be a string");
	}
	if (ret < 0)
		goto fail;
	ret = host->conf_string(ctx, "flags", &st->flags);
	if (ret == -ENOENT) {
		st->flags = NULL;
		ret = 0;
	} else if (ret < 0) {
		cpp_log(st, AC_LOG_ERROR, "lang.cpp.flags must be a string");
		goto fail;
	}
	{
		bool pch = true;

		ret = host->conf_bool(ctx, "pch", &pch);
		if (ret < 0 && ret != -ENOENT)
			goto fail;
		ret = host->conf_string(ctx, "pch_dir", &st->pch_base);
		if (ret == -ENOENT) {
			st->pch_base = strdup(AC_CACHE_DIR "/pch");
			ret = st->pch_base ? 0 : -ENOMEM;
		}
		if (ret < 0)
			goto fail;
		if (!pch || !st->pch_base[0] || st->pch_base[0] != '/') {
			if (pch && st->pch_base[0])
				cpp_log(st, AC_LOG_WARN,
				        "lang.cpp.pch_dir must be absolute: no "
				        "precompiled header");
			free(st->pch_base);
			st->pch_base = NULL;
		}
	}
	ret = lc_check_tool(host, ctx, "lang.cpp.compiler", st->compiler);
	if (ret < 0)
		goto fail;
	ret = lc_conf_multiplier(host, ctx, "time_multiplier",
	                         &st->info.time_multiplier);
	if (ret == 0)
		ret = lc_conf_multiplier(host, ctx, "memory_multiplier",
		                         &st->info.memory_multiplier);
	if (ret < 0)
		goto fail;
	ret = cpp_version(st);
	if (ret < 0)
		goto fail;
	ret = cpp_build_argv(st);
	if (ret < 0)
		goto fail;
	st->run_argv[0] = "/box/main";
	st->run_argv[1] = NULL;
	lc_base_env(st->envp);
	in = &st->info;
	lc_set_info(in, "cpp", "C++17 (GNU g++)", "main.cpp", st->compile_argv,
	            st->run_argv, st->envp);
	in->compile_limits = lc_gnu_compile_limits();
	in->run_processes = CPP_RUN_PROCESSES;
	in->version = st->version;
	cpp_log(st, AC_LOG_DEBUG, "%s (%s)", st->version, st->compiler);
	*state = st;
	return 0;
fail:
	cpp_fini(st);
	return ret;
}

static const struct ac_lang_ops cpp_ops = {
        .init = cpp_init,
        .fini = cpp_fini,
        .info = cpp_info,
};

static const struct ac_setting cpp_settings[] = {
        {"compiler", AC_SETTING_STRING, CPP_DEFAULT_COMPILER, 0, 0,
         "the C++ compiler (absolute path); missing: the language is "
         "skipped"},
        {"flags", AC_SETTING_STRING, NULL, 0, 0,
         "compiler flags in place of the default ones (split at spaces)"},
        {"pch", AC_SETTING_BOOL, "true", 0, 0,
         "precompile bits/stdc++.h once and use it for every compile"},
        {"pch_dir", AC_SETTING_STRING, AC_CACHE_DIR "/pch", 0, 0,
         "where the precompiled header is kept (absolute path)"},
        LC_MULTIPLIER_SETTINGS,
        {NULL, 0, NULL, 0, 0, NULL},
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_LANG, "cpp", "C++17 compiled with GNU g++",
                          PACKAGE_VERSION, cpp_ops, cpp_settings);
