/* Custom validators (Kattis output validators, testlib checkers and
 * interactors) in any language of the language plugins, and the runs of
 * interactive and multi-pass tests (docs/problem-format.md).
 *
 * A validator is built once per problem content hash in
 * validators/<hash>/box (its sources, renamed to the language's source
 * file, then compiled with the language's compile command in the sandbox);
 * validators/<hash>/out/ok marks a finished build.  Each run gets a box of
 * its own, run-XXXXXX/vbox/: the build, the test's input and answer,
 * feedback/.  Interactive runs: the submission and the validator each in
 * their own sandbox run, on two threads; this thread relays their streams
 * through four pipes (never blocking: bounded buffers, non-blocking ends)
 * and keeps a bounded transcript. */
#include "judge_int.h"
#include "util.h"

#include "loader.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JV_TIME_MS            30000u /* a validator's CPU limit */
#define JV_MEM_KB             (1024u * 1024)
#define JV_BUILD_MAX          (64ull * 1024 * 1024) /* bytes of a validator build */
#define JV_RELAY_BUF          (1u << 20) /* bytes buffered each way */
#define JV_GRACE_MS           5000u /* past both wall limits: stop relaying */
#define JV_TRANSCRIPT         600u  /* bytes of the exchange kept (samples) */
#define JV_ARGS_MAX           64
#define JV_STDOUT_UNCAPPED_KB (1ull << 30) /* 1 TiB: no output limit */

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
static void jv_argv(const struct judge_val *v, const char *const *args,
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
static int jv_vbox(struct ac_judge_ctx *ctx, const struct judge_val *v,
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
static enum ac_validation jv_outcome(const struct judge_val *v,
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

	if (jv_vbox(ctx, v, run_dir, t, tl ? team_out : NULL, vbox,
	            sizeof(vbox), msg, msglen) < 0)
		return AC_VAL_ERROR;
	jv_argv(v, tl ? testlib : kattis, argv);
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
	return jv_outcome(v, vbox, errp, r, &rep, msg, msglen, score);
}

/* ---------------------------------------------------------- interactive */

/* One sandbox run on a thread of its own; `tag` is written to `notify`
 * when it returns. */
struct jv_thread {
	struct ac_judge_ctx *ctx;
	struct ac_run_spec spec;
	struct ac_run_fds fds;
	struct ac_run_report rep;
	int rc, notify;
	char tag;
	pthread_t t;
	bool started;
};

static void *jv_thread_main(void *arg)
{
	struct jv_thread *th = arg;
	ssize_t w;

	memset(&th->rep, 0, sizeof(th->rep));
	th->rc = th->ctx->sb->run(th->ctx->sb_state, &th->spec, &th->rep);
	do
		w = write(th->notify, &th->tag, 1);
	while (w < 0 && errno == EINTR);
	return NULL;
}

struct jv_buf {
	char *d;
	size_t off, len;
};

/* The relay between the two runs.  The *_r ends are read by the judge
 * (what a program writes), the *_w ends written (what it reads); the
 * sandbox-side ends (in_*, out_*) are held until that side's run is
 * over, so that the other side never sees a premature end of file or a
 * broken pipe. */
struct jv_relay {
	int sub_r, val_r, sub_w, val_w;
	int sub_in, sub_out, val_in, val_out;
	int notify[2];
	struct jv_buf to_sub, to_val;
	bool sub_done, val_done, validator_first;
	/* Past its wall limit and a grace, a side still running is blocked
	 * on a pipe (its sandbox too, writing its output): its pipes are
	 * cut, so that its sandbox ends it at its limits. */
	uint64_t sub_deadline, val_deadline;
	char ts[JV_TRANSCRIPT + 1];
	size_t tslen;
	char tsdir;
};

static void jv_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The exchange as the submitter sees it: "> " lines from the validator,
 * "< " from the submission; cut at JV_TRANSCRIPT bytes. */
static void jv_transcript(struct jv_relay *rl, char dir, const char *p,
                          size_t n)
{
	for (size_t i = 0; i < n && rl->tslen < JV_TRANSCRIPT; i++) {
		if (rl->tsdir != dir) { /* a new line, or the other side */
			bool nl = rl->tslen && rl->ts[rl->tslen - 1] != '\n';

			if (rl->tslen + 4 >= JV_TRANSCRIPT)
				break;
			if (nl)
				rl->ts[rl->tslen++] = '\n';
			rl->ts[rl->tslen++] = dir;
			rl->ts[rl->tslen++] = ' ';
			rl->tsdir = dir;
		}
		rl->ts[rl->tslen++] =
		        (unsigned char)p[i] < 0x20 && p[i] != '\n' ? '?' : p[i];
		if (p[i] == '\n')
			rl->tsdir = 0;
	}
	rl->ts[rl->tslen] = '\0';
}

/* Read what a program wrote into the buffer towards the other one (or
 * into nothing when that one is gone). */
static void jv_pump_in(struct jv_relay *rl, int *rfd, struct jv_buf *b, int wfd,
                       char dir)
{
	char scratch[65536], *dst = scratch;
	size_t room = sizeof(scratch);
	ssize_t n;

	if (wfd >= 0) {
		if (b->off + b->len == JV_RELAY_BUF && b->off) {
			memmove(b->d, b->d + b->off, b->len);
			b->off = 0;
		}
		dst = b->d + b->off + b->len;
		room = JV_RELAY_BUF - b->off - b->len;
		if (room == 0)
			return;
	}
	n = read(*rfd, dst, room);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		jv_close(rfd);
		return;
	}
	jv_transcript(rl, dir, dst, (size_t)n);
	if (wfd >= 0)
		b->len += (size_t)n;
}

static void jv_pump_out(int *wfd, struct jv_buf *b)
{
	ssize_t n = write(*wfd, b->d + b->off, b->len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) { /* EPIPE: the reader is gone; drop what was for it */
		jv_close(wfd);
		b->off = b->len = 0;
		return;
	}
	b->off += (size_t)n;
	b->len -= (size_t)n;
	if (b->len == 0)
		b->off = 0;
}

/* A run is over: its ends go, and what was buffered for it. */
static void jv_side_done(struct jv_relay *rl, char tag)
{
	if (tag == 's') {
		rl->sub_done = true;
		jv_close(&rl->sub_in);
		jv_close(&rl->sub_out);
		jv_close(&rl->sub_w);
		rl->to_sub.off = rl->to_sub.len = 0;
	} else if (tag == 'v') {
		rl->val_done = true;
		rl->validator_first = !rl->sub_done;
		jv_close(&rl->val_in);
		jv_close(&rl->val_out);
		jv_close(&rl->val_w);
		rl->to_val.off = rl->to_val.len = 0;
	}
}

/* Cut the pipes of a side past its deadline; the time to the next
 * deadline (ms), or -1 when none is pending. */
static int jv_deadlines(struct jv_relay *rl)
{
	uint64_t now = ac_mono_ms(), next = UINT64_MAX;

	if (!rl->sub_done && rl->sub_r >= 0 && now >= rl->sub_deadline) {
		log_warn("interactive run: the submission is past its wall "
		         "limit, blocked on a pipe: cutting its pipes");
		jv_close(&rl->sub_r);
		jv_close(&rl->sub_w);
	}
	if (!rl->val_done && rl->val_r >= 0 && now >= rl->val_deadline) {
		log_warn("interactive run: the validator is past its wall "
		         "limit, blocked on a pipe: cutting its pipes");
		jv_close(&rl->val_r);
		jv_close(&rl->val_w);
	}
	if (!rl->sub_done && rl->sub_r >= 0)
		next = rl->sub_deadline;
	if (!rl->val_done && rl->val_r >= 0 && rl->val_deadline < next)
		next = rl->val_deadline;
	return next == UINT64_MAX ? -1 : (int)(next - now);
}

/* One round of poll; false when the relay is over. */
static bool jv_relay_step(struct jv_relay *rl, uint64_t deadline)
{
	struct pollfd pf[5];
	int n = 0, ix[5] = {-1, -1, -1, -1, -1}, wait;

	if (rl->sub_done && rl->val_done && rl->sub_r < 0 && rl->val_r < 0)
		return false;
	if ((uint64_t)ac_mono_ms() >= deadline)
		return false;
	wait = jv_deadlines(rl);
	if (wait < 0 || (uint64_t)wait > deadline - ac_mono_ms())
		wait = (int)(deadline - ac_mono_ms());
	pf[n++] = (struct pollfd){rl->notify[0], POLLIN, 0};
	if (rl->sub_r >= 0 && (rl->val_w < 0 || rl->to_val.len < JV_RELAY_BUF))
		ix[1] = n, pf[n++] = (struct pollfd){rl->sub_r, POLLIN, 0};
	if (rl->val_r >= 0 && (rl->sub_w < 0 || rl->to_sub.len < JV_RELAY_BUF))
		ix[2] = n, pf[n++] = (struct pollfd){rl->val_r, POLLIN, 0};
	if (rl->val_w >= 0 && rl->to_val.len)
		ix[3] = n, pf[n++] = (struct pollfd){rl->val_w, POLLOUT, 0};
	if (rl->sub_w >= 0 && rl->to_sub.len)
		ix[4] = n, pf[n++] = (struct pollfd){rl->sub_w, POLLOUT, 0};
	if (poll(pf, (nfds_t)n, wait) <= 0)
		return true;
	if (pf[0].revents) {
		char tags[4];
		ssize_t k = read(rl->notify[0], tags, sizeof(tags));

		for (ssize_t i = 0; i < k; i++)
			jv_side_done(rl, tags[i]);
	}
	if (ix[1] >= 0 && pf[ix[1]].revents && rl->sub_r >= 0)
		jv_pump_in(rl, &rl->sub_r, &rl->to_val, rl->val_w, '<');
	if (ix[2] >= 0 && pf[ix[2]].revents && rl->val_r >= 0)
		jv_pump_in(rl, &rl->val_r, &rl->to_sub, rl->sub_w, '>');
	if (ix[3] >= 0 && pf[ix[3]].revents && rl->val_w >= 0)
		jv_pump_out(&rl->val_w, &rl->to_val);
	if (ix[4] >= 0 && pf[ix[4]].revents && rl->sub_w >= 0)
		jv_pump_out(&rl->sub_w, &rl->to_sub);
	/* A program that is done writing (end of file, all passed on):
	 * the other one reads end of file. */
	if (rl->sub_r < 0 && rl->to_val.len == 0)
		jv_close(&rl->val_w);
	if (rl->val_r < 0 && rl->to_sub.len == 0)
		jv_close(&rl->sub_w);
	return true;
}

static void jv_relay_close(struct jv_relay *rl)
{
	int *all[] = {&rl->sub_r,     &rl->val_r,    &rl->sub_w,  &rl->val_w,
	              &rl->sub_in,    &rl->sub_out,  &rl->val_in, &rl->val_out,
	              &rl->notify[0], &rl->notify[1]};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		jv_close(all[i]);
	free(rl->to_sub.d);
	free(rl->to_val.d);
}

/* A pipe the judge cut is written by the sandbox (the program's output
 * copied to it) in this process: EPIPE, never SIGPIPE, also for the
 * command line (`serve` ignores it already). */
static void jv_ignore_sigpipe(void)
{
	signal(SIGPIPE, SIG_IGN);
}

/* Four pipes and the notification pipe; the judge's ends non-blocking. */
static int jv_relay_open(struct jv_relay *rl)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int a[2], b[2], c[2], d[2];

	pthread_once(&once, jv_ignore_sigpipe);

	memset(rl, 0, sizeof(*rl));
	rl->sub_r = rl->val_r = rl->sub_w = rl->val_w = -1;
	rl->sub_in = rl->sub_out = rl->val_in = rl->val_out = -1;
	rl->notify[0] = rl->notify[1] = -1;
	if (pipe2(rl->notify, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(a, O_CLOEXEC) < 0)
		return -errno;
	rl->sub_in = a[0], rl->sub_w = a[1];
	if (pipe2(b, O_CLOEXEC) < 0)
		return -errno;
	rl->sub_r = b[0], rl->sub_out = b[1];
	if (pipe2(c, O_CLOEXEC) < 0)
		return -errno;
	rl->val_in = c[0], rl->val_w = c[1];
	if (pipe2(d, O_CLOEXEC) < 0)
		return -errno;
	rl->val_r = d[0], rl->val_out = d[1];
	fcntl(rl->sub_r, F_SETFL, O_NONBLOCK);
	fcntl(rl->val_r, F_SETFL, O_NONBLOCK);
	fcntl(rl->sub_w, F_SETFL, O_NONBLOCK);
	fcntl(rl->val_w, F_SETFL, O_NONBLOCK);
	rl->to_sub.d = malloc(JV_RELAY_BUF);
	rl->to_val.d = malloc(JV_RELAY_BUF);
	return rl->to_sub.d && rl->to_val.d ? 0 : -ENOMEM;
}

/* The descriptors of one side: its box, stdin, stdout and a stderr file. */
static int jv_thread_fds(struct jv_thread *th, int in, int out,
                         const char *errp)
{
	th->fds = (struct ac_run_fds){-1, in, out, -1, NULL};
	th->fds.box = open(th->spec.box_dir,
	                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (errp)
		th->fds.err = open(errp,
		                   O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		                           O_CLOEXEC,
		                   0600);
	if (th->fds.box < 0 || (errp && th->fds.err < 0))
		return -errno;
	th->spec.fds = &th->fds;
	th->spec.stdin_path = NULL;
	th->spec.stdout_path = NULL;
	return 0;
}

static void jv_thread_fini(struct jv_thread *th)
{
	if (th->fds.box >= 0)
		close(th->fds.box);
	if (th->fds.err >= 0)
		close(th->fds.err);
	th->fds.box = th->fds.err = -1;
}

/* The validator's side of a pass: its argv by protocol, its box. */
static void jv_val_spec(const struct judge_val *v, const char *vbox,
                        const char **argv, struct ac_run_spec *spec)
{
	static const char *const kattis[] = {"/box/input", "/box/answer",
	                                     "/box/feedback/", NULL};
	static const char *const testlib[] = {"/box/input", "/box/output",
	                                      "/box/answer", NULL};

	jv_argv(v, v->protocol == AC_VPROTO_TESTLIB ? testlib : kattis, argv);
	memset(spec, 0, sizeof(*spec));
	spec->argv = argv;
	spec->envp = v->lang->envp;
	spec->box_dir = vbox;
	spec->limits = v->lim;
	spec->profile = v->lang->run_profile;
}

/* A pass's outcome, both sides. */
struct jv_pass {
	struct ac_run_report srep, vrep;
	int vrc;
	bool validator_first;
	char ts[JV_TRANSCRIPT + 1];
};

/* Both runs have started; relay until both are over.  Past the deadline
 * (both wall limits and a grace: a program blocked on a full pipe whose
 * reader waits for the other) the judge's ends are closed: blocked
 * writers get EPIPE, readers end of file, and each sandbox ends its run
 * at its own limits. */
static void jv_relay_run(struct jv_relay *rl, struct jv_thread *th,
                         uint64_t wall_ms)
{
	uint64_t t0 = ac_mono_ms();
	uint64_t deadline = t0 + wall_ms + 4 * JV_GRACE_MS;

	rl->sub_deadline = t0 + th[0].spec.limits.wall_ms + JV_GRACE_MS;
	rl->val_deadline = t0 + th[1].spec.limits.wall_ms + JV_GRACE_MS;
	while (jv_relay_step(rl, deadline))
		;
	if (!rl->sub_done || !rl->val_done) {
		log_warn("interactive run: both sides still running past "
		         "their wall limits; closing their streams");
		jv_close(&rl->sub_r);
		jv_close(&rl->val_r);
		jv_close(&rl->sub_w);
		jv_close(&rl->val_w);
	}
	for (int i = 0; i < 2; i++)
		if (th[i].started)
			pthread_join(th[i].t, NULL);
	/* A side whose notification was not read yet. */
	if (!rl->val_done)
		rl->validator_first = false;
}

static int jv_pass_interactive(struct ac_judge_ctx *ctx,
                               const struct judge_val *v,
                               const struct ac_run_spec *sspec,
                               const char *vbox, const char *verr,
                               struct jv_pass *ps)
{
	const char *argv[JV_ARGS_MAX];
	struct jv_thread th[2];
	struct jv_relay rl;
	int r;

	memset(th, 0, sizeof(th));
	th[0].fds.box = th[0].fds.err = th[1].fds.box = th[1].fds.err = -1;
	if ((r = jv_relay_open(&rl)) < 0)
		goto out;
	th[0].spec = *sspec;
	/* What the submission writes is the validator's to read and judge:
	 * not an output file, so no output limit (a flood is stopped by the
	 * validator's verdict, the relay's bounded buffer, the time limit). */
	th[0].spec.limits.stdout_kb = JV_STDOUT_UNCAPPED_KB;
	jv_val_spec(v, vbox, argv, &th[1].spec);
	th[1].spec.limits.stdout_kb = 256 * 1024;
	/* It waits for the submission: its wall limit runs past the
	 * submission's. */
	if (th[1].spec.limits.wall_ms < sspec->limits.wall_ms + JV_GRACE_MS)
		th[1].spec.limits.wall_ms = sspec->limits.wall_ms + JV_GRACE_MS;
	if ((r = jv_thread_fds(&th[0], rl.sub_in, rl.sub_out,
	                       sspec->stderr_path)) < 0 ||
	    (r = jv_thread_fds(&th[1], rl.val_in, rl.val_out, verr)) < 0)
		goto out;
	for (int i = 0; i < 2; i++) {
		th[i].ctx = ctx;
		th[i].notify = rl.notify[1];
		th[i].tag = i ? 'v' : 's';
		if ((r = -pthread_create(&th[i].t, NULL, jv_thread_main,
		                         &th[i])) < 0)
			break;
		th[i].started = true;
	}
	if (r < 0) { /* what started ends at its limits */
		rl.sub_done = rl.val_done = true;
		jv_close(&rl.sub_r);
		jv_close(&rl.val_r);
	}
	jv_relay_run(&rl, th,
	             th[1].spec.limits.wall_ms > sspec->limits.wall_ms
	                     ? th[1].spec.limits.wall_ms
	                     : sspec->limits.wall_ms);
	ps->srep = th[0].rep;
	ps->vrep = th[1].rep;
	ps->vrc = th[1].rc;
	if (th[0].started && th[0].rc < 0 && !ps->srep.internal_error[0])
		snprintf(ps->srep.internal_error,
		         sizeof(ps->srep.internal_error), "sandbox: %s",
		         strerror(-th[0].rc));
	ps->validator_first = rl.validator_first;
	snprintf(ps->ts, sizeof(ps->ts), "%s", rl.ts);
	if (r < 0 || !th[0].started || !th[1].started)
		snprintf(ps->srep.internal_error,
		         sizeof(ps->srep.internal_error),
		         "cannot start the interactive run: %s",
		         strerror(r < 0 ? -r : EAGAIN));
out:
	if (r < 0 && !ps->srep.internal_error[0])
		snprintf(ps->srep.internal_error,
		         sizeof(ps->srep.internal_error),
		         "cannot start the interactive run: %s", strerror(-r));
	jv_thread_fini(&th[0]);
	jv_thread_fini(&th[1]);
	jv_relay_close(&rl);
	return r;
}

/* A multi-pass pass of a problem that is not interactive: the submission,
 * then the validator on its output. */
static void jv_pass_batch(struct ac_judge_ctx *ctx, const struct judge_val *v,
                          const struct ac_run_spec *sspec, const char *vbox,
                          const char *verr, struct jv_pass *ps)
{
	const char *argv[JV_ARGS_MAX];
	struct ac_run_spec vs;
	int r = ctx->sb->run(ctx->sb_state, sspec, &ps->srep);

	if (r < 0 && !ps->srep.internal_error[0])
		snprintf(ps->srep.internal_error,
		         sizeof(ps->srep.internal_error), "sandbox: %s",
		         strerror(-r));
	if (ac_run_failed(&ps->srep, &sspec->limits))
		return;
	jv_val_spec(v, vbox, argv, &vs);
	vs.stdin_path = sspec->stdout_path;
	vs.stderr_path = verr;
	ps->vrc = ctx->sb->run(ctx->sb_state, &vs, &ps->vrep);
}

/* The largest of each pass's times and memory, in the reported run. */
static void jv_pass_merge(struct ac_run_report *acc,
                          const struct ac_run_report *r, unsigned pass)
{
	uint64_t cpu = acc->cpu_us, wall = acc->wall_us, mem = acc->memory_kb;

	*acc = *r;
	if (pass > 1) {
		acc->cpu_us = cpu > r->cpu_us ? cpu : r->cpu_us;
		acc->wall_us = wall > r->wall_us ? wall : r->wall_us;
		acc->memory_kb = mem > r->memory_kb ? mem : r->memory_kb;
	}
}

/* After an accepted pass of a multi-pass problem: the next pass's input
 * (feedback/nextpass.in, moved out of the validator's box), or none. */
static int jv_next_pass(const char *vbox, const char *run_dir, unsigned k,
                        char *next, size_t len)
{
	char path[4400];
	int r;

	snprintf(path, sizeof(path), "%s/feedback/nextpass.in", vbox);
	if (access(path, F_OK) != 0)
		return 0;
	snprintf(next, len, "%s/out/pass%u.in", run_dir, k + 1);
	unlink(next); /* the previous test's */
	if ((r = ac_copy_file(path, next, 0644)) < 0)
		return r;
	unlink(path);
	return 1;
}

/* One pass and what the validator made of it; false: no further pass. */
static bool jv_pass(struct ac_judge_ctx *ctx, const struct judge_val *v,
                    const struct ac_problem *p, const char *vbox,
                    const char *run_dir, const struct ac_run_spec *sspec,
                    unsigned k, struct judge_inter *out, char *in_next,
                    size_t in_len)
{
	bool inter = p->type_flags & AC_PROBLEM_INTERACTIVE;
	unsigned max = (p->type_flags & AC_PROBLEM_MULTIPASS)
	                       ? p->validation_passes
	                       : 1;
	struct jv_pass *ps = calloc(1, sizeof(*ps));
	char verr[4400], msg[sizeof(out->msg)];
	int r, n;

	if (!ps) {
		snprintf(out->rep.internal_error,
		         sizeof(out->rep.internal_error), "out of memory");
		return false;
	}
	snprintf(verr, sizeof(verr), "%s/out/validator.err", run_dir);
	if (inter)
		jv_pass_interactive(ctx, v, sspec, vbox, verr, ps);
	else
		jv_pass_batch(ctx, v, sspec, vbox, verr, ps);
	jv_pass_merge(&out->rep, &ps->srep, k);
	out->passes = k;
	out->validator_first = ps->validator_first;
	if (ps->srep.internal_error[0] ||
	    (!inter && ac_run_failed(&ps->srep, &sspec->limits))) {
		free(ps);
		return false;
	}
	out->val = jv_outcome(v, vbox, verr, ps->vrc, &ps->vrep, msg,
	                      sizeof(msg), NULL);
	n = k > 1 ? snprintf(out->msg, sizeof(out->msg), "pass %u: ", k) : 0;
	snprintf(out->msg + n, sizeof(out->msg) - (size_t)n, "%s%s%s", msg,
	         !ps->ts[0] ? ""
	         : msg[0]   ? "\ntranscript:\n"
	                    : "transcript:\n",
	         ps->ts);
	free(ps);
	if (out->val != AC_VAL_CORRECT ||
	    ac_run_failed(&out->rep, &sspec->limits) ||
	    !(p->type_flags & AC_PROBLEM_MULTIPASS))
		return false;
	r = jv_next_pass(vbox, run_dir, k, in_next, in_len);
	if (r < 0 || (r > 0 && k >= max)) {
		out->val = AC_VAL_ERROR;
		if (r < 0)
			snprintf(out->msg, sizeof(out->msg),
			         "validator: cannot take nextpass.in: %s",
			         strerror(-r));
		else
			snprintf(out->msg, sizeof(out->msg),
			         "validator asked for pass %u; "
			         "limits.validation_passes is %u",
			         k + 1, max);
		return false;
	}
	return r > 0;
}

int judge_val_interact(struct ac_judge_ctx *ctx, const struct judge_val *v,
                       const struct ac_problem *p, const char *run_dir,
                       const struct ac_test *t, const struct judge_sub *sub,
                       struct judge_inter *out)
{
	char vbox[4200], in_next[4400];
	struct ac_run_spec spec = *sub->spec;

	memset(out, 0, sizeof(*out));
	out->val = AC_VAL_NOT_RUN;
	if (jv_vbox(ctx, v, run_dir, t, NULL, vbox, sizeof(vbox), out->msg,
	            sizeof(out->msg)) < 0) {
		out->val = AC_VAL_ERROR;
		snprintf(out->rep.internal_error,
		         sizeof(out->rep.internal_error), "%.200s", out->msg);
		return -EIO;
	}
	for (unsigned k = 1;; k++) {
		if (!jv_pass(ctx, v, p, vbox, run_dir, &spec, k, out, in_next,
		             sizeof(in_next)))
			break;
		/* The next pass: a fresh box, the validator's input. */
		if (sub->reset && sub->reset(sub->arg) < 0) {
			snprintf(out->rep.internal_error,
			         sizeof(out->rep.internal_error),
			         "cannot prepare the box for pass %u", k + 1);
			break;
		}
		spec.stdin_path = in_next;
	}
	return 0;
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

	jv_argv(v, none, argv);
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
