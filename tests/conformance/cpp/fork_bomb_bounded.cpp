// expect: AC
// Forks sleeping children until fork() fails, then answers.  More than 64
// processes would mean no process limit: print a wrong answer then.
#include <cstdio>
#include <sys/prctl.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	int n = 0;
	for (; n < 1000; n++) {
		pid_t p = fork();
		if (p < 0)
			break;
		if (p == 0) {
			prctl(PR_SET_NAME, "acconfmark");
			for (;;)
				pause();
		}
	}
	if (n >= 64)
		printf("FORKED %d\n", n);
	else
		printf("%lld\n", a + b);
}
