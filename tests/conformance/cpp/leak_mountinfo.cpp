// expect: AC
// /proc/self/mountinfo must not reveal the judge's host paths (its work
// directory, the problems, the configuration).
#include <cstdio>
#include <cstring>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	const char *secrets[] = {"algocode", "/work/", "conformance",
	                         "/problems", "/home/", "/root"};
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096];
	while (f && fgets(line, sizeof(line), f))
		for (const char *s : secrets)
			if (strstr(line, s)) {
				printf("LEAK %s", line);
				return 0;
			}
	printf("%lld\n", a + b);
}
