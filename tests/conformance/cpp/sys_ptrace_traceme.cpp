// expect: RE
// detail: Bad System Call
// ptrace is forbidden by the sandbox's seccomp filter (killed, SIGSYS).
#include <cstdio>
#include <sys/ptrace.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
	printf("%lld\n", a + b);
}
