// expect: AC
// The judge's configuration and secrets at their usual places, and at the
// fixed place where the conformance runner planted decoys.
#include <cstdio>
#include <dirent.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	const char *files[] = {
	        "/etc/algocode/single-node.conf", "/etc/algocode/judge.conf",
	        "/etc/algocode/api.conf",
	        "/usr/local/etc/algocode/single-node.conf",
	        "/usr/local/etc/algocode/judge.conf",
	        "/var/lib/algocode/jwt.secret", "/var/lib/algocode/algocode.db",
	        "/usr/local/var/lib/algocode/jwt.secret",
	        "/usr/local/var/lib/algocode/algocode.db",
	        "/tmp/algocode-conformance/jwt.secret",
	        "/tmp/algocode-conformance/algocode.conf",
	        "/tmp/algocode-conformance/canary",
	        "/work/build-conformance/conf.d/single-node.conf",
	        "/work/main/conf.d/single-node.conf.in"};
	for (const char *p : files) {
		FILE *f = fopen(p, "r");
		if (f) {
			printf("LEAK %s\n", p);
			return 0;
		}
	}
	const char *dirs[] = {"/etc/algocode", "/usr/local/etc/algocode",
	                      "/var/lib/algocode", "/tmp/algocode-conformance",
	                      "/work"};
	for (const char *p : dirs)
		if (DIR *d = opendir(p)) {
			printf("LEAK %s\n", p);
			closedir(d);
			return 0;
		}
	printf("%lld\n", a + b);
}
