// expect: AC
// A file left in /box by one test must be gone in the next one.
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	if (access("/box/state", F_OK) == 0 || access("/tmp/state", F_OK) == 0 ||
	    access("/dev/shm/state", F_OK) == 0) {
		printf("PERSISTED\n");
		return 0;
	}
	FILE *f = fopen("/box/state", "w");
	FILE *g = fopen("/tmp/state", "w");
	FILE *h = fopen("/dev/shm/state", "w");
	if (f)
		fclose(f);
	if (g)
		fclose(g);
	if (h)
		fclose(h);
	printf("%lld\n", a + b);
}
