// expect: RE
// detail: Bad System Call
// clone() with CLONE_NEWUSER|CLONE_NEWNET from the raw system call.
#include <csignal>
#include <cstdio>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	fflush(stdout);
	long r = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNET | SIGCHLD,
	                 nullptr, nullptr, nullptr, 0);
	if (r == 0)
		_exit(0);
	if (r > 0) {
		waitpid((pid_t)r, nullptr, 0);
		printf("CLONED\n");
	} else {
		printf("%lld\n", a + b);
	}
}
