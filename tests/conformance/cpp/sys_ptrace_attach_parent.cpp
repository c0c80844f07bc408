// expect: RE
// detail: Bad System Call
// Attaching to the sandbox's init (the parent).
#include <cstdio>
#include <sys/ptrace.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	if (ptrace(PTRACE_ATTACH, getppid(), nullptr, nullptr) == 0)
		printf("ATTACHED\n");
	else
		printf("%lld\n", a + b);
}
