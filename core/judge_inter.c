/* The runs of interactive and multi-pass tests (docs/problem-format.md):
 * the submission and the validator each in their own sandbox run, on two
 * threads; this thread relays their streams through four pipes (never
 * blocking: bounded buffers, non-blocking ends) and keeps a bounded
 * transcript.  A multi-pass test runs again with the validator's
 * nextpass.in while the validator asks for it. */
#include "judge_int.h"
#include "util.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JV_RELAY_BUF  (1u << 20) /* bytes buffered each way */
#define JV_GRACE_MS   5000u      /* past both wall limits: stop relaying */
#define JV_TRANSCRIPT 600u       /* bytes of the exchange kept (samples) */

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

/* A pipe (O_CLOEXEC): its read end in *r, its write end in *w (both left
 * as they are on failure).  0 or -errno. */
static int jv_pipe(int *r, int *w)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	*r = p[0];
	*w = p[1];
	return 0;
}

/* Four pipes and the notification pipe; the judge's ends non-blocking. */
static int jv_relay_open(struct jv_relay *rl)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int rc;

	pthread_once(&once, jv_ignore_sigpipe);

	memset(rl, 0, sizeof(*rl));
	rl->sub_r = rl->val_r = rl->sub_w = rl->val_w = -1;
	rl->sub_in = rl->sub_out = rl->val_in = rl->val_out = -1;
	rl->notify[0] = rl->notify[1] = -1;
	if ((rc = jv_pipe(&rl->notify[0], &rl->notify[1])) < 0 ||
	    (rc = jv_pipe(&rl->sub_in, &rl->sub_w)) < 0 ||
	    (rc = jv_pipe(&rl->sub_r, &rl->sub_out)) < 0 ||
	    (rc = jv_pipe(&rl->val_in, &rl->val_w)) < 0 ||
	    (rc = jv_pipe(&rl->val_r, &rl->val_out)) < 0)
		return rc;
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

	judge_val_argv(v, v->protocol == AC_VPROTO_TESTLIB ? testlib : kattis,
	               argv);
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
	out->val = judge_val_outcome(v, vbox, verr, ps->vrc, &ps->vrep, msg,
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
	if (judge_val_box(ctx, v, run_dir, t, NULL, vbox, sizeof(vbox),
	                  out->msg, sizeof(out->msg)) < 0) {
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
