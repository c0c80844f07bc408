/* lang/java: Java with an OpenJDK (javac, then java).
 *
 * Settings (group `lang.java`):
 *   home         the JDK's directory (default: found from /usr/bin/javac,
 *                e.g. /usr/lib/jvm/java-17-openjdk-amd64); bin/java and
 *                bin/javac below it are used.  When they do not exist init
 *                returns -ENOPKG and the core serves the other languages.
 *   time_multiplier, memory_multiplier  (default 1).
 *   memory_extra_mb  (default 128) the JVM's own memory (code, metaspace,
 *                threads, GC structures, the JIT compilers' working memory)
 *                added to the run's memory limit;
 *                the heap gets the problem's limit.
 *
 * Compile: javac on Main.java (a submission of several files without a
 * Main.java: javac on every *.java); a public class with another name is
 * renamed to its file (javac says which) and compiled again.  The name is
 * javac's (javac names only a declared, hence valid, Java identifier, in
 * any Unicode letters: `public class Решение`, decoded as UTF-8 with
 * LANG=C.UTF-8); the script takes it only when it is made of ASCII
 * letters, digits, '_', '$' and bytes 0x80-0xff (no '/', '.', blank or
 * control character can reach the file name) and is at most 200 bytes.  The
 * class holding `public static void main(String[])` is then found by reading
 * the class files (run_argv), whatever it is named, in any package.
 *   cds          (bool, default true) build and use a class-data-sharing
 *                archive of the JDK classes programs use (cds.c).
 *   cds_dir      where (default $(localstatedir)/cache/algocode/cds).
 *
 * Run: java -Xmx<limit> -Xss<limit/4, 8..256 MiB> -XX:+UseSerialGC
 * -XX:NewRatio=7 -Xshare:auto [-XX:SharedArchiveFile=<archive>, once built]
 * -XX:-UsePerfData -Xlog:disable -Xlog:all=warning:stderr -cp /box
 * <Class>: the JDK's own compilers (C1 then C2, as a bare `java` runs),
 * only start-up work cut (docs/plugins.md says which flag saves what).
 * An OutOfMemoryError is Memory Limit Exceeded (classify).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <algocode/plugin.h>

#include "../common/lang_common.h"
#include "cds.h"

#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>

#ifndef AC_CACHE_DIR
#define AC_CACHE_DIR "/var/cache/algocode"
#endif
#define JAVA_RUN_PROCESSES 64 /* the JVM starts 15-30 threads */
/* The C2 compiler alone took up to ~70 MB compiling a deep recursion
 * (re_stack_overflow.java: 125-149 MB peak against 49 MB with -Xint), so
 * 64 made such a program MLE about one run in three on a busy host. */
#define JAVA_EXTRA_MB 128
/* What the search for main may walk: as much as the judge keeps of a
 * build (core/judge_int.h, JUDGE_BUILD_FILES_MAX and _DEPTH_MAX), so that a
 * valid program the judge takes is never refused here (issue 15.5). */
#define JAVA_SCAN_FILES 65536
#define JAVA_SCAN_DEPTH 64
#define JAVA_CLASS_MAX  (16 * 1024 * 1024)
#define JAVA_NAME_MAX   512
#define JAVA_ACC_PUBLIC 0x0001
#define JAVA_ACC_STATIC 0x0008

/* $0 is javac; a misnamed public class is renamed to its file and the
 * compile is tried again.  The log goes to stderr. */
static const char java_compile_script[] =
        "set -u; J=\"$0\"; shift\n"
        "[ -f Main.java ] || exec \"$J\" \"$@\" *.java\n"
        "\"$J\" \"$@\" Main.java 2>/tmp/javac.log && exit 0\n"
        "n=$(LC_ALL=C sed -n 's/^Main\\.java:[0-9]*: error: class "
        "\\([A-Za-z_$\\x80-\\xff][A-Za-z0-9_$\\x80-\\xff]*\\) is public, "
        "should be declared in a file named .*/\\1/p' /tmp/javac.log | "
        "head -n 1)\n"
        "if [ -z \"$n\" ] || [ \"$n\" = Main ] || [ ${#n} -gt 200 ]; then "
        "cat /tmp/javac.log >&2; exit 1; fi\n"
        "mv Main.java \"$n.java\" && exec \"$J\" \"$@\" \"$n.java\"\n";

struct java_state {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	struct ac_lang_info info;
	char *home;
	char java[PATH_MAX], javac[PATH_MAX];
	char conf_dir[PATH_MAX]; /* outside /usr, bound read-only */
	const char *ro_paths[3];
	struct ac_run_profile profile;
	char *cds_dir;           /* cds_dir setting; NULL: no archive */
	char cds_file[PATH_MAX]; /* the archive, used once it exists */
	const char *compile_argv[16];
	const char *run_argv[2]; /* unused: run_argv() decides */
	const char *envp[5];
	char version[64];
};

static const struct ac_lang_info *java_info(void *state)
{
	struct java_state *st = state;

	return &st->info;
}

static enum ac_run_hint java_classify(void *state,
                                      const struct ac_run_report *r,
                                      const char *head, size_t len)
{
	(void)state;
	(void)len;
	if (!r->exited || r->exit_code == 0)
		return AC_HINT_NONE;
	return strstr(head, "java.lang.OutOfMemoryError") ? AC_HINT_MEMORY
	                                                  : AC_HINT_NONE;
}

/* ------------------------------------------------- class-file reading */

struct java_buf {
	const unsigned char *p;
	size_t len, off;
	bool bad;
};

static unsigned java_u(struct java_buf *b, size_t n)
{
	unsigned v = 0;

	if (b->bad || b->len - b->off < n) {
		b->bad = true;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | b->p[b->off + i];
	b->off += n;
	return v;
}

static void java_skip(struct java_buf *b, size_t n)
{
	if (b->bad || b->len - b->off < n)
		b->bad = true;
	else
		b->off += n;
}

/* A class file's name (modified UTF-8, `l` bytes) as the launcher's
 * argument: UTF-8 with '/' as '.', a surrogate pair (a letter beyond the
 * BMP, e.g. U+1D504) as one 4-byte sequence.  Refused (false): control
 * characters (C0 and C1, the encoded NUL), a lone surrogate, bytes that
 * are not modified UTF-8.  out has room for l + 1 bytes. */
static bool java_name_utf8(const unsigned char *in, size_t l, char *out)
{
	size_t i = 0, k = 0;

	while (i < l) {
		unsigned c = in[i];

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return false;
			out[k++] = c == '/' ? '.' : (char)c;
			i++;
		} else if ((c & 0xe0) == 0xc0 && i + 1 < l &&
		           (in[i + 1] & 0xc0) == 0x80) {
			unsigned cp = (c & 0x1f) << 6 | (in[i + 1] & 0x3f);

			if (cp < 0xa0) /* NUL (C0 80), C1 controls, overlong */
				return false;
			out[k++] = (char)in[i];
			out[k++] = (char)in[i + 1];
			i += 2;
		} else if ((c & 0xf0) == 0xe0 && i + 2 < l &&
		           (in[i + 1] & 0xc0) == 0x80 &&
		           (in[i + 2] & 0xc0) == 0x80) {
			unsigned cp = (c & 0x0f) << 12 |
			              (unsigned)(in[i + 1] & 0x3f) << 6 |
			              (in[i + 2] & 0x3f);

			if (cp < 0x800)
				return false;
			if (cp >= 0xd800 && cp <= 0xdbff && i + 5 < l &&
			    in[i + 3] == 0xed && (in[i + 4] & 0xf0) == 0xb0 &&
			    (in[i + 5] & 0xc0) == 0x80) {
				unsigned lo = 0xd000 |
				              (unsigned)(in[i + 4] & 0x3f)
				                      << 6 |
				              (in[i + 5] & 0x3f);

				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				out[k++] = (char)(0xf0 | cp >> 18);
				out[k++] = (char)(0x80 | ((cp >> 12) & 0x3f));
				out[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
				out[k++] = (char)(0x80 | (cp & 0x3f));
				i += 6;
				continue;
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				return false; /* a lone surrogate */
			memcpy(out + k, in + i, 3);
			k += 3;
			i += 3;
		} else {
			return false;
		}
	}
	out[k] = '\0';
	return k > 0;
}

/* The binary name ("pkg/Main") of a class with public static void
 * main(String[]), or 0 and name[0] == '\0' when it has none; *public_cls
 * tells whether the class itself is public.  -EINVAL: not a class file. */
static int java_parse(const unsigned char *data, size_t len, char *name,
                      size_t namelen, bool *public_cls)
{
	struct java_buf b = {data, len, 0, false};
	uint32_t *utf = NULL; /* offset of each UTF8 entry's length, 0 none */
	uint16_t *cls = NULL; /* name index of each Class entry */
	unsigned count, acc, this_cls, n;
	bool has_main = false;
	int ret = -EINVAL;

	name[0] = '\0';
	if (java_u(&b, 4) != 0xCAFEBABEu)
		return -EINVAL;
	java_skip(&b, 4);
	count = java_u(&b, 2);
	if (b.bad || count == 0)
		return -EINVAL;
	utf = calloc(count, sizeof(*utf));
	cls = calloc(count, sizeof(*cls));
	if (!utf || !cls) {
		ret = -ENOMEM;
		goto out;
	}
	for (unsigned i = 1; i < count && !b.bad; i++) {
		unsigned tag = java_u(&b, 1);

		switch (tag) {
		case 1:
			utf[i] = (uint32_t)b.off;
			java_skip(&b, java_u(&b, 2));
			break;
		case 7:
			cls[i] = (uint16_t)java_u(&b, 2);
			break;
		case 8:
		case 16:
		case 19:
		case 20:
			java_skip(&b, 2);
			break;
		case 15:
			java_skip(&b, 3);
			break;
		case 3:
		case 4:
		case 9:
		case 10:
		case 11:
		case 12:
		case 17:
		case 18:
			java_skip(&b, 4);
			break;
		case 5:
		case 6:
			java_skip(&b, 8);
			i++;
			break;
		default:
			b.bad = true;
		}
	}
	acc = java_u(&b, 2);
	this_cls = java_u(&b, 2);
	java_skip(&b, 2);
	java_skip(&b, 2 * (size_t)java_u(&b, 2)); /* interfaces */
	for (int part = 0; part < 2 && !b.bad; part++) {
		n = java_u(&b, 2);
		for (unsigned i = 0; i < n && !b.bad; i++) {
			unsigned macc = java_u(&b, 2), mname = java_u(&b, 2);
			unsigned mdesc = java_u(&b, 2), na = java_u(&b, 2);
			static const char want_desc[] =
			        "([Ljava/lang/String;)V";

			for (unsigned a = 0; a < na && !b.bad; a++) {
				java_skip(&b, 2);
				java_skip(&b, java_u(&b, 4));
			}
			if (part == 0 || b.bad || mname >= count ||
			    mdesc >= count || !utf[mname] || !utf[mdesc])
				continue;
			if ((macc & (JAVA_ACC_PUBLIC | JAVA_ACC_STATIC)) !=
			    (JAVA_ACC_PUBLIC | JAVA_ACC_STATIC))
				continue;
			if (((unsigned)data[utf[mname]] << 8 |
			     data[utf[mname] + 1]) == 4 &&
			    memcmp(data + utf[mname] + 2, "main", 4) == 0 &&
			    ((unsigned)data[utf[mdesc]] << 8 |
			     data[utf[mdesc] + 1]) == sizeof(want_desc) - 1 &&
			    memcmp(data + utf[mdesc] + 2, want_desc,
			           sizeof(want_desc) - 1) == 0)
				has_main = true;
		}
	}
	if (b.bad || this_cls == 0 || this_cls >= count || !cls[this_cls] ||
	    cls[this_cls] >= count || !utf[cls[this_cls]])
		goto out;
	ret = 0;
	if (has_main) {
		uint32_t o = utf[cls[this_cls]];
		size_t l = (size_t)data[o] << 8 | data[o + 1];

		if (l == 0 || l >= namelen || l >= JAVA_NAME_MAX)
			goto out;
		if (!java_name_utf8(data + o + 2, l, name))
			name[0] = '\0'; /* not a launchable name */
		*public_cls = (acc & JAVA_ACC_PUBLIC) != 0;
	}
out:
	free(utf);
	free(cls);
	return ret;
}

struct java_scan {
	unsigned files;
	char best[JAVA_NAME_MAX];
	int best_rank;
};

/* Rank of a main class: public top-level "Main" first, then public
 * top-level, then top-level, then anything; ties: the first in name
 * order. */
static int java_rank(const char *name, bool pub)
{
	const char *simple = strrchr(name, '.');

	simple = simple ? simple + 1 : name;
	if (strchr(name, '$'))
		return 1;
	if (pub && strcmp(simple, "Main") == 0)
		return 4;
	return pub ? 3 : 2;
}

static int java_read(int dfd, const char *file, unsigned char **data,
                     size_t *len)
{
	int fd = openat(dfd, file,
	                O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat sb;
	size_t got = 0;

	*data = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > JAVA_CLASS_MAX) {
		close(fd);
		return -EINVAL;
	}
	*data = malloc((size_t)sb.st_size + 1);
	if (!*data) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, *data + got, (size_t)sb.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return 0;
}

static int java_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int java_scan_dir(int dfd, int depth, struct java_scan *sc)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	if (depth > JAVA_SCAN_DEPTH) {
		close(dfd);
		return -ELOOP;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		char **nn;

		if (de->d_name[0] == '.')
			continue;
		if (++sc->files > JAVA_SCAN_FILES) {
			ret = -E2BIG;
			break;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn) {
				ret = -ENOMEM;
				break;
			}
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			ret = -ENOMEM;
			break;
		}
		n++;
	}
	if (names)
		qsort(names, n, sizeof(*names), java_name_cmp);
	for (size_t i = 0; i < n && ret == 0; i++) {
		struct stat sb;
		size_t l = strlen(names[i]);

		if (fstatat(dirfd(d), names[i], &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			int sub = openat(dirfd(d), names[i],
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			                         O_CLOEXEC);
			if (sub >= 0)
				ret = java_scan_dir(sub, depth + 1, sc);
		} else if (S_ISREG(sb.st_mode) && l > 6 &&
		           strcmp(names[i] + l - 6, ".class") == 0) {
			unsigned char *data;
			size_t len = 0;
			char cname[JAVA_NAME_MAX];
			bool pub = false;

			if (java_read(dirfd(d), names[i], &data, &len) < 0)
				continue;
			if (java_parse(data, len, cname, sizeof(cname), &pub) ==
			            0 &&
			    cname[0]) {
				int rank = java_rank(cname, pub);
				if (rank > sc->best_rank) {
					sc->best_rank = rank;
					snprintf(sc->best, sizeof(sc->best),
					         "%s", cname);
				}
			}
			free(data);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

/* run_argv's failure: msg says why (printf), ret is returned. */
static int java_refuse(char *msg, size_t msglen, int ret, const char *fmt, ...)
        AC_PRINTF(4, 5);

static int java_refuse(char *msg, size_t msglen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return ret;
}

static int java_run_argv(void *state, const char *box_dir,
                         const struct ac_limits *lim, char ***argv, char *msg,
                         size_t msglen)
{
	struct java_state *st = state;
	struct java_scan sc;
	char xmx[32], xss[32], cds_opt[PATH_MAX + 32];
	const char *v[16];
	uint64_t extra = st->info.memory_extra_kb, heap_mb, stack_mb;
	size_t n = 0, size = 0;
	char **out, *p;
	int dfd, ret;

	*argv = NULL;
	memset(&sc, 0, sizeof(sc));
	dfd = open(box_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		ret = -errno;
		return java_refuse(msg, msglen, ret, "cannot open %s: %s",
		                   box_dir, strerror(-ret));
	}
	ret = java_scan_dir(dfd, 0, &sc);
	if (ret == -E2BIG)
		return java_refuse(msg, msglen, -ENOEXEC,
		                   "more than %d files after compilation, the "
		                   "most the search for the main class reads",
		                   JAVA_SCAN_FILES);
	if (ret == -ELOOP)
		return java_refuse(msg, msglen, -ENOEXEC,
		                   "classes nested more than %d directories "
		                   "deep, the most the search for the main "
		                   "class walks",
		                   JAVA_SCAN_DEPTH);
	if (ret < 0)
		return java_refuse(msg, msglen, ret,
		                   "cannot read the class files: %s",
		                   strerror(-ret));
	if (!sc.best[0])
		return java_refuse(msg, msglen, -ENOEXEC,
		                   "no class has a method public static void "
		                   "main(String[])");
	/* heap = the program's share of the limit; stack = a quarter of it
	 * (only what is touched counts), within 8..256 MiB. */
	heap_mb = (lim->memory_kb > extra ? lim->memory_kb - extra : 0) / 1024;
	if (heap_mb < 8)
		heap_mb = 8;
	stack_mb = heap_mb / 4;
	stack_mb = stack_mb < 8 ? 8 : stack_mb > 256 ? 256 : stack_mb;
	snprintf(cds_opt, sizeof(cds_opt), "-XX:SharedArchiveFile=%s",
	         st->cds_file);
	snprintf(xmx, sizeof(xmx), "-Xmx%llum", (unsigned long long)heap_mb);
	snprintf(xss, sizeof(xss), "-Xss%llum", (unsigned long long)stack_mb);
	v[n++] = st->java;
	v[n++] = xmx;
	v[n++] = xss;
	v[n++] = "-XX:+UseSerialGC";
	/* The old generation 7/8 of the heap, not the serial collector's 2/3:
	 * one array of most of the limit fits, as it does in C++ (minor
	 * collections of a smaller young generation cost no measurable time
	 * here; docs/plugins.md). */
	v[n++] = "-XX:NewRatio=7";
	v[n++] = "-Xshare:auto";
	/* The JDK classes programs use, once built (cds.c). */
	if (st->cds_file[0] && access(st->cds_file, R_OK) == 0)
		v[n++] = cds_opt;
	v[n++] = "-XX:-UsePerfData";
	/* The JVM's own warnings go to stdout by default, where they would
	 * turn a correct answer into WA: send them to stderr. */
	v[n++] = "-Xlog:disable";
	v[n++] = "-Xlog:all=warning:stderr";
	v[n++] = "-cp";
	v[n++] = "/box";
	v[n++] = sc.best;
	v[n] = NULL;
	for (size_t i = 0; i < n; i++)
		size += strlen(v[i]) + 1;
	out = malloc((n + 1) * sizeof(*out) + size);
	if (!out)
		return -ENOMEM;
	p = (char *)(out + n + 1);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;
		memcpy(p, v[i], l);
		out[i] = p;
		p += l;
	}
	out[n] = NULL;
	*argv = out;
	return 0;
}

/* ------------------------------------------------------------ init */

static int java_find_home(struct java_state *st)
{
	char buf[PATH_MAX];
	int ret;

	ret = st->host->conf_string(st->ctx, "home", &st->home);
	if (ret == -ENOENT) {
		if (!realpath("/usr/bin/javac", buf)) {
			pu_log(st, AC_LOG_WARN,
			       "no /usr/bin/javac: is a JDK installed? "
			       "(or set lang.java.home)");
			return -ENOPKG;
		}
		/* <home>/bin/javac */
		st->home = strdup(dirname(dirname(buf)));
		ret = st->home ? 0 : -ENOMEM;
	}
	if (ret < 0)
		return ret;
	if (snprintf(st->java, sizeof(st->java), "%s/bin/java", st->home) >=
	            (int)sizeof(st->java) ||
	    snprintf(st->javac, sizeof(st->javac), "%s/bin/javac", st->home) >=
	            (int)sizeof(st->javac))
		return -ENAMETOOLONG;
	ret = lc_check_tool(st->host, st->ctx, "lang.java: java", st->java);
	if (ret == 0)
		ret = lc_check_tool(st->host, st->ctx, "lang.java: javac",
		                    st->javac);
	return ret;
}

/* "17.0.15" from <home>/release, else from `javac -version`. */
static int java_find_version(struct java_state *st)
{
	char path[PATH_MAX + 16], line[256], out[64];
	const char *argv[3];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/release", st->home);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "JAVA_VERSION=\"", 14) == 0) {
			line[14 + strcspn(line + 14, "\"\n")] = '\0';
			snprintf(st->version, sizeof(st->version), "Java %s",
			         line + 14);
			break;
		}
	}
	if (f)
		fclose(f);
	if (st->version[0])
		return 0;
	argv[0] = st->javac;
	argv[1] = "-version";
	argv[2] = NULL;
	ret = lc_query(argv, true, out, sizeof(out));
	if (ret < 0 || strncmp(out, "javac ", 6) != 0) {
		pu_log(st, AC_LOG_ERROR,
		       "%s -version failed: is it a working JDK?", st->javac);
		return ret < 0 ? ret : -EINVAL;
	}
	snprintf(st->version, sizeof(st->version), "Java %s", out + 6);
	return 0;
}

/* Debian's JDK keeps its configuration in /etc/java-<N>-openjdk (lib/jvm.cfg
 * and conf/ point there): the sandbox must show it. */
static void java_find_conf(struct java_state *st)
{
	char path[PATH_MAX + 16], real[PATH_MAX];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/lib/jvm.cfg", st->home);
	if (realpath(path, real) && strncmp(real, "/usr/", 5) != 0) {
		snprintf(st->conf_dir, sizeof(st->conf_dir), "%s",
		         dirname(real));
		if (strcmp(st->conf_dir, "/") != 0)
			st->ro_paths[n++] = st->conf_dir;
	}
	st->ro_paths[n] = NULL;
	st->profile.ro_paths = n ? st->ro_paths : NULL;
	st->profile.syscalls = NULL;
}

/* The class-data-sharing archive (lang.java.cds, cds_dir): its build
 * started in the background when missing, its directory shown read-only
 * to the runs. */
static int java_cds_conf(struct java_state *st)
{
	bool cds = true;
	int ret = pu_conf_bool(st->host, st->ctx, "cds", &cds);

	if (ret < 0 || !cds)
		return ret;
	ret = pu_conf_str(st->host, st->ctx, "cds_dir", AC_CACHE_DIR "/cds",
	                  &st->cds_dir);
	if (ret < 0)
		return ret;
	if (st->cds_dir[0] != '/')
		ret = -EINVAL;
	else
		ret = java_cds_prepare(st->cds_dir, st->java, st->javac,
		                       st->version, st->cds_file,
		                       sizeof(st->cds_file));
	if (ret < 0) {
		pu_log(st, AC_LOG_WARN,
		       "lang.java.cds_dir %s: %s: no class-data-sharing "
		       "archive, runs start slower",
		       st->cds_dir, strerror(-ret));
		st->cds_file[0] = '\0';
		return 0;
	}
	if (strncmp(st->cds_dir, "/usr/", 5) != 0) {
		size_t n = 0;

		while (st->ro_paths[n])
			n++;
		st->ro_paths[n++] = st->cds_dir;
		st->ro_paths[n] = NULL;
		st->profile.ro_paths = st->ro_paths;
	}
	return 0;
}

static void java_fini(void *state)
{
	struct java_state *st = state;

	if (!st)
		return;
	free(st->cds_dir);
	free(st->home);
	free(st);
}

static int java_setup(struct java_state *st)
{
	struct ac_lang_info *in = &st->info;
	long long extra = JAVA_EXTRA_MB;
	size_t n = 0;
	int ret;

	ret = java_find_home(st);
	if (ret == 0)
		ret = lc_conf_multipliers(st->host, st->ctx, in);
	if (ret == 0)
		ret = pu_conf_int(st->host, st->ctx, "memory_extra_mb", &extra);
	if (ret == 0)
		ret = java_find_version(st);
	if (ret < 0)
		return ret;
	java_find_conf(st);
	ret = java_cds_conf(st);
	if (ret < 0)
		return ret;
	st->compile_argv[n++] = "/bin/sh";
	st->compile_argv[n++] = "-c";
	st->compile_argv[n++] = java_compile_script;
	st->compile_argv[n++] = st->javac;
	st->compile_argv[n++] = "-J-Xmx512m";
	st->compile_argv[n++] = "-J-XX:+UseSerialGC";
	st->compile_argv[n++] = "-J-XX:TieredStopAtLevel=1";
	st->compile_argv[n++] = "-J-XX:-UsePerfData";
	st->compile_argv[n++] = "-J-Xshare:auto";
	st->compile_argv[n++] = "-encoding";
	st->compile_argv[n++] = "UTF-8";
	st->compile_argv[n++] = "-d";
	st->compile_argv[n++] = "/box";
	st->compile_argv[n] = NULL;
	/* Only used when a judge ignores run_argv(): the common case. */
	st->run_argv[0] = st->java;
	st->run_argv[1] = NULL;
	lc_base_env(st->envp);
	lc_set_info(in, "java", "Java (OpenJDK)", "Main.java", st->compile_argv,
	            st->run_argv, st->envp);
	in->compile_limits = lc_compile_limits(30, 60, 1024, 64, 128, 256);
	in->run_processes = JAVA_RUN_PROCESSES;
	in->memory_extra_kb = (uint64_t)extra * 1024;
	in->version = st->version;
	in->compile_profile = &st->profile;
	in->run_profile = &st->profile;
	pu_log(st, AC_LOG_DEBUG, "%s (%s)", st->version, st->home);
	return 0;
}

PU_DEFINE_INIT(java_init, struct java_state, java_setup, java_fini)

static const struct ac_lang_ops java_ops = {
        .init = java_init,
        .fini = java_fini,
        .info = java_info,
        .classify = java_classify,
        .run_argv = java_run_argv,
};

static const struct ac_setting java_settings[] = {
        AC_SET_STRING("home", NULL,
                      "the JDK's directory (default: where /usr/bin/javac "
                      "leads)"),
        AC_SET_INT("memory_extra_mb", "128", 0, 4096,
                   "the JVM's own memory, added to every run's limit"),
        AC_SET_BOOL("cds", "true",
                    "a class-data sharing archive of the JDK's classes, "
                    "built in the background"),
        AC_SET_STRING("cds_dir", AC_CACHE_DIR "/cds",
                      "where that archive is kept (absolute path)"),
        LC_MULTIPLIER_SETTINGS,
        AC_SETTINGS_END,
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_LANG, "java",
                          "Java compiled with javac, run by the JVM",
                          PACKAGE_VERSION, java_ops, java_settings);
