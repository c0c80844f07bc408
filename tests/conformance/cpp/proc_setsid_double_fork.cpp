// expect: AC
// The classic daemon: fork, setsid, fork, close everything, sleep.
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
		setsid();
		if (fork() == 0) {
			prctl(PR_SET_NAME, "acconfmark");
			close(0);
			close(1);
			close(2);
			for (;;)
				sleep(1000);
		}
		_exit(0);
	}
	printf("%lld\n", a + b);
}
