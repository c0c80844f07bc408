/* seccomp policy of sandbox/ns: an allow-list compiled once into classic
 * BPF on the judge side (libseccomp resolves the names; sc_compile below
 * writes the program, libseccomp's export is the fallback and the tests'
 * reference); the cloned child only hands the ready program to seccomp(2)
 * right before execve.
 *
 * Actions (see docs/sandbox.md, "seccomp"):
 *   - listed system calls: allowed;
 *   - clone: allowed unless a namespace flag is set (CLONE_NEW*);
 *   - socket/socketpair: AF_UNIX only, other families fail with
 *     EAFNOSUPPORT (the JVM probes AF_INET/AF_INET6 at start-up);
 *   - personality: PER_LINUX and the query 0xffffffff only (anything
 *     else, e.g. ADDR_NO_RANDOMIZE, kills);
 *   - clone3 and io_uring_*: ENOSYS, so glibc and runtimes fall back (to
 *     clone, whose flags can be inspected; to plain read/write);
 *   - huge pages of the host's hugetlb pool, which no memory cgroup
 *     charges (v1 never, v2 only with memory_hugetlb_accounting): mmap
 *     with MAP_HUGETLB and shmget with SHM_HUGETLB fail with ENOMEM, as
 *     on a host without reserved huge pages, memfd_create with
 *     MFD_HUGETLB with EINVAL, as on a kernel without hugetlbfs
 *     (transparent huge pages are ordinary memory, and allowed);
 *   - everything else, including ptrace, mount, bpf, keyctl, unshare,
 *     setns, perf_event_open...: the process is killed (SIGSYS, reported
 *     as "Bad System Call").
 * The filter is for the native architecture (x86_64); other ABIs (i386
 * int 0x80, x32) kill.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/sbx_syscalls.h"
#include "sc.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

#define SC_CACHE_MAX 64

/* Namespace flags refused in clone(2).  CLONE_NEWTIME (0x80) is not in
 * the list: in clone(2) that bit belongs to the exit signal. */
#define SC_NS_FLAGS                                                            \
	((uint64_t)(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |                \
	            CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |              \
	            CLONE_NEWCGROUP))

struct sc_entry {
	char *key; /* the profile's names joined by '\n' */
	struct sc_filter f;
};

struct sc_cache {
	pthread_mutex_t mu;
	struct sc_filter def;
	struct sc_entry v[SC_CACHE_MAX];
	size_t n;
};

static bool sc_in(const char *const *list, const char *name)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------ policy */

/* The action of each system call number of the native architecture. */
enum sc_class {
	SC_KILL = 0, /* the default */
	SC_ALLOW,
	SC_ENOSYS,
	SC_CLONE,  /* allowed without namespace flags, else kill */
	SC_SOCKET, /* socket, socketpair: AF_UNIX, else EAFNOSUPPORT */
	SC_PERS,   /* personality: PER_LINUX or the query, else kill */
	SC_MMAP,   /* mmap: MAP_HUGETLB (arg 3) ENOMEM, else allowed */
	SC_SHMGET, /* shmget: SHM_HUGETLB (arg 2) ENOMEM, else allowed */
	SC_MEMFD,  /* memfd_create: MFD_HUGETLB (arg 1) EINVAL, else allowed */
	SC_NCLASS,
	/* Not classes: labels of the compiled program's returns. */
	SC_RET_ENOMEM = SC_NCLASS,
	SC_RET_EINVAL,
	SC_NLABEL,
};

#define SC_MAX_NR 1024 /* above any native system call number */

struct sc_policy {
	unsigned char cls[SC_MAX_NR];
	int top; /* highest number that is not SC_KILL */
	unsigned int allowed;
};

/* The native number of name: >= 0; -1 when it does not exist on this
 * architecture; -ENOENT when libseccomp does not know it. */
static int sc_nr(const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return -ENOENT;
	return nr < 0 ? -1 : nr;
}

static int sc_set(struct sc_policy *p, const char *name, enum sc_class c)
{
	int nr = sc_nr(name);

	if (nr == -ENOENT || nr >= SC_MAX_NR)
		return nr == -ENOENT ? -ENOENT : -ERANGE;
	if (nr < 0)
		return 0; /* not a system call of this architecture */
	if (p->cls[nr] == SC_KILL && c == SC_ALLOW)
		p->allowed++;
	p->cls[nr] = (unsigned char)c;
	if (nr > p->top)
		p->top = nr;
	return 0;
}

/* The policy with the extra names (NULL-terminated, may be NULL). */
static int sc_policy(const char *const *extra, struct sc_policy *p, char *err,
                     size_t errlen)
{
	static const char *const enosys[] = {"clone3", "io_uring_setup",
	                                     "io_uring_enter",
	                                     "io_uring_register", NULL};
	static const struct {
		const char *name;
		enum sc_class c;
	} special[] = {{"clone", SC_CLONE},
	               {"socket", SC_SOCKET},
	               {"socketpair", SC_SOCKET},
	               {"personality", SC_PERS}};
	static const struct {
		const char *name;
		enum sc_class c;
	} huge[] = {{"mmap", SC_MMAP},
	            {"shmget", SC_SHMGET},
	            {"memfd_create", SC_MEMFD}};
	const char *what = NULL;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	p->top = -1;
	for (size_t i = 0; extra && extra[i]; i++) {
		if (sc_in(sc_never, extra[i]) && strcmp(extra[i], "clone3")) {
			snprintf(err, errlen,
			         "seccomp: profile asks for \"%s\", which the "
			         "sandbox never allows",
			         extra[i]);
			return -EPERM;
		}
		what = extra[i];
		if ((rc = sc_set(p, extra[i], SC_ALLOW)) < 0)
			goto fail;
	}
	for (size_t i = 0; sc_allow[i]; i++) {
		what = sc_allow[i];
		if ((rc = sc_set(p, sc_allow[i], SC_ALLOW)) < 0)
			goto fail;
	}
	for (size_t i = 0; enosys[i]; i++) {
		bool asked = false;

		for (size_t j = 0; extra && extra[j]; j++)
			asked |= strcmp(extra[j], enosys[i]) == 0;
		what = enosys[i];
		if (!asked && (rc = sc_set(p, enosys[i], SC_ENOSYS)) < 0)
			goto fail;
	}
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		what = special[i].name;
		if ((rc = sc_set(p, special[i].name, special[i].c)) < 0)
			goto fail;
	}
	p->allowed += 4; /* clone, socket, socketpair, personality */
	/* Allowed, but for their huge-page flag. */
	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		int nr = sc_nr(huge[i].name);

		if (nr >= 0 && nr < SC_MAX_NR && p->cls[nr] == SC_ALLOW)
			p->cls[nr] = (unsigned char)huge[i].c;
	}
	return 0;
fail:
	snprintf(err, errlen, "seccomp: %s: %s", what,
	         rc == -ENOENT ? "unknown system call" : strerror(-rc));
	return rc;
}

/* ------------------------------------------------------------ compiler */

/* The filter is compiled here rather than by libseccomp: a binary search
 * over the runs of consecutive numbers that share an action, each test
 * jumping straight to one shared return per action.  About 100
 * instructions instead of libseccomp's ~370 binary tree, and every run
 * pays for the size when it loads the filter (the kernel converts,
 * JIT-compiles and, for its cache of always-allowed calls, emulates the
 * filter once per system call number): ~60 us less per run here.
 * tests/unit/check_seccomp proves it equivalent to libseccomp's
 * compilation of the same policy, on every number, argument pattern and
 * architecture; if a policy ever needs a jump beyond 255 instructions,
 * libseccomp's compilation is used instead. */

#define SC_ARG0_LO   (offsetof(struct seccomp_data, args[0]) + SC_LO)
#define SC_ARG0_HI   (offsetof(struct seccomp_data, args[0]) + SC_HI)
#define SC_ARG_LO(n) (offsetof(struct seccomp_data, args[n]) + SC_LO)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SC_LO 0
#define SC_HI 4
#else
#define SC_LO 4
#define SC_HI 0
#endif

/* Jump targets that are not relative: the block of a class. */
#define SC_LABEL 0x100

struct sc_gen {
	struct sock_filter v[BPF_MAXINSNS];
	unsigned short jt[BPF_MAXINSNS], jf[BPF_MAXINSNS]; /* SC_LABEL|c */
	size_t n;
	int start[SC_MAX_NR + 1], cls[SC_MAX_NR + 1]; /* the runs */
	int runs;
	int err;
};

static size_t sc_emit(struct sc_gen *g, uint16_t code, uint32_t k,
                      unsigned short jt, unsigned short jf)
{
	if (g->n == BPF_MAXINSNS) {
		g->err = -E2BIG;
		return g->n - 1;
	}
	g->v[g->n] = (struct sock_filter){code, 0, 0, k};
	g->jt[g->n] = jt;
	g->jf[g->n] = jf;
	return g->n++;
}

/* The search over runs lo..hi (a single run: nothing, its label is the
 * target). */
static void sc_tree(struct sc_gen *g, int lo, int hi)
{
	int mid = (lo + hi + 1) / 2;
	size_t at;

	if (lo == hi)
		return;
	/* number >= start of mid: runs mid..hi, else lo..mid-1 */
	at = sc_emit(
	        g, BPF_JMP | BPF_JGE | BPF_K, (uint32_t)g->start[mid],
	        (unsigned short)(mid == hi ? SC_LABEL | g->cls[mid] : 0),
	        (unsigned short)(mid - 1 == lo ? SC_LABEL | g->cls[lo] : 0));
	sc_tree(g, lo, mid - 1);
	if (mid != hi) {
		/* A relative jump must stay below SC_LABEL (and cBPF's 8
		 * bits). */
		if (g->n - at - 1 > 255)
			g->err = -E2BIG;
		g->jt[at] = (unsigned short)((g->n - at - 1) & 0xff);
		sc_tree(g, mid, hi);
	}
}

static int sc_compile(const struct sc_policy *p, struct sc_filter *f)
{
	struct sc_gen *g = calloc(1, sizeof(*g));
	size_t label[SC_NLABEL];
	int rc = 0;

	if (!g)
		return -ENOMEM;
	/* Runs of equal class; the last one (SC_KILL, past p->top) goes on
	 * to 2^32 - 1, x32's numbers included. */
	for (int nr = 0, prev = -1; nr <= p->top + 1; nr++) {
		int c = nr <= p->top ? p->cls[nr] : SC_KILL;

		if (c != prev) {
			g->start[g->runs] = nr;
			g->cls[g->runs++] = c;
			prev = c;
		}
	}
	/* Other architectures (i386's int 0x80 ...) are killed. */
	sc_emit(g, BPF_LD | BPF_W | BPF_ABS,
	        offsetof(struct seccomp_data, arch), 0, 0);
	sc_emit(g, BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 1, 0);
	sc_emit(g, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	sc_emit(g, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr),
	        0, 0);
	sc_tree(g, 0, g->runs - 1);
	if (g->runs == 1)
		sc_emit(g, BPF_JMP | BPF_JA, 0, SC_LABEL | g->cls[0], 0);

	/* clone: kill if a namespace flag is set (they all are in the low
	 * word of the 64-bit flags). */
	label[SC_CLONE] =
	        sc_emit(g, BPF_LD | BPF_W | BPF_ABS, SC_ARG0_LO, 0, 0);
	sc_emit(g, BPF_JMP | BPF_JSET | BPF_K, (uint32_t)SC_NS_FLAGS,
	        SC_LABEL | SC_KILL, SC_LABEL | SC_ALLOW);
	/* socket, socketpair: the whole 64-bit domain == AF_UNIX. */
	label[SC_SOCKET] =
	        sc_emit(g, BPF_LD | BPF_W | BPF_ABS, SC_ARG0_HI, 0, 0);
	sc_emit(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2);
	sc_emit(g, BPF_LD | BPF_W | BPF_ABS, SC_ARG0_LO, 0, 0);
	sc_emit(g, BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, SC_LABEL | SC_ALLOW, 0);
	sc_emit(g, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EAFNOSUPPORT & 0xffff),
	        0, 0);
	/* personality: the low word is PER_LINUX or 0xffffffff (query). */
	label[SC_PERS] = sc_emit(g, BPF_LD | BPF_W | BPF_ABS, SC_ARG0_LO, 0, 0);
	sc_emit(g, BPF_JMP | BPF_JEQ | BPF_K, PER_LINUX, SC_LABEL | SC_ALLOW,
	        0);
	sc_emit(g, BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffu, SC_LABEL | SC_ALLOW,
	        SC_LABEL | SC_KILL);
	/* Huge pages: the flag is in the low word of the argument. */
	label[SC_MMAP] =
	        sc_emit(g, BPF_LD | BPF_W | BPF_ABS, SC_ARG_LO(3), 0, 0);
	sc_emit(g, BPF_JMP | BPF_JSET | BPF_K, MAP_HUGETLB,
	        SC_LABEL | SC_RET_ENOMEM, SC_LABEL | SC_ALLOW);
	label[SC_SHMGET] =
	        sc_emit(g, BPF_LD | BPF_W | BPF_ABS, SC_ARG_LO(2), 0, 0);
	sc_emit(g, BPF_JMP | BPF_JSET | BPF_K, SHM_HUGETLB,
	        SC_LABEL | SC_RET_ENOMEM, SC_LABEL | SC_ALLOW);
	label[SC_MEMFD] =
	        sc_emit(g, BPF_LD | BPF_W | BPF_ABS, SC_ARG_LO(1), 0, 0);
	sc_emit(g, BPF_JMP | BPF_JSET | BPF_K, MFD_HUGETLB,
	        SC_LABEL | SC_RET_EINVAL, SC_LABEL | SC_ALLOW);
	/* Last, as cBPF only jumps forward: the shared returns. */
	label[SC_ALLOW] = sc_emit(g, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
	label[SC_KILL] =
	        sc_emit(g, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	label[SC_ENOSYS] = sc_emit(g, BPF_RET | BPF_K,
	                           SECCOMP_RET_ERRNO | (ENOSYS & 0xffff), 0, 0);
	label[SC_RET_ENOMEM] =
	        sc_emit(g, BPF_RET | BPF_K,
	                SECCOMP_RET_ERRNO | (ENOMEM & 0xffff), 0, 0);
	label[SC_RET_EINVAL] =
	        sc_emit(g, BPF_RET | BPF_K,
	                SECCOMP_RET_ERRNO | (EINVAL & 0xffff), 0, 0);
	if ((rc = g->err) < 0)
		goto out;

	/* Resolve the labels: conditional jumps reach 255 ahead at most. */
	for (size_t i = 0; i < g->n; i++) {
		struct sock_filter *in = &g->v[i];
		unsigned short t[2] = {g->jt[i], g->jf[i]};

		for (int b = 0; b < 2; b++) {
			size_t off = t[b];

			if (t[b] & SC_LABEL)
				off = label[t[b] & ~SC_LABEL] - i - 1;
			if (BPF_CLASS(in->code) == BPF_JMP &&
			    BPF_OP(in->code) == BPF_JA) {
				if (b == 0)
					in->k = (uint32_t)off;
				continue;
			}
			if (off > 255) {
				rc = -E2BIG;
				goto out;
			}
			if (b == 0)
				in->jt = (uint8_t)off;
			else
				in->jf = (uint8_t)off;
		}
	}
	f->insns = malloc(g->n * sizeof(*f->insns));
	if (!f->insns) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(f->insns, g->v, g->n * sizeof(*f->insns));
	f->len = (unsigned short)g->n;
	f->allowed = p->allowed;
out:
	free(g);
	return rc;
}

/* ------------------------------------------------------------ libseccomp */

/* Export ctx's BPF program into f (malloc'ed instructions). */
static int sc_export(scmp_filter_ctx ctx, struct sc_filter *f)
{
	struct stat sb;
	int fd = memfd_create("algocode-seccomp", MFD_CLOEXEC), rc;
	size_t size;

	if (fd < 0)
		return -errno;
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		goto out;
	if (fstat(fd, &sb) < 0) {
		rc = -errno;
		goto out;
	}
	size = (size_t)sb.st_size;
	if (size == 0 || size % sizeof(struct sock_filter) ||
	    size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		rc = -E2BIG;
		goto out;
	}
	f->insns = malloc(size);
	if (!f->insns) {
		rc = -ENOMEM;
		goto out;
	}
	if (pread(fd, f->insns, size, 0) != (ssize_t)size) {
		free(f->insns);
		f->insns = NULL;
		rc = -EIO;
		goto out;
	}
	f->len = (unsigned short)(size / sizeof(struct sock_filter));
	rc = 0;
out:
	close(fd);
	return rc;
}

/* The same policy compiled by libseccomp (a binary tree). */
static int sc_compile_libseccomp(const struct sc_policy *p, struct sc_filter *f)
{
	const struct scmp_arg_cmp clone_ok =
	        SCMP_A0(SCMP_CMP_MASKED_EQ, SC_NS_FLAGS, 0);
	const struct scmp_arg_cmp unix_ok = SCMP_A0(SCMP_CMP_EQ, AF_UNIX);
	const struct scmp_arg_cmp unix_no = SCMP_A0(SCMP_CMP_NE, AF_UNIX);
	const struct scmp_arg_cmp pers_linux =
	        SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, PER_LINUX);
	const struct scmp_arg_cmp pers_query =
	        SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, 0xffffffffu);
	const struct scmp_arg_cmp huge[][2] = {
	        [SC_MMAP] = {SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_HUGETLB, 0),
	                     SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_HUGETLB,
	                             MAP_HUGETLB)},
	        [SC_SHMGET] = {SCMP_A2(SCMP_CMP_MASKED_EQ, SHM_HUGETLB, 0),
	                       SCMP_A2(SCMP_CMP_MASKED_EQ, SHM_HUGETLB,
	                               SHM_HUGETLB)},
	        [SC_MEMFD] = {SCMP_A1(SCMP_CMP_MASKED_EQ, MFD_HUGETLB, 0),
	                      SCMP_A1(SCMP_CMP_MASKED_EQ, MFD_HUGETLB,
	                              MFD_HUGETLB)},
	};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = 0;

	memset(f, 0, sizeof(*f));
	if (!ctx)
		return -ENOMEM;
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (int nr = 0; nr <= p->top && rc == 0; nr++) {
		switch ((enum sc_class)p->cls[nr]) {
		case SC_KILL:
			break;
		case SC_ALLOW:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
			break;
		case SC_ENOSYS:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr,
			                      0);
			break;
		case SC_CLONE:
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1,
			                            &clone_ok);
			break;
		case SC_SOCKET:
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1,
			                            &unix_ok);
			if (rc == 0)
				rc = seccomp_rule_add_array(
				        ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr,
				        1, &unix_no);
			break;
		case SC_PERS:
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1,
			                            &pers_linux);
			if (rc == 0)
				rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW,
				                            nr, 1, &pers_query);
			break;
		case SC_MMAP:
		case SC_SHMGET:
		case SC_MEMFD: {
			enum sc_class c = (enum sc_class)p->cls[nr];

			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1,
			                            &huge[c][0]);
			if (rc == 0)
				rc = seccomp_rule_add_array(
				        ctx,
				        SCMP_ACT_ERRNO(c == SC_MEMFD ? EINVAL
				                                     : ENOMEM),
				        nr, 1, &huge[c][1]);
			break;
		}
		default:
			rc = -EINVAL;
			break;
		}
	}
	if (rc == 0)
		rc = sc_export(ctx, f);
	if (rc == 0)
		f->allowed = p->allowed;
	seccomp_release(ctx);
	return rc;
}

int sc_build_with(const char *const *extra, bool libseccomp,
                  struct sc_filter *f, char *err, size_t errlen)
{
	struct sc_policy *p = malloc(sizeof(*p));
	int rc;

	memset(f, 0, sizeof(*f));
	if (!p)
		return -ENOMEM;
	if ((rc = sc_policy(extra, p, err, errlen)) < 0)
		goto out;
	rc = -E2BIG;
	if (!libseccomp)
		rc = sc_compile(p, f);
	if (rc == -E2BIG)
		rc = sc_compile_libseccomp(p, f);
	if (rc < 0)
		snprintf(err, errlen, "seccomp: compile: %s", strerror(-rc));
out:
	free(p);
	return rc;
}

static int sc_build(const char *const *extra, struct sc_filter *f, char *err,
                    size_t errlen)
{
	return sc_build_with(extra, false, f, err, errlen);
}

static void sc_filter_free(struct sc_filter *f)
{
	free(f->insns);
	memset(f, 0, sizeof(*f));
}

/* Profile key: names joined by '\n' (malloc'ed). */
static char *sc_key(const char *const *extra)
{
	size_t len = 1;
	char *k;

	for (size_t i = 0; extra && extra[i]; i++)
		len += strlen(extra[i]) + 1;
	k = malloc(len);
	if (!k)
		return NULL;
	k[0] = '\0';
	for (size_t i = 0; extra && extra[i]; i++) {
		strcat(k, extra[i]);
		strcat(k, "\n");
	}
	return k;
}

int sc_cache_new(struct sc_cache **out, char *err, size_t errlen)
{
	struct sc_cache *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->mu, NULL);
	if ((rc = sc_build(NULL, &c->def, err, errlen)) < 0) {
		sc_cache_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void sc_cache_free(struct sc_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].key);
		sc_filter_free(&c->v[i].f);
	}
	sc_filter_free(&c->def);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

const struct sc_filter *sc_cache_default(const struct sc_cache *c)
{
	return &c->def;
}

int sc_cache_get(struct sc_cache *c, const char *const *extra,
                 const struct sc_filter **out, char *err, size_t errlen)
{
	char *key;
	int rc = 0;

	*out = NULL;
	if (!extra || !extra[0]) {
		*out = &c->def;
		return 0;
	}
	if (!(key = sc_key(extra)))
		return -ENOMEM;
	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0) {
			*out = &c->v[i].f;
			goto out;
		}
	if (c->n == SC_CACHE_MAX) {
		snprintf(err, errlen,
		         "seccomp: more than %d distinct run profiles",
		         SC_CACHE_MAX);
		rc = -ENOSPC;
		goto out;
	}
	if ((rc = sc_build(extra, &c->v[c->n].f, err, errlen)) < 0)
		goto out;
	c->v[c->n].key = key;
	key = NULL;
	*out = &c->v[c->n++].f;
out:
	pthread_mutex_unlock(&c->mu);
	free(key);
	return rc;
}
