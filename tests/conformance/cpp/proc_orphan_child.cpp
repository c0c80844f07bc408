// expect: AC
// A child that sleeps on after its parent answered and exited.
#include <cstdio>
#include <sys/prctl.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	if (fork() == 0) {
		prctl(PR_SET_NAME, "acconfmark");
		fclose(stdout);
		for (;;)
			sleep(1000);
	}
	printf("%lld\n", a + b);
}
