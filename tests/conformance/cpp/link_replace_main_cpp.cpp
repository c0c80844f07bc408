// expect: AC
// The kept files of the box (main.cpp, main) replaced by symlinks to host
// paths between tests: the judge must neither follow nor chown them.
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	if (unlink("/box/main.cpp") == 0)
		if (symlink("/tmp/algocode-conformance/canary", "/box/main.cpp") != 0)
			return 2;
	printf("%lld\n", a + b);
}
