// expect: AC
// A double-forked daemon that burns CPU after the program has exited.
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
			close(1);
			usleep(50000);
			volatile unsigned long x = 0;
			for (;;)
				x++;
		}
		_exit(0);
	}
	printf("%lld\n", a + b);
}
