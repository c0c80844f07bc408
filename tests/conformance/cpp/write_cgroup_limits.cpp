// expect: AC
// Raising its own memory or pids limit through the cgroup files.
#include <cstdio>
#include <string>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	const char *files[] = {
	        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
	        "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/pids.max",
	        "/sys/fs/cgroup/pids/pids.max",
	        "/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"};
	for (const char *p : files) {
		FILE *f = fopen(p, "w");
		if (f && fputs("max\n", f) >= 0 && fclose(f) == 0) {
			printf("WROTE %s\n", p);
			return 0;
		}
	}
	printf("%lld\n", a + b);
}
