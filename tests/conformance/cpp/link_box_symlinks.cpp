// expect: AC
// Symlinks planted in the box for whatever the judge copies, resets or
// chowns afterwards: to host files (the runner's canaries), to /, to the
// output directory.  The runner checks that the canaries are untouched.
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	struct {
		const char *target, *name;
	} links[] = {{"/etc/passwd", "/box/out"},
	             {"/etc/shadow", "/box/1.out"},
	             {"/tmp/algocode-conformance/canary", "/box/canary"},
	             {"/tmp/algocode-conformance/canary.d", "/box/canary.d"},
	             {"/tmp/algocode-conformance", "/box/fixed"},
	             {"/", "/box/root"},
	             {"../out", "/box/outdir"},
	             {"../..", "/box/up"},
	             {"/box", "/box/loop"}};
	for (auto &l : links)
		if (symlink(l.target, l.name) != 0)
			return 2;
	printf("%lld\n", a + b);
}
