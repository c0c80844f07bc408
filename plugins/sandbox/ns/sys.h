/* Raw system calls for the code of child.c.
 *
 * The sandbox's init is created with CLONE_VM | CLONE_VFORK where it can
 * be (nsx_clone3_fn, from a spawner thread: see ns_spawn_thread in run.c):
 * it runs on a stack of its own but in the judge's address space, and its
 * thread pointer is the spawner thread's.  So it must not touch errno (a
 * thread-local of that thread), take a glibc lock or call anything that
 * may allocate.  These wrappers enter the kernel
 * directly and return what it returns: a value >= 0, or -errno.
 *
 * On an architecture without them (NSX_RAW_SYSCALLS 0) the wrappers go
 * through syscall(3) and init is forked instead (its own copy of memory,
 * so errno is its own).
 */
#ifndef AC_SANDBOX_NS_SYS_H
#define AC_SANDBOX_NS_SYS_H

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__aarch64__)
#define NSX_RAW_SYSCALLS 1
#else
#define NSX_RAW_SYSCALLS 0
#endif

#if defined(__x86_64__)
static inline long nsx_sc(long n, long a, long b, long c, long d, long e,
                          long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
	                   "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
static inline long nsx_sc(long n, long a, long b, long c, long d, long e,
                          long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc 0"
	                 : "+r"(x0)
	                 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
	                 : "memory", "cc");
	return x0;
}
#else
static inline long nsx_sc(long n, long a, long b, long c, long d, long e,
                          long f)
{
	long r = syscall(n, a, b, c, d, e, f);

	return r < 0 ? -errno : r;
}
#endif

#define NSX_L(x)             ((long)(x))
#define nsx_sys0(n)          nsx_sc((n), 0, 0, 0, 0, 0, 0)
#define nsx_sys1(n, a)       nsx_sc((n), NSX_L(a), 0, 0, 0, 0, 0)
#define nsx_sys2(n, a, b)    nsx_sc((n), NSX_L(a), NSX_L(b), 0, 0, 0, 0)
#define nsx_sys3(n, a, b, c) nsx_sc((n), NSX_L(a), NSX_L(b), NSX_L(c), 0, 0, 0)
#define nsx_sys4(n, a, b, c, d)                                                \
	nsx_sc((n), NSX_L(a), NSX_L(b), NSX_L(c), NSX_L(d), 0, 0)
#define nsx_sys5(n, a, b, c, d, e)                                             \
	nsx_sc((n), NSX_L(a), NSX_L(b), NSX_L(c), NSX_L(d), NSX_L(e), 0)
#define nsx_sys6(n, a, b, c, d, e, f)                                          \
	nsx_sc((n), NSX_L(a), NSX_L(b), NSX_L(c), NSX_L(d), NSX_L(e), NSX_L(f))

/* clone3(ca, size) with the child on ca->stack: the child calls fn(arg)
 * and exits with its value (it never returns here).  The parent gets the
 * child's pid, or -errno.  Only where NSX_RAW_SYSCALLS. */
long nsx_clone3_fn(void *ca, unsigned long size, int (*fn)(void *), void *arg);

#endif
