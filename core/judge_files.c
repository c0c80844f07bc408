/* Submissions of several files (docs/api.md, "Several files"): names
 * checked, the main file chosen by the language's rule, the files written
 * in the box and the compile command naming every unit. */
#include "judge_int.h"

#include "msg.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------ submissions of several files */

static const char *judge_ext(const char *name)
{
	const char *d = strrchr(name, '.');

	return d ? d : "";
}

/* A file compiled with the others: the extension of the language's
 * source file, and for C++ (.cpp) also .cc, .cxx and .c. */
static bool judge_is_unit(const char *name, const char *source_file)
{
	const char *e = judge_ext(name), *se = judge_ext(source_file);

	if (!*se)
		return false;
	if (strcmp(e, se) == 0)
		return true;
	return strcmp(se, ".cpp") == 0 &&
	       (!strcmp(e, ".cc") || !strcmp(e, ".cxx") || !strcmp(e, ".c"));
}

/* The file says `if __name__ == "__main__"` (either quote, any blanks). */
static bool judge_has_main_guard(const char *d, size_t n)
{
	static const char key[] = "__name__";

	for (size_t i = 0; i + sizeof(key) - 1 <= n; i++) {
		size_t k = i + sizeof(key) - 1;
		char q;

		if (memcmp(d + i, key, sizeof(key) - 1) != 0)
			continue;
		while (k < n && (d[k] == ' ' || d[k] == '\t'))
			k++;
		if (k + 2 > n || d[k] != '=' || d[k + 1] != '=')
			continue;
		k += 2;
		while (k < n && (d[k] == ' ' || d[k] == '\t'))
			k++;
		if (k + 10 > n || (d[k] != '"' && d[k] != '\''))
			continue;
		q = d[k];
		if (memcmp(d + k + 1, "__main__", 8) == 0 && d[k + 9] == q)
			return true;
	}
	return false;
}

static void judge_ce(struct ac_result *out, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void judge_ce(struct ac_result *out, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(out->compile_log);
	out->compile_log = strdup(msg);
	out->compile_ok = false;
	out->verdict = AC_V_CE;
}

/* Does the run command name the source file (Python's main.py)?  Then
 * one file must be the program's entry and is written under that name. */
static bool judge_runs_source(const struct ac_lang_info *lang)
{
	const char *sf = lang->source_file;

	for (size_t i = 0; lang->run_argv && lang->run_argv[i]; i++) {
		const char *a = lang->run_argv[i];

		if (strcmp(a, sf) == 0 ||
		    (strncmp(a, "/box/", 5) == 0 && strcmp(a + 5, sf) == 0))
			return true;
	}
	return false;
}

/* The main file by the language's rule (docs/api.md, "Several files"):
 * the one named as the source file; else, when the run command names
 * it, the only compiled file, or the only one with a __main__ guard.
 * -1 with the verdict CE when it cannot be told; *main = -1 when the
 * language needs none (C, C++, Java: all files are compiled together
 * and the linker or the class files tell). */
static int judge_files_main(struct judge_run *j, const struct ac_src_file *f,
                            size_t n, long *main)
{
	const char *sf = j->lang->source_file;
	size_t units = 0, guards = 0;
	long unit = -1, guard = -1;

	*main = -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(f[i].name, sf) == 0)
			*main = (long)i;
		if (!judge_is_unit(f[i].name, sf))
			continue;
		units++;
		unit = (long)i;
		if (judge_has_main_guard(f[i].data, f[i].len)) {
			guards++;
			guard = (long)i;
		}
	}
	if (units == 0) {
		judge_ce(j->out,
		         "none of the %zu files is a %s source (*%s): nothing "
		         "to compile",
		         n, j->lang->display ? j->lang->display : j->lang->name,
		         judge_ext(sf));
		return -1;
	}
	if (*main >= 0 || !judge_runs_source(j->lang))
		return 0;
	if (units == 1)
		*main = unit;
	else if (guards == 1)
		*main = guard;
	else {
		judge_ce(j->out,
		         "cannot tell the main file among %zu *%s files: name "
		         "it %s, or give exactly one file with `if __name__ == "
		         "\"__main__\":` (%zu have one)",
		         units, judge_ext(sf), sf, guards);
		return -1;
	}
	return 0;
}

/* The compile command with the language's source file replaced by every
 * compiled file (written names, in the order given). */
static int judge_files_argv(struct judge_run *j)
{
	const char *const *a = j->lang->compile_argv;
	const char *sf = j->lang->source_file;
	size_t n = 0, k = 0, ns = 0;
	bool found = false;

	if (!a)
		return 0;
	while (a[n])
		n++;
	while (j->srcs[ns])
		ns++;
	j->cargv = calloc(n + ns + 1, sizeof(*j->cargv));
	j->cstr = calloc(ns + 1, sizeof(*j->cstr));
	if (!j->cargv || !j->cstr)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool abs = strncmp(a[i], "/box/", 5) == 0;

		if (strcmp(abs ? a[i] + 5 : a[i], sf) != 0) {
			j->cargv[k++] = (char *)a[i];
			continue;
		}
		found = true;
		for (size_t u = 0, c = 0; u < ns; u++) {
			if (!judge_is_unit(j->srcs[u], sf))
				continue;
			if (asprintf(&j->cstr[c], "%s%s", abs ? "/box/" : "",
			             j->srcs[u]) < 0) {
				j->cstr[c] = NULL;
				return -ENOMEM;
			}
			j->cargv[k++] = j->cstr[c++];
		}
	}
	if (!found) {
		/* The language names its file elsewhere (Java's script
		 * compiles every *.java when there is no Main.java). */
		free(j->cargv);
		j->cargv = NULL;
	}
	return 0;
}

/* Step 2 for a submission of several files: names checked, the main file
 * found, every file written in the box, the compile command built. */
int judge_step_files(struct judge_run *j)
{
	struct ac_src_file *f = NULL;
	char err[256], path[4400];
	size_t n = 0;
	long main;
	int r;

	if (ac_files_unbundle(j->job->src.code, j->job->src.code_len, &f, &n,
	                      err, sizeof(err)) < 0) {
		judge_ce(j->out, "the files of the submission: %s", err);
		return -1;
	}
	if (judge_files_main(j, f, n, &main) < 0) {
		free(f);
		return -1;
	}
	j->srcs = calloc(n + 1, sizeof(*j->srcs));
	r = j->srcs ? 0 : -ENOMEM;
	for (size_t i = 0; r == 0 && i < n; i++) {
		const char *name =
		        (long)i == main ? j->lang->source_file : f[i].name;

		if (!(j->srcs[i] = strdup(name))) {
			r = -ENOMEM;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", j->box, name);
		r = ac_write_file(path, f[i].data, f[i].len, 0644);
	}
	if (r == 0)
		r = judge_files_argv(j);
	free(f);
	if (r < 0) {
		judge_fail(j->out, AC_V_IE, NULL, "cannot write the files: %s",
		           strerror(-r));
		return -1;
	}
	return 0;
}
