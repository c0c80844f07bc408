// expect: AC
// A file in the sandbox's /tmp and /dev/shm: private to the run (the
// runner checks that it never appears in the host's /tmp or /dev/shm).
#include <cstdio>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	FILE *f = fopen("/tmp/acconf-escape-tmp", "w");
	FILE *g = fopen("/dev/shm/acconf-escape-shm", "w");
	if (!f || !g) {
		printf("NO SCRATCH\n");
		return 0;
	}
	fputs("x\n", f);
	fputs("x\n", g);
	printf("%lld\n", a + b);
}
