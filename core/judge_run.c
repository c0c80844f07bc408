/* A run with custom input (ac_judge_run): the judgement's steps up to the
 * run command, then each input run unchecked in a fresh box, and the run
 * document. */
#include "judge_int.h"

#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------ run with custom input */

/* The verdict code of one run: a run that ended well is "OK" (nothing
 * was checked), else the verdict's code (TLE, MLE, OLE, RE, IE). */
static const char *judge_run_code(enum ac_verdict v)
{
	return v == AC_V_AC ? "OK" : ac_verdict_code(v);
}

static const char *judge_run_name(enum ac_verdict v)
{
	return v == AC_V_AC ? "OK" : ac_verdict_name(v);
}

/* Cut s where its JSON text would pass cap bytes: a control character
 * is written \u0001 (6 bytes), so 64 KiB of them made 384 KiB of
 * document per input, which every poll of the run parses and writes
 * again.  true when cut (at a character boundary). */
static bool judge_run_cap_json(char *s, size_t cap)
{
	size_t used = 0, i;

	if (!s)
		return false;
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t cost = 1;

		if (c == '"' || c == '\\' || c == '\n' || c == '\t' ||
		    c == '\r' || c == '\b' || c == '\f')
			cost = 2;
		else if (c < 0x20)
			cost = 6;
		if (used + cost > cap)
			break;
		used += cost;
	}
	if (!s[i])
		return false;
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--; /* not inside a UTF-8 sequence */
	s[i] = '\0';
	return true;
}

/* One input: written to out/, run in a fresh box, reported. */
static json_t *judge_run_input(struct judge_run *j, const struct ac_run_job *rj,
                               size_t i, enum ac_verdict *v)
{
	struct judge_test x;
	struct ac_test t;
	struct ac_run_spec spec;
	char inp[4400], name[32];
	char *out = NULL, *err = NULL;
	bool out_cut, err_cut;
	json_t *o;
	int r;

	memset(&x, 0, sizeof(x));
	memset(&t, 0, sizeof(t));
	snprintf(name, sizeof(name), "input/%zu", i + 1);
	snprintf(inp, sizeof(inp), "%s/%zu.in", j->outd, i);
	t.name = name;
	t.in_path = inp;
	x.t = &t;
	x.i = i;
	snprintf(x.outp, sizeof(x.outp), "%s/%zu.out", j->outd, i);
	snprintf(x.errp, sizeof(x.errp), "%s/%zu.err", j->outd, i);
	r = ac_write_file(inp, rj->inputs[i], rj->input_lens[i], 0600);
	if (r == 0)
		r = judge_box_reset(j->ctx, j->box, j->pristine, j->build,
		                    j->box_kb, &x.mounted);
	if (r < 0) {
		*v = AC_V_IE;
		return json_pack("{s:s,s:s,s:s,s:s}", "name", name,
		                 "verdict_code", "IE", "verdict",
		                 "Internal Error", "message",
		                 "cannot prepare the box");
	}
	memset(&spec, 0, sizeof(spec));
	spec.argv = j->run_argv ? (const char *const *)j->run_argv
	                        : j->lang->run_argv;
	spec.envp = j->lang->envp;
	spec.box_dir = j->box;
	spec.stdin_path = inp;
	spec.stdout_path = x.outp;
	spec.stderr_path = x.errp;
	spec.limits = j->lim;
	spec.profile = j->lang->run_profile;
	r = j->ctx->sb->run(j->ctx->sb_state, &spec, &x.rep);
	if (r < 0 && !x.rep.internal_error[0])
		snprintf(x.rep.internal_error, sizeof(x.rep.internal_error),
		         "sandbox: %s", strerror(-r));
	x.val = ac_run_failed(&x.rep, &j->lim) ? AC_VAL_NOT_RUN
	                                       : AC_VAL_CORRECT;
	judge_test_verdict(j, &x);
	*v = x.tr.verdict;
	out = judge_read_head(x.outp, rj->stdout_kb * 1024, -1);
	err = judge_read_head(x.errp, rj->stderr_kb * 1024, -1);
	out_cut = judge_run_cap_json(out, rj->stdout_kb * 1024);
	err_cut = judge_run_cap_json(err, rj->stderr_kb * 1024);
	if (x.msg[0] && x.detail[0])
		snprintf(x.detail + strlen(x.detail),
		         sizeof(x.detail) - strlen(x.detail), ": %.400s",
		         x.msg);
	o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:b,s:o,s:b,s:I,s:I,s:I,s:i,s:i}",
	              "name", name, "verdict_code", judge_run_code(*v),
	              "verdict", judge_run_name(*v), "message",
	              ac_json_text(x.detail[0] ? x.detail : x.msg), "stdout",
	              ac_json_text(out ? out : ""), "stdout_truncated",
	              x.rep.stdout_bytes > rj->stdout_kb * 1024 ||
	                      x.rep.stdout_exceeded || out_cut,
	              "stderr", ac_json_text(err ? err : ""),
	              "stderr_truncated",
	              err_cut || (err && strlen(err) >= rj->stderr_kb * 1024),
	              "time_ms", (json_int_t)x.tr.time_ms, "wall_ms",
	              (json_int_t)x.tr.wall_ms, "memory_kb",
	              (json_int_t)x.tr.memory_kb, "exit_code", x.tr.exit_code,
	              "signal", x.tr.signal);
	free(out);
	free(err);
	unlink(inp);
	return o;
}

/* The run document from what the steps left in j->out and the runs. */
static char *judge_run_doc(struct judge_run *j, const struct ac_run_job *rj,
                           json_t *runs, enum ac_verdict v)
{
	struct ac_result *out = j->out;
	char fin[40];
	const char *msg = NULL;
	json_t *doc;
	char *s;

	for (size_t i = 0; i < out->ntests; i++)
		if (out->tests[i].message)
			msg = out->tests[i].message; /* a step's failure */
	ac_format_time(out->finished_at, fin, sizeof(fin));
	doc = json_pack(
	        "{s:s,s:s,s:s,s:s,s:s,s:o,s:{s:b,s:o,s:I},s:o,s:{s:s,s:s,s:o},"
	        "s:s}",
	        "run_id", rj->src.id ? rj->src.id : "", "user_id",
	        rj->src.user_id ? rj->src.user_id : "", "lang", j->lang->name,
	        "verdict", judge_run_name(v), "verdict_code", judge_run_code(v),
	        "message", ac_json_text(msg), "compile", "ok", out->compile_ok,
	        "log", ac_json_text(out->compile_log), "time_ms",
	        (json_int_t)out->compile_time_ms, "runs", runs, "judge", "host",
	        j->ctx->host, "sandbox", j->ctx->sandbox_name, "lang_version",
	        ac_json_text(j->lang->version), "finished_at", fin);
	if (!doc)
		return NULL;
	s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return s;
}

int ac_judge_run(struct ac_judge_ctx *ctx, const struct ac_run_job *rj,
                 char **doc)
{
	struct ac_problem p;
	struct ac_judge_job job;
	struct ac_result out;
	struct judge_run *j;
	enum ac_verdict v = AC_V_IE;
	json_t *runs;

	*doc = NULL;
	if (!ctx || !rj || !rj->src.lang || !rj->src.code || !doc)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	p.id = (char *)"(run)";
	p.time_limit_s = (double)rj->time_limit_ms / 1000.0;
	p.memory_mb = rj->memory_mb;
	p.output_mb = rj->output_mb;
	memset(&job, 0, sizeof(job));
	job.problem = &p;
	job.src = rj->src;
	memset(&out, 0, sizeof(out));
	runs = json_array();
	if (!runs || !(j = calloc(1, sizeof(*j)))) {
		json_decref(runs);
		return -ENOMEM;
	}
	j->ctx = ctx;
	j->job = &job;
	j->p = &p;
	j->lang = rj->src.lang;
	j->out = &out;
	j->lockfd = -1;
	if (judge_step_start(j) == 0 && judge_step_source(j) == 0 &&
	    judge_step_compile(j) == 0 && judge_step_keep_build(j) == 0) {
		judge_step_limits(j);
		if (judge_step_run_command(j) == 0) {
			v = AC_V_AC;
			for (size_t i = 0; i < rj->ninputs; i++) {
				enum ac_verdict vi = AC_V_AC;

				json_array_append_new(
				        runs, judge_run_input(j, rj, i, &vi));
				if (vi != AC_V_AC && v == AC_V_AC)
					v = vi;
			}
		}
	}
	if (out.verdict == AC_V_CE)
		v = AC_V_CE;
	judge_step_finish(j);
	*doc = judge_run_doc(j, rj, runs, v);
	ac_result_clear(&out);
	free(j);
	return *doc ? 0 : -ENOMEM;
}
