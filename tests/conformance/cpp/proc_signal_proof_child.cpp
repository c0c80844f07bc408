// expect: AC
// A child that blocks and ignores every signal it can, in its own group.
#include <csignal>
#include <cstdio>
#include <sys/prctl.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	fflush(stdout);
	if (fork() == 0) {
		prctl(PR_SET_NAME, "acconfmark");
		setpgid(0, 0);
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, nullptr);
		for (int s = 1; s < 32; s++)
			signal(s, SIG_IGN);
		close(1);
		for (;;)
			pause();
	}
	printf("%lld\n", a + b);
}
