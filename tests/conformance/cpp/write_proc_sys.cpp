// expect: AC
// Kernel knobs: /proc/sys and /proc/sysrq-trigger are not writable.
#include <cstdio>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	struct {
		const char *path, *value;
	} knobs[] = {{"/proc/sys/kernel/hostname", "acconf"},
	             {"/proc/sys/vm/drop_caches", "3"},
	             {"/proc/sys/kernel/core_pattern", "|/box/main"},
	             {"/proc/sysrq-trigger", "h"},
	             {"/proc/self/oom_score_adj", "-1000"}};
	for (auto &k : knobs) {
		FILE *f = fopen(k.path, "w");
		if (f && fputs(k.value, f) >= 0 && fclose(f) == 0) {
			printf("WROTE %s\n", k.path);
			return 0;
		}
	}
	printf("%lld\n", a + b);
}
