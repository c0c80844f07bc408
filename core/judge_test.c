/* The tests of one judgement (step 8): each run in a fresh box, its output
 * validated (the token validator, a custom validator, an interactive or
 * multi-pass run), its verdict and score recorded; a TLE on a loaded host
 * judged again; the groups of a scoring problem graded. */
#include "judge_int.h"

#include "grading.h"

#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A scoring validator's score: FEEDBACK_DIR/score.txt, one finite
 * number; unreadable, or missing with legacy `validation: custom score`,
 * is a validator error (Internal Error). */
static void judge_test_score(struct judge_run *j, struct judge_test *x)
{
	char path[4400], *txt = NULL, *end;
	int dfd, fdir;

	/* as judgemessage.txt: no symlink the validator made is followed */
	snprintf(path, sizeof(path), "%s/vbox", j->tmpl);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0) {
		fdir = openat(dfd, "feedback",
		              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fdir >= 0) {
			txt = judge_read_head("score.txt", 64, fdir);
			close(fdir);
		}
		close(dfd);
	}
	if (txt) {
		errno = 0;
		x->score = strtod(txt, &end);
		while (*end == ' ' || *end == '\n' || *end == '\r' ||
		       *end == '\t')
			end++;
		x->has_score =
		        end != txt && !*end && !errno && isfinite(x->score);
	}
	if (!txt && j->p->format == AC_FORMAT_2023_07)
		return; /* no score.txt: the group's accept_score */
	if (!x->has_score) {
		x->val = AC_VAL_ERROR;
		snprintf(x->msg, sizeof(x->msg),
		         "validator: no valid score.txt in the feedback "
		         "directory (a scoring validator must write one)");
	}
	free(txt);
}

static bool judge_interactive(const struct ac_problem *p)
{
	return (p->type_flags &
	        (AC_PROBLEM_INTERACTIVE | AC_PROBLEM_MULTIPASS)) != 0;
}

/* A fresh box for the test (and for each pass of a multi-pass test). */
static int judge_test_box(struct judge_run *j, struct judge_test *x)
{
	int r = judge_box_reset(j->ctx, j->box, j->pristine, j->build,
	                        j->box_kb, &x->mounted);

	if (r < 0)
		judge_fail(j->out, AC_V_IE, NULL,
		           "cannot prepare the box for %s: %s", x->t->name,
		           strerror(-r));
	return r;
}

struct judge_reset_arg {
	struct judge_run *j;
	struct judge_test *x;
};

static int judge_test_reset_cb(void *arg)
{
	struct judge_reset_arg *a = arg;

	return judge_test_box(a->j, a->x);
}

/* An interactive or multi-pass test: the submission and the validator
 * (core/judge_val.c). */
static void judge_test_interact(struct judge_run *j, struct judge_test *x,
                                const struct ac_run_spec *spec)
{
	struct judge_reset_arg ra = {j, x};
	struct judge_sub sub = {spec, judge_test_reset_cb, &ra};
	struct judge_inter *in = calloc(1, sizeof(*in));

	if (!in) {
		snprintf(x->rep.internal_error, sizeof(x->rep.internal_error),
		         "out of memory");
		return;
	}
	judge_val_interact(j->ctx, &j->val, j->p, j->tmpl, x->t, &sub, in);
	x->rep = in->rep;
	x->val = in->val;
	x->validator_first = in->validator_first;
	snprintf(x->msg, sizeof(x->msg), "%s", in->msg);
	free(in);
}

/* A testlib checker's points (exit 7) as the test's score in a scoring
 * problem; points without a number are a checker failure. */
static void judge_test_points(struct judge_test *x, double pts)
{
	if (isnan(pts)) {
		x->val = AC_VAL_ERROR;
		snprintf(x->msg, sizeof(x->msg),
		         "validator: testlib exit 7 (points) without a number "
		         "(\"points N\" expected on its stderr)");
		return;
	}
	x->has_score = true;
	x->score = pts;
}

/* Run the test in a fresh box and validate its output; -1 when the box
 * could not be made (an Internal Error is recorded). */
static int judge_test_run(struct judge_run *j, struct judge_test *x)
{
	struct ac_run_spec spec;
	int r;

	x->msg[0] = '\0';
	x->val = AC_VAL_NOT_RUN;
	if (judge_test_box(j, x) < 0)
		return -1;
	memset(&spec, 0, sizeof(spec));
	spec.argv = j->run_argv ? (const char *const *)j->run_argv
	                        : j->lang->run_argv;
	spec.envp = j->lang->envp;
	spec.box_dir = j->box;
	spec.stdin_path = x->t->in_path;
	spec.stdout_path = x->outp;
	spec.stderr_path = x->errp;
	spec.limits = j->lim;
	spec.profile = j->lang->run_profile;
	memset(&x->rep, 0, sizeof(x->rep));
	if (judge_interactive(j->p)) {
		judge_test_interact(j, x, &spec);
		return 0;
	}
	r = j->ctx->sb->run(j->ctx->sb_state, &spec, &x->rep);
	if (r < 0 && !x->rep.internal_error[0])
		snprintf(x->rep.internal_error, sizeof(x->rep.internal_error),
		         "sandbox: %s", strerror(-r));
	x->msg[0] = '\0';
	x->val = AC_VAL_NOT_RUN;
	x->has_score = false;
	if (ac_run_failed(&x->rep, &j->lim))
		return 0;
	if (j->p->validation != AC_VALIDATION_DEFAULT) {
		double pts = INFINITY; /* left alone: no testlib points */

		x->val = judge_val_check(j->ctx, &j->val, j->tmpl, x->t,
		                         x->outp, x->msg, sizeof(x->msg), &pts);
		if (x->val == AC_VAL_CORRECT && pts != INFINITY &&
		    (j->p->type_flags & AC_PROBLEM_SCORING))
			judge_test_points(x, pts);
		else if (j->p->validator_score &&
		         j->p->validator_protocol != AC_PROTO_TESTLIB &&
		         x->val == AC_VAL_CORRECT)
			judge_test_score(j, x);
		return 0;
	}
	r = ac_validate_files(x->t->ans_path, x->outp, &j->p->flags, x->msg,
	                      sizeof(x->msg));
	x->val = r == 1 ? AC_VAL_CORRECT : r == 0 ? AC_VAL_WRONG : AC_VAL_ERROR;
	if (r < 0)
		snprintf(x->msg, sizeof(x->msg),
		         "validator: cannot read the output: %s", strerror(-r));
	return 0;
}

/* The test's verdict: the pure function of the report and the
 * validator's answer (core/verdict.c), then what the runtime knows
 * better (an OutOfMemoryError is MLE) and a full box (OLE). */
void judge_test_verdict(struct judge_run *j, struct judge_test *x)
{
	const struct ac_judge_job *job = j->job;
	struct ac_test_result *tr = &x->tr;

	memset(tr, 0, sizeof(*tr));
	tr->name = x->t->name;
	tr->has_score = x->has_score;
	tr->score = x->score;
	tr->verdict =
	        judge_interactive(j->p)
	                ? ac_verdict_interactive(&x->rep, &j->lim, x->val,
	                                         x->validator_first, x->detail,
	                                         sizeof(x->detail))
	                : ac_verdict_of(&x->rep, &j->lim, x->val, x->detail,
	                                sizeof(x->detail));
	tr->time_ms = x->rep.cpu_us / 1000;
	tr->wall_ms = x->rep.wall_us / 1000;
	tr->memory_kb = x->rep.memory_kb;
	tr->exit_code = x->rep.exited ? x->rep.exit_code : -1;
	tr->signal = x->rep.signal;
	if (tr->verdict == AC_V_RE && job->src.lang_ops &&
	    job->src.lang_ops->classify) {
		char *head = judge_read_head(x->errp, JUDGE_STDERR_HEAD, -1);

		tr->verdict = ac_verdict_hint(
		        tr->verdict,
		        job->src.lang_ops->classify(job->src.lang_state,
		                                    &x->rep, head ? head : "",
		                                    head ? strlen(head) : 0),
		        head, x->detail, sizeof(x->detail), x->msg,
		        sizeof(x->msg));
		free(head);
	}
	/* A program that filled its box and then failed: Output Limit
	 * Exceeded, which says what happened. */
	if ((tr->verdict == AC_V_RE || tr->verdict == AC_V_WA) && x->mounted &&
	    judge_box_full(j->box)) {
		tr->verdict = AC_V_OLE;
		snprintf(
		        x->detail, sizeof(x->detail),
		        "the box is full: more than %llu KiB written in /box",
		        (unsigned long long)(j->box_kb - j->build_used / 1024));
		x->msg[0] = '\0';
	}
}

/* Add the test to the result.  A test that is not a sample shows the
 * submitter its verdict, time and memory and the run's own detail
 * (signal, exit code, the limit hit), never what the validator said
 * (expected or actual output) nor what the program printed: the full
 * message goes to the log (docs/security.md). */
static void judge_test_record(struct judge_run *j, struct judge_test *x)
{
	char both[JUDGE_MSG_MAX + 600];

	ac_verdict_message(x->detail, x->msg, both, sizeof(both));
	if (x->t->sample || j->ctx->reveal_secret_details ||
	    strcmp(both, x->detail) == 0) {
		x->tr.message = both;
	} else {
		log_info("submission %s: %s: %s: %s",
		         j->job->src.id ? j->job->src.id : "?", x->t->name,
		         ac_verdict_code(x->tr.verdict), both);
		x->tr.message = x->detail;
	}
	ac_result_add_test(j->out, &x->tr);
}

/* Step 8, for test i: run, judge (a TLE near its CPU limit twice, as the
 * host's load is then), record.  -1: judging cannot go on. */
static int judge_step_test(struct judge_run *j, size_t i)
{
	struct judge_test x;
	bool rerun = false;

	memset(&x, 0, sizeof(x));
	x.t = &j->p->tests[i];
	x.i = i;
	snprintf(x.outp, sizeof(x.outp), "%s/%zu.out", j->outd, i);
	snprintf(x.errp, sizeof(x.errp), "%s/%zu.err", j->outd, i);
	for (;;) {
		if (judge_test_run(j, &x) < 0)
			return -1;
		judge_test_verdict(j, &x);
		if (rerun || !(rerun = judge_rerun_tle(&x.tr, &x.rep, &j->lim,
		                                       &j->out->load)))
			break;
		/* Limits as the host's load is now. */
		judge_load_sample(&j->out->load);
		j->lim.wall_ms = judge_wall_ms(j->lim.cpu_ms, &j->out->load);
	}
	if (rerun && x.tr.verdict == AC_V_TLE)
		snprintf(x.detail + strlen(x.detail),
		         sizeof(x.detail) - strlen(x.detail),
		         " (judged twice)");
	judge_test_record(j, &x);
	if (x.tr.verdict != AC_V_AC && !j->failed) {
		j->failed = true;
		j->out->verdict = x.tr.verdict;
	}
	if (j->job->progress)
		j->job->progress(j->job->progress_arg,
		                 &j->out->tests[j->out->ntests - 1], i,
		                 j->p->ntests);
	return 0;
}

/* Step 8: the tests, samples first, each group in name order; judging
 * stops at the first failure unless the job asks for all tests or the
 * problem is scored (its groups are graded after the loop). */
void judge_step_tests(struct judge_run *j)
{
	bool all = j->job->all_tests || (j->p->type_flags & AC_PROBLEM_SCORING);

	j->out->verdict = AC_V_AC;
	for (size_t i = 0; i < j->p->ntests; i++) {
		if (j->failed && !all)
			break;
		if (judge_step_test(j, i) < 0)
			break;
	}
	if (j->p->ntests == 0)
		judge_fail(j->out, AC_V_IE, NULL, "the problem has no tests");
}

/* Step 8b, scoring problems: the groups graded from the tests' results
 * (core/grading.c); the result's verdict stays the test loop's. */
void judge_step_grade(struct judge_run *j)
{
	const struct ac_problem *p = j->p;
	struct ac_result *out = j->out;
	struct ac_grade_test *gt = NULL;
	struct ac_grade_group *gg = NULL;

	if (!(p->type_flags & AC_PROBLEM_SCORING) || !out->compile_ok ||
	    out->ntests == 0)
		return;
	gt = calloc(p->ntests, sizeof(*gt));
	gg = calloc(p->ngroups, sizeof(*gg));
	if (!gt || !gg)
		goto out;
	for (size_t i = 0; i < p->ntests && i < out->ntests; i++) {
		gt[i].run = true;
		gt[i].verdict = out->tests[i].verdict;
		gt[i].has_score = out->tests[i].has_score;
		gt[i].score = out->tests[i].score;
	}
	if (ac_grade(p, gt, gg) < 0)
		goto out;
	out->scored = true;
	out->score = gg[0].score;
	out->score_verdict = gg[0].verdict;
	for (size_t g = 0; g < p->ngroups; g++)
		if (gg[g].graded &&
		    ac_result_add_group(out, p->groups[g].name, gg[g].verdict,
		                        gg[g].score) < 0)
			break;
out:
	free(gt);
	free(gg);
}
