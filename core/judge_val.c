/* Custom validators (Kattis output validators, testlib checkers and
 * interactors) in any language of the language plugins
 * (docs/problem-format.md): built, and run on one test's output.
 *
 * A validator is built once per problem content hash in
 * validators/<hash>/box (its sources, renamed to the language's source
 * file, then compiled with the language's compile command in the sandbox);
 * validators/<hash>/out/ok marks a finished build.  Each run gets a box of
 * its own, run-XXXXXX/vbox/: the build, the test's input and answer,
 * feedback/.  The runs of interactive and multi-pass tests are
 * judge_inter.c; the input validators of `problem verify` are here. */
#include "judge_int.h"
#include "util.h"

#include "loader.h"
#include "log.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JV_TIME_MS   30000u /* a validator's CPU limit */
#define JV_MEM_KB    (1024u * 1024)
#define JV_BUILD_MAX (64ull * 1024 * 1024) /* bytes of a validator build */

/* ------------------------------------------------------------ language */

static const char *jv_ext(const char *name)
{
	const char *d = strrchr(name, '.');

	return d && d != name ? d + 1 : NULL;
}

/* C++ sources go by several extensions; the plugin's is "cpp". */
static const char *jv_canon(const char *ext)
{
	static const char *const cpp[] = {"cc", "cxx", "c++", "C", "cp"};

	for (size_t i = 0; i < sizeof(cpp) / sizeof(cpp[0]); i++)
		if (strcmp(ext, cpp[i]) == 0)
			return "cpp";
	return ext;
}

static bool jv_header(const char *ext)
{
	return !strcmp(ext, "h") || !strcmp(ext, "hpp") || !strcmp(ext, "hh") ||
	       !strcmp(ext, "hxx") || !strcmp(ext, "inc");
}

/* The language plugin whose source file has this extension. */
static struct ac_loaded *jv_lang_of(struct ac_judge_ctx *ctx, const char *ext)
{
	for (size_t i = 0; i < ctx->nlangs; i++) {
		const struct ac_lang_ops *ops = ctx->langs[i]->ops;
		const struct ac_lang_info *in = ops->info(ctx->langs[i]->state);
		const char *e = in ? jv_ext(in->source_file) : NULL;

		if (e && strcmp(e, jv_canon(ext)) == 0)
			return ctx->langs[i];
	}
	return NULL;
}

/* The validator's language from its files' extensions (headers and
 * files of no known language aside); *main the file to compile (NULL:
 * several C or C++ sources, compiled as one).  -EINVAL with err when
 * there is none or more than one language, -ENOENT when no plugin. */
static int jv_find_lang(struct ac_judge_ctx *ctx, char **files,
                        struct ac_loaded **lp, const char **main, char *err,
                        size_t errlen)
{
	static const char *const pref[] = {"validator", "interactor",
	                                   "checker",   "output_validator",
	                                   "main",      "Main"};
	const char *first = NULL, *ext;
	size_t nsrc = 0;

	*lp = NULL;
	*main = NULL;
	for (size_t i = 0; files[i]; i++) {
		struct ac_loaded *l;

		if (!(ext = jv_ext(files[i])) || jv_header(ext) ||
		    !(l = jv_lang_of(ctx, ext)))
			continue;
		if (*lp && l != *lp) {
			snprintf(err, errlen,
			         "the validator's language is ambiguous: %s "
			         "and %s are sources of two languages",
			         first, files[i]);
			return -EINVAL;
		}
		*lp = l;
		if (!first)
			first = files[i];
		nsrc++;
	}
	if (!*lp) {
		char known[256];
		size_t off = 0;

		known[0] = '\0';
		for (size_t i = 0; i < ctx->nlangs && off < sizeof(known);
		     i++) {
			const struct ac_lang_ops *ops = ctx->langs[i]->ops;
			const struct ac_lang_info *in =
			        ops->info(ctx->langs[i]->state);
			int w = snprintf(known + off, sizeof(known) - off,
			                 "%s.%s", off ? ", " : "",
			                 in ? jv_ext(in->source_file) : "?");
			off += w > 0 ? (size_t)w : 0;
		}
		snprintf(err, errlen,
		         "the validator has no source file of a language "
		         "this judge has (extensions: %s)",
		         known[0] ? known : "none: no language plugin");
		return -ENOENT;
	}
	if (nsrc == 1) {
		*main = first;
		return 0;
	}
	ext = jv_ext(first);
	for (size_t k = 0; k < sizeof(pref) / sizeof(pref[0]); k++)
		for (size_t i = 0; files[i]; i++) {
			const char *e = jv_ext(files[i]);
			size_t n = strlen(pref[k]);

			if (e && strncmp(files[i], pref[k], n) == 0 &&
			    files[i][n] == '.' && jv_lang_of(ctx, e) == *lp) {
				*main = files[i];
				return 0;
			}
		}
	if (!strcmp(jv_canon(ext), "cpp") || !strcmp(ext, "c"))
		return 0; /* all of them, as one */
	snprintf(err, errlen,
	         "the validator has %zu .%s sources and none is named "
	         "validator.%s: which one is the program is unknown",
	         nsrc, ext, ext);
	return -EINVAL;
}

/* The language's source file in the box: the main source under that
 * name, or (several C/C++ sources) a file that includes them all. */
static int jv_source(struct ac_judge_ctx *ctx, const char *box, char **files,
                     const struct ac_lang_info *lang, const char *main,
                     char *err, size_t errlen)
{
	char dst[4400], src[4400], *all = NULL;
	size_t len = 0;
	int r = 0;

	snprintf(dst, sizeof(dst), "%s/%s", box, lang->source_file);
	if (main) {
		if (strcmp(main, lang->source_file) == 0)
			return 0;
		snprintf(src, sizeof(src), "%s/%s", box, main);
		r = ac_copy_file(src, dst, 0644);
	} else {
		for (size_t i = 0; files[i] && r == 0; i++) {
			const char *e = jv_ext(files[i]);
			size_t n = strlen(files[i]) + 16;
			char *na;

			if (!e || jv_header(e) || jv_lang_of(ctx, e) == NULL ||
			    strchr(files[i], '"'))
				continue;
			if (!(na = realloc(all, len + n + 1))) {
				r = -ENOMEM;
				break;
			}
			all = na;
			len += (size_t)snprintf(all + len, n + 1,
			                        "#include \"%s\"\n", files[i]);
		}
		if (r == 0)
			r = ac_write_file(dst, all ? all : "", len, 0644);
		free(all);
	}
	if (r < 0)
		snprintf(err, errlen, "cannot write the validator's %s: %s",
		         lang->source_file, strerror(-r));
	return r;
}

/* --------------------------------------------------------------- build */

static int jv_compile(struct ac_judge_ctx *ctx, const char *what,
                      const struct ac_lang_info *lang, const char *box,
                      const char *out, char *err, size_t errlen)
{
	char logp[4400];
	struct ac_run_spec spec;
	struct ac_run_report rep;
	int r;

	if (!lang->compile_argv)
		return 0;
	snprintf(logp, sizeof(logp), "%s/compile.err", out);
	memset(&spec, 0, sizeof(spec));
	spec.argv = lang->compile_argv;
	spec.envp = lang->envp;
	spec.box_dir = box;
	spec.stdout_path = logp;
	spec.stderr_path = logp;
	spec.limits = lang->compile_limits;
	spec.profile = lang->compile_profile;
	memset(&rep, 0, sizeof(rep));
	r = ctx->sb->run(ctx->sb_state, &spec, &rep);
	if (r < 0 || rep.internal_error[0] || !rep.exited ||
	    rep.exit_code != 0) {
		char *log = judge_read_head(logp, 2048, -1);

		snprintf(err, errlen, "%s does not compile (%s): %s", what,
		         lang->name,
		         rep.internal_error[0] ? rep.internal_error
		         : log && *log         ? log
		         : rep.exited          ? "the compiler failed"
		                               : "the compiler was killed");
		free(log);
		return r < 0 ? r : -EIO;
	}
	return 0;
}

/* validators/<hash>/: copy, compile, mark (under ctx->lock). */
static int jv_build_locked(struct ac_judge_ctx *ctx, const char *what,
                           const char *src, const char *dir,
                           struct ac_loaded **lp, char *err, size_t errlen)
{
	char box[4200], out[4200], marker[4300];
	struct judge_budget b = {JV_BUILD_MAX, 4096, 8, NULL};
	const struct ac_lang_info *lang;
	char **files = NULL;

	ac_list_dir(src, NULL, &files, NULL);
	const char *main = NULL;
	int r;

	snprintf(box, sizeof(box), "%s/box", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(marker, sizeof(marker), "%s/ok", out);
	if (!files) {
		snprintf(err, errlen, "cannot read %s", src);
		return -EIO;
	}
	if ((r = jv_find_lang(ctx, files, lp, &main, err, errlen)) < 0)
		goto out;
	lang = ((const struct ac_lang_ops *)(*lp)->ops)->info((*lp)->state);
	if (access(marker, F_OK) == 0)
		goto out;
	judge_remove(ctx, dir);
	if ((r = ac_mkdir_p(box, 0755)) < 0 ||
	    (r = ac_mkdir_p(out, 0755)) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
		         strerror(-r));
		goto out;
	}
	if ((r = judge_copy_tree(src, box, NULL, 0, &b)) < 0) {
		snprintf(err, errlen, "cannot copy %s: %s%s%s", src,
		         strerror(-r), b.why ? ": " : "", b.why ? b.why : "");
		goto out;
	}
	if ((r = jv_source(ctx, box, files, lang, main, err, errlen)) < 0 ||
	    (r = jv_compile(ctx, what, lang, box, out, err, errlen)) < 0)
		goto out;
	r = ac_write_file(marker, lang->name, strlen(lang->name), 0644);
	if (r == 0)
		log_info("%s built (%s)", what, lang->name);
out:
	ac_names_free(files);
	return r;
}

/* Build (or find built) the program of src in dir; fill *v. */
static int jv_build(struct ac_judge_ctx *ctx, const char *what, const char *src,
                    const char *dir, struct judge_val *v, char *err,
                    size_t errlen)
{
	struct ac_loaded *lp = NULL;
	char msg[512] = "";
	size_t n = strlen(dir) + 5;
	int r;

	memset(v, 0, sizeof(*v));
	pthread_mutex_lock(&ctx->lock);
	r = jv_build_locked(ctx, what, src, dir, &lp, err, errlen);
	pthread_mutex_unlock(&ctx->lock);
	if (r < 0)
		return r;
	v->ops = lp->ops;
	v->state = lp->state;
	v->lang = v->ops->info(v->state);
	v->lim = (struct ac_limits){
	        .cpu_ms = JV_TIME_MS,
	        .wall_ms = 2 * JV_TIME_MS,
	        .memory_kb = JV_MEM_KB + v->lang->memory_extra_kb,
	        .stdout_kb = 64,
	        .stderr_kb = 64,
	        .fsize_kb = 64 * 1024,
	        .processes =
	                v->lang->run_processes > 4 ? v->lang->run_processes : 4,
	        .nofile = 64};
	if (!(v->build = malloc(n)))
		return -ENOMEM;
	snprintf(v->build, n, "%s/box", dir);
	if (v->ops->run_argv &&
	    (r = v->ops->run_argv(v->state, v->build, &v->lim, &v->argv, msg,
	                          sizeof(msg))) < 0) {
		snprintf(err, errlen, "%s cannot run: %s", what,
		         msg[0] ? msg : strerror(-r));
		judge_val_free(v);
		return r;
	}
	return 0;
}

/* The package's limits.validation_* over the judge's own (issue 18). */
static void jv_package_limits(const struct ac_problem *p, struct ac_limits *lim)
{
	if (p->validation_time_s) {
		lim->cpu_ms = p->validation_time_s * 1000;
		lim->wall_ms = 2 * lim->cpu_ms;
	}
	if (p->validation_memory_mb)
		lim->memory_kb = p->validation_memory_mb * 1024;
	if (p->validation_output_mb)
		lim->fsize_kb = p->validation_output_mb * 1024;
}

int judge_val_build(struct ac_judge_ctx *ctx, const struct ac_problem *p,
                    struct judge_val *v, char *err, size_t errlen)
{
	char dir[4200], what[300];
	int r;

	memset(v, 0, sizeof(*v));
	if (!p->validator_dir) {
		snprintf(err, errlen, "%s: no validator directory", p->id);
		return -ENOENT;
	}
	snprintf(dir, sizeof(dir), "%s/validators/%s", ctx->work_dir, p->hash);
	snprintf(what, sizeof(what), "the validator of %s", p->id);
	if ((r = jv_build(ctx, what, p->validator_dir, dir, v, err, errlen)) <
	    0)
		return r;
	v->protocol = p->validator_protocol == AC_PROTO_TESTLIB
	                      ? AC_VPROTO_TESTLIB
	                      : AC_VPROTO_KATTIS;
	jv_package_limits(p, &v->lim);
	return 0;
}

void judge_val_free(struct judge_val *v)
{
	free(v->build);
	free(v->argv);
	v->build = NULL;
	v->argv = NULL;
}

/* ----------------------------------------------------------------- runs */

/* The validator's argv: its run command, then args. */
void judge_val_argv(const struct judge_val *v, const char *const *args,
                    const char **argv)
{
	const char *const *base =
	        v->argv ? (const char *const *)v->argv : v->lang->run_argv;
	size_t n = 0;

	for (size_t i = 0; base && base[i] && n < JV_ARGS_MAX - 8; i++)
		argv[n++] = base[i];
	for (size_t i = 0; args[i] && n < JV_ARGS_MAX - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
}

/* run-XXXXXX/vbox: the build, input, answer, feedback/ (and output: the
 * team output for a testlib checker, or where an interactor writes). */
int judge_val_box(struct ac_judge_ctx *ctx, const struct judge_val *v,
                  const char *run_dir, const struct ac_test *t,
                  const char *team_out, char *vbox, size_t len, char *msg,
                  size_t msglen)
{
	struct judge_budget b = {JV_BUILD_MAX, 4096, 8, NULL};
	char path[4400], feedback[] = "feedback", *skip[] = {feedback, NULL};
	int r;

	snprintf(vbox, len, "%s/vbox", run_dir);
	judge_remove(ctx, vbox);
	snprintf(path, sizeof(path), "%s/feedback", vbox);
	if ((r = ac_mkdir_p(path, 0755)) < 0)
		goto fail;
	if ((r = judge_copy_tree(v->build, vbox, skip, 0, &b)) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/input", vbox);
	if ((r = ac_copy_file(t->in_path, path, 0644)) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/answer", vbox);
	if ((r = ac_copy_file(t->ans_path, path, 0644)) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/output", vbox);
	r = team_out ? ac_copy_file(team_out, path, 0644)
	             : ac_write_file(path, "", 0, 0644);
	if (r < 0)
		goto fail;
	return 0;
fail:
	snprintf(msg, msglen, "validator: cannot prepare its box: %s",
	         strerror(-r));
	return r;
}

/* What the validator said: Kattis feedback/judgemessage.txt, testlib its
 * stderr; the first line. */
static void jv_message(const struct judge_val *v, const char *vbox,
                       const char *errp, const char *why, char *msg,
                       size_t msglen)
{
	char path[4400], *said;

	snprintf(path, sizeof(path), "%s/feedback/judgemessage.txt", vbox);
	said = v->protocol == AC_VPROTO_TESTLIB
	               ? judge_read_head(errp, 512, -1)
	               : judge_read_head(path, 512, -1);
	if ((!said || !*said) && why && *why) {
		free(said);
		said = judge_read_head(errp, 512, -1);
	}
	if (said)
		said[strcspn(said, "\n")] = '\0';
	if (why && *why)
		snprintf(msg, msglen, "validator %s%s%s", why,
		         said && *said ? ": " : "", said ? said : "");
	else
		snprintf(msg, msglen, "%s", said ? said : "");
	free(said);
}

/* A validator's verdict from its run; msg its message. */
enum ac_validation judge_val_outcome(const struct judge_val *v,
                                     const char *vbox, const char *errp, int rc,
                                     struct ac_run_report *rep, char *msg,
                                     size_t msglen, double *score)
{
	enum ac_validation val;
	char why[300];
	bool points;

	if (rc < 0 && !rep->internal_error[0])
		snprintf(rep->internal_error, sizeof(rep->internal_error), "%s",
		         strerror(-rc));
	val = ac_validator_exit(v->protocol, rep, &points, why, sizeof(why));
	jv_message(v, vbox, errp, val == AC_VAL_ERROR ? why : NULL, msg,
	           msglen);
	if (points && score && ac_testlib_points(msg, score) < 0)
		*score = NAN; /* exit 7 without a readable number */
	if (points) {
		size_t n = strlen(msg);

		snprintf(msg + n, msglen - n, "%spoints (testlib exit 7)",
		         n ? "; " : "");
	}
	return val;
}

enum ac_validation judge_val_check(struct ac_judge_ctx *ctx,
                                   const struct judge_val *v,
                                   const char *run_dir, const struct ac_test *t,
                                   const char *team_out, char *msg,
                                   size_t msglen, double *score)
{
	static const char *const kattis[] = {"/box/input", "/box/answer",
	                                     "/box/feedback/", NULL};
	static const char *const testlib[] = {"/box/input", "/box/output",
	                                      "/box/answer", NULL};
	const char *argv[JV_ARGS_MAX];
	char vbox[4200], errp[4300];
	struct ac_run_spec spec;
	struct ac_run_report rep;
	bool tl = v->protocol == AC_VPROTO_TESTLIB;
	int r;

	if (judge_val_box(ctx, v, run_dir, t, tl ? team_out : NULL, vbox,
	                  sizeof(vbox), msg, msglen) < 0)
		return AC_VAL_ERROR;
	judge_val_argv(v, tl ? testlib : kattis, argv);
	snprintf(errp, sizeof(errp), "%s/out/validator.err", run_dir);
	unlink(errp);
	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.envp = v->lang->envp;
	spec.box_dir = vbox;
	spec.stdin_path = tl ? NULL : team_out;
	spec.stderr_path = errp;
	spec.limits = v->lim;
	spec.profile = v->lang->run_profile;
	memset(&rep, 0, sizeof(rep));
	r = ctx->sb->run(ctx->sb_state, &spec, &rep);
	return judge_val_outcome(v, vbox, errp, r, &rep, msg, msglen, score);
}

/* ----------------------------------------------------- input validators */

/* One input: `validator < input`, exit 42 valid, 43 invalid. */
static int jv_input_one(struct ac_judge_ctx *ctx, const struct judge_val *v,
                        const char *errp, const struct ac_test *t, char *msg,
                        size_t msglen)
{
	static const char *const none[] = {NULL};
	const char *argv[JV_ARGS_MAX];
	struct ac_run_spec spec;
	struct ac_run_report rep;
	char *said;
	int r;

	judge_val_argv(v, none, argv);
	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.envp = v->lang->envp;
	spec.box_dir = v->build;
	spec.stdin_path = t->in_path;
	spec.stderr_path = errp;
	spec.limits = v->lim;
	spec.profile = v->lang->run_profile;
	memset(&rep, 0, sizeof(rep));
	r = ctx->sb->run(ctx->sb_state, &spec, &rep);
	said = judge_read_head(errp, 300, -1);
	if (said)
		said[strcspn(said, "\n")] = '\0';
	snprintf(msg, msglen, "%s", said ? said : "");
	free(said);
	if (r < 0 || rep.internal_error[0]) {
		snprintf(msg, msglen, "sandbox failed: %s",
		         rep.internal_error[0] ? rep.internal_error
		                               : strerror(-r));
		return -EIO;
	}
	if (rep.exited && rep.exit_code == 42)
		return 1;
	if (rep.exited && rep.exit_code == 43)
		return 0;
	if (!msg[0])
		snprintf(msg, msglen, "exited with %d (not 42/43)",
		         rep.exited ? rep.exit_code : -1);
	return -EIO;
}

int ac_judge_check_inputs(struct ac_judge_ctx *ctx, const struct ac_problem *p,
                          ac_input_report_cb cb, void *arg)
{
	char dir[4200], errp[4300], what[4400], msg[512];
	int bad = 0;

	for (size_t i = 0; i < p->ninput_validators; i++) {
		const char *name = strrchr(p->input_validators[i], '/');
		struct judge_val v;
		size_t valid = 0;
		int r;

		name = name ? name + 1 : p->input_validators[i];
		snprintf(dir, sizeof(dir), "%s/run-ivXXXXXX", ctx->work_dir);
		if (ac_mkdir_p(ctx->work_dir, 0755) < 0 || !mkdtemp(dir)) {
			cb(arg, name, NULL, -errno,
			   "cannot create a directory");
			return -EIO;
		}
		snprintf(what, sizeof(what), "input validator %s of %s", name,
		         p->id);
		snprintf(errp, sizeof(errp), "%s/err", dir);
		r = jv_build(ctx, what, p->input_validators[i], dir, &v, msg,
		             sizeof(msg));
		if (r < 0) {
			cb(arg, name, NULL, r, msg);
			bad++;
		}
		for (size_t k = 0; r == 0 && k < p->ntests; k++) {
			int ok = jv_input_one(ctx, &v, errp, &p->tests[k], msg,
			                      sizeof(msg));

			if (ok == 1) {
				valid++;
				continue;
			}
			cb(arg, name, p->tests[k].name, ok, msg);
			bad++;
		}
		if (r == 0) {
			snprintf(msg, sizeof(msg), "%zu of %zu inputs valid",
			         valid, p->ntests);
			cb(arg, name, NULL, 1, msg);
		}
		judge_val_free(&v);
		judge_remove(ctx, dir);
	}
	return bad;
}
