// expect: AC
// A child keeps stdout open and writes garbage after the program exited:
// the run ends with the program, the late output must not count.
#include <cstdio>
#include <sys/prctl.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	printf("%lld\n", a + b);
	fflush(stdout);
	if (fork() == 0) {
		prctl(PR_SET_NAME, "acconfmark");
		usleep(300000);
		for (;;) {
			fputs("LATE GARBAGE\n", stdout);
			fflush(stdout);
			usleep(1000);
		}
	}
	return 0;
}
