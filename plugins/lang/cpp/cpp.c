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
#include <stdbool.h>

#include <algocode/plugin.h>

#include "../common/lang_common.h"

#ifndef AC_CACHE_DIR
#define AC_CACHE_DIR "/var/cache/algocode"
#endif

#define CPP_DEFAULT_COMPILER "/usr/bin/g++"
#define CPP_GOLD             "/usr/bin/ld.gold"

struct cpp_state {
	struct lc_gnu g;   /* first: lc_gnu_info takes a cpp_state */
	char *pch_base;    /* pch_dir setting */
	char pch_inc[512]; /* <pch_dir>/<hash>, given with -I; "" none */
	const char *ro_paths[2];
	struct ac_run_profile profile;
};

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
	const char *argv[LC_GNU_MAX_FLAGS + 16];
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
	argv[n++] = st->g.compiler;
	for (size_t i = 1; i <= nflags; i++)
		argv[n++] = st->g.compile_argv[i];
	argv[n] = NULL;
	ret = lc_spawn_build(argv);
	if (ret < 0) {
		unlink(lock);
		return ret;
	}
	pu_log(&st->g, AC_LOG_INFO,
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
	CPP_FNV(st->g.compiler);
	CPP_FNV(st->g.version);
	for (size_t i = 1; i <= nflags; i++)
		CPP_FNV(st->g.compile_argv[i]);
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
		pu_log(&st->g, AC_LOG_WARN,
		       "no precompiled header: cannot start its build (%s): "
		       "compiles are slower",
		       strerror(-ret));
	return 0;
}

/* g++ -O2 -std=gnu++17 [-fuse-ld=gold] <flags> [-I <pch dir>] -o /box/main
 * /box/main.cpp */
static int cpp_build_argv(struct cpp_state *st)
{
	/* gold links a program in about half the time of the default
	 * linker (bfd), with the same program for us. */
	const char *const head[] = {
	        "-O2", "-std=gnu++17",
	        access(CPP_GOLD, X_OK) == 0 ? "-fuse-ld=gold" : NULL, NULL};
	static const char *const tail[] = {"-o", "/box/main", "/box/main.cpp",
	                                   NULL};
	const char *inc[] = {"-I", st->pch_inc, NULL};
	size_t n;
	int ret;

	ret = lc_gnu_argv(&st->g, head, 2 + 3, &n);
	if (ret < 0)
		return ret;
	if (st->pch_base) {
		int r = cpp_pch(st, n - 1);

		if (r < 0) {
			pu_log(&st->g, AC_LOG_WARN,
			       "no precompiled header (%s): compiles are "
			       "slower",
			       strerror(-r));
			st->pch_inc[0] = '\0';
		} else {
			lc_argv_add(st->g.compile_argv, &n, inc);
			if (strncmp(st->pch_inc, "/usr/", 5) != 0) {
				st->ro_paths[0] = st->pch_inc;
				st->profile.ro_paths = st->ro_paths;
				st->g.info.compile_profile = &st->profile;
			}
		}
	}
	lc_argv_add(st->g.compile_argv, &n, tail);
	return 0;
}

static void cpp_fini(void *state)
{
	struct cpp_state *st = state;

	if (!st)
		return;
	lc_gnu_free(&st->g);
	free(st->pch_base);
	free(st);
}

/* pch, pch_dir: st->pch_base, NULL for none. */
static int cpp_pch_conf(struct cpp_state *st)
{
	bool pch = true;
	int ret;

	ret = pu_conf_bool(st->g.host, st->g.ctx, "pch", &pch);
	if (ret == 0)
		ret = pu_conf_str(st->g.host, st->g.ctx, "pch_dir",
		                  AC_CACHE_DIR "/pch", &st->pch_base);
	if (ret < 0)
		return ret;
	if (!pch || !st->pch_base[0] || st->pch_base[0] != '/') {
		if (pch && st->pch_base[0])
			pu_log(&st->g, AC_LOG_WARN,
			       "lang.cpp.pch_dir must be absolute: no "
			       "precompiled header");
		free(st->pch_base);
		st->pch_base = NULL;
	}
	return 0;
}

static int cpp_setup(struct cpp_state *st)
{
	int ret;

	ret = lc_gnu_setup(&st->g, "cpp", CPP_DEFAULT_COMPILER, "g++");
	if (ret == 0)
		ret = cpp_pch_conf(st);
	if (ret == 0)
		ret = cpp_build_argv(st);
	if (ret < 0)
		return ret;
	lc_gnu_finish(&st->g, "C++17 (GNU g++)", "main.cpp");
	return 0;
}

PU_DEFINE_INIT_IN(cpp_init, struct cpp_state, g., cpp_setup, cpp_fini)

static const struct ac_lang_ops cpp_ops = {
        .init = cpp_init,
        .fini = cpp_fini,
        .info = lc_gnu_info,
};

static const struct ac_setting cpp_settings[] = {
        LC_GNU_SETTINGS(CPP_DEFAULT_COMPILER, "C++"),
        AC_SET_BOOL("pch", "true",
                    "precompile bits/stdc++.h once and use it for every "
                    "compile"),
        AC_SET_STRING("pch_dir", AC_CACHE_DIR "/pch",
                      "where the precompiled header is kept (absolute path)"),
        LC_MULTIPLIER_SETTINGS,
        AC_SETTINGS_END,
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_LANG, "cpp", "C++17 compiled with GNU g++",
                          PACKAGE_VERSION, cpp_ops, cpp_settings);
