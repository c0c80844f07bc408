// expect: AC
// stdin is the test's input file, but its path in /proc/self/fd/0 (and
// /proc/self/fdinfo, /proc/self/maps once mapped) must not name the
// judge's problem directory or the test.
#include <cstdio>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>
int main()
{
	const char *secrets[] = {"algocode", "/work/", "conformance", "problem",
	                         "data",     ".in",    "/home/",      "/root"};
	char l[4096] = "";
	ssize_t n = readlink("/proc/self/fd/0", l, sizeof(l) - 1);
	l[n > 0 ? n : 0] = '\0';
	for (const char *s : secrets)
		if (strstr(l, s)) {
			printf("LEAK fd 0 -> %s\n", l);
			return 0;
		}
	void *m = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, 0, 0);
	char at[32];
	snprintf(at, sizeof(at), "%lx-", (unsigned long)m);
	FILE *f = fopen("/proc/self/maps", "r");
	while (m != MAP_FAILED && f && fgets(l, sizeof(l), f))
		for (const char *s : secrets)
			if (strncmp(l, at, strlen(at)) == 0 && strstr(l, s)) {
				printf("LEAK maps %s", l);
				return 0;
			}
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	printf("%lld\n", a + b);
}
