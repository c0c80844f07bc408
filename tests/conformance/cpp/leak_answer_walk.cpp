// expect: AC
// A bounded walk of the whole visible tree looking for the test data
// (*.ans files, anything "conformance" or "algocode").
#include <cstdio>
#include <cstring>
#include <ftw.h>
static int found;
static long seen;
static char what[4096];
static int visit(const char *p, const struct stat *, int, struct FTW *)
{
	if (++seen > 300000)
		return 1;
	if (strncmp(p, "/proc", 5) == 0 || strncmp(p, "/sys", 4) == 0 ||
	    strncmp(p, "/dev", 4) == 0)
		return 0;
	size_t n = strlen(p);
	if ((n > 4 && strcmp(p + n - 4, ".ans") == 0) ||
	    strstr(p, "conformance") || strstr(p, "/algocode")) {
		snprintf(what, sizeof(what), "%s", p);
		found = 1;
		return 1;
	}
	return 0;
}
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	nftw("/", visit, 32, FTW_PHYS | FTW_MOUNT);
	if (found)
		printf("LEAK %s\n", what);
	else
		printf("%lld\n", a + b);
}
