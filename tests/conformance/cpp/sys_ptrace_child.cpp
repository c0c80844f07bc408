// expect: RE
// detail: Bad System Call
// Tracing its own child (PTRACE_ATTACH on a sleeping child).
#include <csignal>
#include <cstdio>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		prctl(PR_SET_NAME, "acconfmark");
		for (;;)
			pause();
	}
	ptrace(PTRACE_ATTACH, c, nullptr, nullptr);
	kill(c, SIGKILL);
	printf("%lld\n", a + b);
}
