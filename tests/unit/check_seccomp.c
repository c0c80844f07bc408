/* Unit tests of the seccomp compiler of sandbox/ns (seccomp.c).
 *
 * The sandbox compiles its policy into classic BPF itself (a binary search
 * over runs of system call numbers).  libseccomp compiles the same policy
 * as the reference.  Both programs are run here by a small cBPF
 * interpreter on every system call number up to 1100, x32 and out-of-range
 * numbers, the native and four other architectures and a set of first
 * arguments, and must
 * return the same action every time (but that where libseccomp kills the
 * thread, for another architecture, ours kills the process).  Then the kernel
 * itself loads the sandbox's program in a child: allowed calls work, a
 * forbidden one kills it with SIGSYS, a filtered one fails with the expected
 * errno. */
#define _GNU_SOURCE 1
#include "sc.h"

#include "../check_run.h"
#include <check.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run a seccomp program on d; *bad is set on an instruction this
 * interpreter (or the kernel) would refuse. */
static uint32_t bpf_run(const struct sc_filter *f, const struct seccomp_data *d,
                        int *bad)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
	size_t pc = 0;

	while (pc < f->len) {
		const struct sock_filter *in = &f->insns[pc++];
		uint32_t k = in->k, src = BPF_SRC(in->code) == BPF_X ? x : k;
		bool t;

		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
		case BPF_LDX: {
			uint32_t v;

			if (BPF_MODE(in->code) == BPF_ABS) {
				if (BPF_SIZE(in->code) != BPF_W || k % 4 ||
				    k + 4 > sizeof(*d))
					goto bad;
				memcpy(&v, (const char *)d + k, 4);
			} else if (BPF_MODE(in->code) == BPF_IMM) {
				v = k;
			} else if (BPF_MODE(in->code) == BPF_MEM &&
			           k < BPF_MEMWORDS) {
				v = mem[k];
			} else if (BPF_MODE(in->code) == BPF_LEN) {
				v = sizeof(*d);
			} else {
				goto bad;
			}
			if (BPF_CLASS(in->code) == BPF_LD)
				a = v;
			else
				x = v;
			break;
		}
		case BPF_ST:
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				goto bad;
			mem[k] = BPF_CLASS(in->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(in->code)) {
			case BPF_ADD:
				a += src;
				break;
			case BPF_SUB:
				a -= src;
				break;
			case BPF_AND:
				a &= src;
				break;
			case BPF_OR:
				a |= src;
				break;
			case BPF_XOR:
				a ^= src;
				break;
			case BPF_LSH:
				a = src < 32 ? a << src : 0;
				break;
			case BPF_RSH:
				a = src < 32 ? a >> src : 0;
				break;
			case BPF_NEG:
				a = -a;
				break;
			default:
				goto bad;
			}
			break;
		case BPF_JMP:
			if (BPF_OP(in->code) == BPF_JA) {
				pc += k;
				break;
			}
			switch (BPF_OP(in->code)) {
			case BPF_JEQ:
				t = a == src;
				break;
			case BPF_JGT:
				t = a > src;
				break;
			case BPF_JGE:
				t = a >= src;
				break;
			case BPF_JSET:
				t = (a & src) != 0;
				break;
			default:
				goto bad;
			}
			pc += t ? in->jt : in->jf;
			break;
		case BPF_RET:
			return BPF_RVAL(in->code) == BPF_A ? a : k;
		case BPF_MISC:
			if (BPF_MISCOP(in->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			goto bad;
		}
	}
bad:
	*bad = 1;
	return 0;
}

/* Both compilations of a policy, and their comparison. */
static void compare(const char *const *extra)
{
	static const uint64_t args[] = {
	        0,
	        1,
	        2,
	        AF_UNIX,
	        AF_INET,
	        AF_INET6,
	        AF_NETLINK,
	        AF_UNIX | (1ULL << 32),
	        0xffffffffULL,
	        0x1ffffffffULL,
	        0xffffffffffffffffULL,
	        PER_LINUX | (1ULL << 40),
	        ADDR_NO_RANDOMIZE,
	        CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
	                CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
	                CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
	        SIGCHLD,
	        CLONE_NEWNS,
	        CLONE_NEWUSER | SIGCHLD,
	        CLONE_NEWPID,
	        CLONE_NEWNET,
	        CLONE_NEWIPC,
	        CLONE_NEWUTS,
	        CLONE_NEWCGROUP,
	        (1ULL << 32) | SIGCHLD,
	        MAP_HUGETLB,
	        MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21U << 26),
	        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	        (uint64_t)MAP_HUGETLB << 32,
	        SHM_HUGETLB | IPC_CREAT | 0600,
	        IPC_CREAT | 0600,
	        MFD_HUGETLB,
	        MFD_CLOEXEC | MFD_ALLOW_SEALING,
	        (uint64_t)MFD_HUGETLB << 32,
	};
	const uint32_t arches[] = {seccomp_arch_native(), AUDIT_ARCH_I386,
	                           AUDIT_ARCH_AARCH64,    AUDIT_ARCH_X86_64,
	                           AUDIT_ARCH_ARM,        0};
	struct sc_filter ours, ref;
	char err[256] = "";
	long checked = 0, allowed = 0;

	ck_assert_msg(sc_build_with(extra, false, &ours, err, sizeof(err)) == 0,
	              "%s", err);
	ck_assert_msg(sc_build_with(extra, true, &ref, err, sizeof(err)) == 0,
	              "%s", err);
	ck_assert_uint_eq(ours.allowed, ref.allowed);
	/* The point of our compiler: a much shorter program. */
	ck_assert_msg(ours.len * 2 < ref.len, "ours %u, libseccomp %u",
	              ours.len, ref.len);
	for (size_t ai = 0; ai < sizeof(arches) / sizeof(arches[0]); ai++) {
		for (uint64_t nr = 0; nr < 1100 + 700 + 4; nr++) {
			struct seccomp_data d;

			memset(&d, 0, sizeof(d));
			d.arch = arches[ai];
			/* 0..1099, then x32 (0x40000000 + 0..699), then
			 * the extremes */
			d.nr = nr < 1100    ? (int)nr
			       : nr < 1800  ? (int)(0x40000000 + nr - 1100)
			       : nr == 1800 ? 0x7fffffff
			       : nr == 1801 ? (int)0x80000000u
			       : nr == 1802 ? -1
			                    : -2;
			for (size_t gi = 0; gi < sizeof(args) / sizeof(args[0]);
			     gi++) {
				/* The flags inspected are in arg 0 (clone,
				 * socket, personality), 1 (memfd_create), 2
				 * (shmget) and 3 (mmap): the pattern in one
				 * argument at a time, the others all zero,
				 * then all ones, so that a compiler reading
				 * the wrong argument disagrees.  */
				/* (Another architecture is refused
				 * whatever the arguments.) */
				for (int pos = 0; pos < (ai == 0 ? 8 : 1);
				     pos++) {
					int bad = 0;
					uint32_t a, b;

					for (int k = 0; k < 6; k++)
						d.args[k] = pos < 4 ? 0 : ~0ULL;
					d.args[pos % 4] = args[gi];
					a = bpf_run(&ours, &d, &bad);
					b = bpf_run(&ref, &d, &bad);
					/* libseccomp kills the thread for
					 * another architecture or an x32
					 * number; we kill the process, as
					 * for every other refusal. */
					if (b == SECCOMP_RET_KILL_THREAD)
						b = SECCOMP_RET_KILL_PROCESS;
					ck_assert_msg(!bad, "bad program");
					ck_assert_msg(
					        a == b,
					        "arch %#x nr %d arg%d %#llx "
					        "(others %s): ours %#x, "
					        "libseccomp %#x",
					        d.arch, d.nr, pos % 4,
					        (unsigned long long)args[gi],
					        pos < 4 ? "0" : "~0", a, b);
					checked++;
					allowed += a == SECCOMP_RET_ALLOW;
				}
			}
		}
	}
	ck_assert_int_gt(allowed, 0);
	ck_assert_int_gt(checked, allowed);
	free(ours.insns);
	free(ref.insns);
}

START_TEST(test_default_same_as_libseccomp)
{
	compare(NULL);
}
END_TEST

START_TEST(test_profiles_same_as_libseccomp)
{
	static const char *const java[] = {"clone3", NULL};
	static const char *const scattered[] = {"ioprio_get",
	                                        "ioprio_set",
	                                        "sync",
	                                        "syncfs",
	                                        "mq_open",
	                                        "process_madvise",
	                                        "set_mempolicy_home_node",
	                                        "clone3",
	                                        "sysfs",
	                                        "ustat",
	                                        NULL};

	compare(java);
	compare(scattered);
}
END_TEST

/* Every other system call number allowed (those the sandbox never allows
 * left out): the most runs a profile can make here.  Still compact (the
 * fallback to libseccomp's program is for jumps beyond 255 instructions,
 * which no profile reaches on x86_64), and still the same actions. */
START_TEST(test_fragmented_profile_same_as_libseccomp)
{
	const char *names[300];
	char *owned[300];
	size_t n = 0;
	char err[256];

	for (int nr = 1; nr < 600 && n + 1 < 300; nr += 2) {
		char *name =
		        seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		struct sc_filter f;

		if (!name)
			continue;
		names[n] = name;
		names[n + 1] = NULL;
		if (sc_build_with(names, true, &f, err, sizeof(err)) == 0) {
			free(f.insns);
			owned[n++] = name;
		} else {
			ck_assert_msg(strstr(err, "never allows"), "%s", err);
			free(name);
		}
	}
	names[n] = NULL;
	ck_assert_uint_gt(n, 50);
	compare(names);
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
}
END_TEST

START_TEST(test_profile_errors)
{
	static const char *const never[] = {"getpid", "ptrace", NULL};
	static const char *const unknown[] = {"no_such_call", NULL};
	struct sc_filter f;
	char err[256] = "";

	ck_assert_int_eq(sc_build_with(never, false, &f, err, sizeof(err)),
	                 -EPERM);
	ck_assert_msg(strstr(err, "\"ptrace\"") != NULL, "%s", err);
	ck_assert_ptr_null(f.insns);
	ck_assert_int_eq(sc_build_with(unknown, false, &f, err, sizeof(err)),
	                 -ENOENT);
	ck_assert_msg(strstr(err, "no_such_call: unknown system call"), "%s",
	              err);
}
END_TEST

/* In a child: load the program, then make one system call. */
static int child_status(const struct sc_filter *f, int what)
{
	pid_t pid = fork();
	int st = 0;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sock_fprog p = {f->len, f->insns};
		long r;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p) < 0)
			_exit(100);
		switch (what) {
		case 0: /* allowed */
			r = syscall(SYS_getppid);
			_exit(r > 0 ? 0 : 101);
		case 1: /* killed */
			syscall(SYS_ptrace, 0, 0, 0, 0);
			_exit(102);
		case 2: /* EAFNOSUPPORT, then AF_UNIX works */
			r = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
			if (r != -1 || errno != EAFNOSUPPORT)
				_exit(103);
			r = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
			_exit(r >= 0 ? 0 : 104);
		case 3: /* ENOSYS */
			r = syscall(SYS_clone3, NULL, 0);
			_exit(r == -1 && errno == ENOSYS ? 0 : 105);
		case 5: /* huge pages refused, ordinary memory allowed */
			/* Length and size 0: the kernel itself says EINVAL
			 * (with or without reserved huge pages), the filter
			 * ENOMEM before it is asked. */
			if (mmap(NULL, 0, PROT_READ | PROT_WRITE,
			         MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1,
			         0) != MAP_FAILED ||
			    errno != ENOMEM)
				_exit(107);
			if (mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE,
			         MAP_PRIVATE | MAP_ANONYMOUS, -1,
			         0) == MAP_FAILED)
				_exit(108);
			if (syscall(SYS_shmget, IPC_PRIVATE, 0,
			            SHM_HUGETLB | IPC_CREAT | 0600) != -1 ||
			    errno != ENOMEM)
				_exit(109);
			if (syscall(SYS_memfd_create, "h", MFD_HUGETLB) != -1 ||
			    errno != EINVAL)
				_exit(110);
			r = syscall(SYS_memfd_create, "m", MFD_CLOEXEC);
			_exit(r >= 0 ? 0 : 111);
		default: /* clone with a namespace flag: killed */
			r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0,
			            0);
			_exit(106);
		}
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

START_TEST(test_kernel_loads_it)
{
	/* Per case of child_status: killed by the filter (SIGSYS), else
	 * exits 0. */
	static const bool killed[] = {false, true, false, false, true, false};
	struct sc_filter f;
	char err[256] = "";

	ck_assert_msg(sc_build_with(NULL, false, &f, err, sizeof(err)) == 0,
	              "%s", err);
	for (int i = 0; i < (int)(sizeof(killed) / sizeof(killed[0])); i++) {
		int st = child_status(&f, i);

		if (killed[i])
			ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
			              "case %d: status %#x", i, st);
		else
			ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			              "case %d: status %#x", i, st);
	}
	free(f.insns);
}
END_TEST

static Suite *seccomp_suite(void)
{
	/* The timeout a guard against a hang, not a timing check: the
	 * comparisons are CPU bound and take minutes under ASan on a loaded
	 * machine. */
	return AC_SUITE("seccomp", "compile", 300,
	                test_default_same_as_libseccomp,
	                test_profiles_same_as_libseccomp,
	                test_fragmented_profile_same_as_libseccomp,
	                test_profile_errors, test_kernel_loads_it);
}

int main(void)
{
	return ac_check_run(seccomp_suite());
}
