/* `algocode problem verify` (each package's example submissions judged
 * against their expected verdicts, --fix-time-limit) and
 * `algocode problem import`. */
#include "cli_int.h"

#include "import.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------- problem verify */

static bool cli_visible(const char *name)
{
	return name[0] != '.';
}

/* The names in dir but hidden ones, sorted, NULL-terminated (free with
 * ac_names_free); NULL and *n 0 when it cannot be read. */
static char **cli_list(const char *dir, size_t *n)
{
	char **v = NULL;

	*n = 0;
	ac_list_dir(dir, cli_visible, &v, n);
	return v;
}

/* The language whose source file has the same extension as name. */
static const struct ac_lang_info *cli_lang_of(struct ac_core *core,
                                              const char *name)
{
	const char *ext = strrchr(name, '.');

	if (!ext)
		return NULL;
	for (size_t i = 0; i < core->nlangs; i++) {
		const struct ac_lang_ops *ops = core->langs[i]->ops;
		const struct ac_lang_info *info =
		        ops->info(core->langs[i]->state);
		const char *e2 = info ? strrchr(info->source_file, '.') : NULL;
		if (e2 && strcmp(e2, ext) == 0)
			return info;
	}
	return NULL;
}

/* What one `problem verify` run counts. */
struct cli_verify {
	struct ac_core *core;
	struct ac_judge_ctx *jctx;
	unsigned checked, mismatches;
};

/* Judge one labelled source; its language from its extension.  -1 when
 * it was not judged (no language: skipped; unreadable: a mismatch).
 * want_score[2]: the expected score range, when *has_want. */
static int cli_verify_judge(struct cli_verify *v, const struct ac_problem *p,
                            const char *kind, const char *file,
                            const char *path, struct ac_result *res,
                            double *want_score, int *has_want)
{
	const struct ac_lang_info *lang = cli_lang_of(v->core, file);
	struct ac_judge_job job;
	char id[64], *code;
	size_t len;

	if (!lang) {
		printf("SKIP    %s/%s/%s: no language for this file\n", p->id,
		       kind, file);
		return -1;
	}
	code = cli_read_source(path, &len);
	if (!code) {
		v->mismatches++;
		return -1;
	}
	*has_want = ac_expected_score(code, len, want_score);
	want_score[1] = want_score[0];
	if (*has_want == 0) {
		char rel[4200];

		snprintf(rel, sizeof(rel), "%s/%s", kind, file);
		*has_want = ac_submission_expected_score(p, rel, &want_score[0],
		                                         &want_score[1]);
	}
	if (*has_want < 0) {
		printf("MISMATCH %s/%s/%s: unreadable expected score "
		       "(@EXPECTED_SCORE@ or submissions.yaml)\n",
		       p->id, kind, file);
		v->mismatches++;
		free(code);
		return -1;
	}
	memset(&job, 0, sizeof(job));
	job.problem = p;
	cli_source(v->core, lang, code, len, "verify", id, sizeof(id),
	           &job.src);
	ac_judge(v->jctx, &job, res);
	free(code);
	return 0;
}

/* The verdict (and, where the source states one, the score) of one
 * labelled submission against its kind. */
static void cli_verify_file(struct cli_verify *v, const struct ac_problem *p,
                            const char *kind, enum ac_verdict want,
                            const char *file, const char *path)
{
	struct ac_result res;
	double want_score[2] = {0, 0}, eps;
	int has_want = 0;
	bool score_ok;

	if (cli_verify_judge(v, p, kind, file, path, &res, want_score,
	                     &has_want) < 0)
		return;
	v->checked++;
	eps = 1e-6 * fmax(1.0, fabs(want_score[1]));
	score_ok =
	        !has_want || (res.scored && res.score >= want_score[0] - eps &&
	                      res.score <= want_score[1] + eps);
	if (res.verdict == want && score_ok) {
		char sc[64] = "";

		if (res.scored)
			snprintf(sc, sizeof(sc), ", score %g", res.score);
		printf("OK      %s/%s/%s: %s (%llu ms, %llu KiB%s)\n", p->id,
		       kind, file, ac_verdict_code(res.verdict),
		       (unsigned long long)res.time_ms,
		       (unsigned long long)res.memory_kb, sc);
	} else if (res.verdict == want) {
		char range[64] = "";

		if (want_score[1] != want_score[0])
			snprintf(range, sizeof(range), " to %g", want_score[1]);
		printf("MISMATCH %s/%s/%s: score %g, expected %g%s\n", p->id,
		       kind, file, res.scored ? res.score : 0.0, want_score[0],
		       range);
		v->mismatches++;
	} else {
		const char *why = "";
		for (size_t i = 0; i < res.ntests; i++)
			if (res.tests[i].verdict != AC_V_AC) {
				why = res.tests[i].message
				              ? res.tests[i].message
				              : "";
				break;
			}
		printf("MISMATCH %s/%s/%s: got %s, expected %s%s%s\n", p->id,
		       kind, file, ac_verdict_code(res.verdict),
		       ac_verdict_code(want), *why ? ": " : "", why);
		if (!res.compile_ok && res.compile_log)
			printf("%.2000s\n", res.compile_log);
		v->mismatches++;
	}
	fflush(stdout);
	ac_result_clear(&res);
}

struct cli_inputs {
	const char *id;
	unsigned *mismatches;
};

/* One line per input validator, and one per input it did not accept. */
static void cli_input_cb(void *arg, const char *validator, const char *test,
                         int ok, const char *msg)
{
	struct cli_inputs *c = arg;

	if (!test && ok == 1)
		printf("OK      %s: input validator %s: %s\n", c->id, validator,
		       msg);
	else if (!test)
		printf("BROKEN  %s: input validator %s: %s\n", c->id, validator,
		       msg);
	else
		printf("INVALID %s/%s: input validator %s %s%s%s\n", c->id,
		       test, validator, ok == 0 ? "rejects it" : "failed on it",
		       *msg ? ": " : "", msg);
	if (test || ok != 1)
		(*c->mismatches)++;
	fflush(stdout);
}

static int cli_verify_one(struct cli_verify *v, const char *dir)
{
	struct ac_problem *p;
	char err[1024], sdir[4096];
	char **kinds;
	size_t nkinds;
	int r;

	r = ac_problem_load(dir, &p, err, sizeof(err));
	if (r < 0) {
		printf("BROKEN  %s: %s\n", dir, err);
		v->mismatches++;
		return 0;
	}
	if (p->ninput_validators) {
		struct cli_inputs ci = {p->id, &v->mismatches};

		ac_judge_check_inputs(v->jctx, p, cli_input_cb, &ci);
	}
	snprintf(sdir, sizeof(sdir), "%s/submissions", p->dir);
	kinds = cli_list(sdir, &nkinds);
	if (!kinds || nkinds == 0) {
		printf("EMPTY   %s: no submissions/<kind>/ to verify\n", p->id);
		v->mismatches++;
	}
	for (size_t k = 0; k < nkinds; k++) {
		enum ac_verdict want;
		char kdir[4400], path[4600];
		char **files;
		size_t nfiles;

		snprintf(kdir, sizeof(kdir), "%s/%s", sdir, kinds[k]);
		if (strcmp(kinds[k], "submissions.yaml") == 0)
			continue; /* 2023-07 metadata (authors, language) */
		if (ac_verdict_parse(kinds[k], &want) < 0) {
			printf("UNKNOWN %s/submissions/%s: not a verdict "
			       "kind\n",
			       p->id, kinds[k]);
			v->mismatches++;
			continue;
		}
		files = cli_list(kdir, &nfiles);
		for (size_t f = 0; f < nfiles; f++) {
			snprintf(path, sizeof(path), "%s/%s", kdir, files[f]);
			cli_verify_file(v, p, kinds[k], want, files[f], path);
		}
		ac_names_free(files);
	}
	ac_names_free(kinds);
	ac_problem_free(p);
	return 0;
}

/* The slowest test of every submission in submissions/<kind>/ judged
 * with the time limit tl: the largest (slowest) or, for TLE ones, the
 * smallest (fastest); *bad counts those that did not get want. */
static double cli_kind_times(struct cli_verify *v, struct ac_problem *p,
                             const char *kind, enum ac_verdict want, double tl,
                             bool fastest, unsigned *n, unsigned *bad)
{
	char kdir[4400], path[4600];
	double keep = p->time_limit_s, t = fastest ? INFINITY : 0;
	char **files;
	size_t nfiles;

	snprintf(kdir, sizeof(kdir), "%s/submissions/%s", p->dir, kind);
	files = cli_list(kdir, &nfiles);
	p->time_limit_s = tl;
	for (size_t f = 0; f < nfiles; f++) {
		struct ac_result res;
		double ws[2], s;
		int hw;

		snprintf(path, sizeof(path), "%s/%s", kdir, files[f]);
		if (cli_verify_judge(v, p, kind, files[f], path, &res, ws,
		                     &hw) < 0)
			continue;
		s = (double)res.time_ms / 1000.0;
		(*n)++;
		if (res.verdict != want) {
			printf("TIME    %s/%s/%s: %s with a time limit of %g "
			       "s\n",
			       p->id, kind, files[f],
			       ac_verdict_code(res.verdict), tl);
			(*bad)++;
		}
		t = fastest ? fmin(t, s) : fmax(t, s);
		ac_result_clear(&res);
	}
	p->time_limit_s = keep;
	ac_names_free(files);
	return t;
}

/* --fix-time-limit: the accepted submissions with a generous limit, the
 * limit from the slowest (ac_to_time_limit, time_resolution), the TLE
 * submissions with limit x time_limit_to_tle (they must still be TLE),
 * then the limit written into the package. */
static int cli_fix_time_limit(struct cli_verify *v, const char *dir)
{
	struct ac_problem *p;
	char err[1024];
	unsigned n = 0, bad = 0, ntle = 0;
	double slow, tl, probe;

	if (ac_problem_load(dir, &p, err, sizeof(err)) < 0) {
		printf("BROKEN  %s: %s\n", dir, err);
		v->mismatches++;
		return -1;
	}
	probe = fmax(10.0, p->time_limit_s * 2);
	slow = cli_kind_times(v, p, "accepted", AC_V_AC, probe, false, &n,
	                      &bad);
	if (n == 0 || bad) {
		printf("TIME    %s: %s\n", p->id,
		       n ? "an accepted submission fails with a generous "
		           "limit: no time limit written"
		         : "no accepted submission to time");
		v->mismatches++;
		ac_problem_free(p);
		return -1;
	}
	tl = ac_time_limit_from(p, slow);
	cli_kind_times(v, p, "time_limit_exceeded", AC_V_TLE,
	               tl * p->time_limit_to_tle, true, &ntle, &bad);
	if (bad) {
		printf("TIME    %s: a time_limit_exceeded submission runs "
		       "within %g s x time_limit_to_tle %g: no time limit "
		       "written\n",
		       p->id, tl, p->time_limit_to_tle);
		v->mismatches++;
		ac_problem_free(p);
		return -1;
	}
	if (ac_problem_write_time_limit(p, tl, err, sizeof(err)) < 0) {
		printf("TIME    %s: %s\n", p->id, err);
		v->mismatches++;
		ac_problem_free(p);
		return -1;
	}
	printf("TIME    %s: slowest accepted run %.3f s x %g -> time limit "
	       "%g s (was %g s; %u TLE submissions checked at x %g)\n",
	       p->id, slow, p->ac_to_time_limit, tl, p->time_limit_s, ntle,
	       p->time_limit_to_tle);
	ac_problem_free(p);
	return 0;
}

/* problem import SOURCE DIR: what could not be carried over on stdout;
 * 0 when DIR loads. */
static int cli_import(const char *src, const char *dest)
{
	char err[1024] = "";
	int r = ac_import(src, dest, stdout, err, sizeof(err));

	if (r < 0)
		fprintf(stderr, "algocode: import: %s\n", err);
	return r < 0 ? 1 : 0;
}

int cli_verify(const struct cli_opts *o)
{
	struct ac_core core;
	struct ac_judge_ctx jctx;
	struct cli_verify v = {.core = &core, .jctx = &jctx};

	if (o->nargs == 3 && strcmp(o->args[0], "import") == 0)
		return cli_import(o->args[1], o->args[2]);
	if (o->nargs < 2 || strcmp(o->args[0], "verify") != 0) {
		fprintf(stderr, "Usage: algocode problem verify [-c FILE] "
		                "[--fix-time-limit] DIR...\n"
		                "       algocode problem import SOURCE DIR\n");
		return 2;
	}
	if (cli_core(o, &core, AC_NEED_SANDBOX | AC_NEED_LANGS) < 0)
		return 1;
	if (cli_judge_ctx(&core, &jctx) < 0) {
		ac_core_fini(&core);
		return 1;
	}
	for (int i = 1; i < o->nargs; i++)
		if (!o->fix_time_limit ||
		    cli_fix_time_limit(&v, o->args[i]) == 0)
			cli_verify_one(&v, o->args[i]);
	printf("%u submissions judged, %u mismatches\n", v.checked,
	       v.mismatches);
	ac_judge_ctx_fini(&jctx);
	ac_core_fini(&core);
	return v.mismatches ? 1 : 0;
}
