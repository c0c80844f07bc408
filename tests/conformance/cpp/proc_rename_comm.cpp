// expect: AC
// A child disguised as a kernel thread and as the judge.
#include <cstdio>
#include <cstring>
#include <sys/prctl.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	long long a, b;
	(void)argc;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	fflush(stdout);
	if (fork() == 0) {
		prctl(PR_SET_NAME, "acconfmark");
		size_t n = strlen(argv[0]);
		strncpy(argv[0], "[kworker/0:1] acconfmark algocode", n);
		close(1);
		for (;;)
			sleep(1000);
	}
	printf("%lld\n", a + b);
}
