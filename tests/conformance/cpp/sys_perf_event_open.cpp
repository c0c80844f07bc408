// expect: RE
// detail: Bad System Call
#include <cstdio>
#include <cstring>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	struct perf_event_attr pe;
	memset(&pe, 0, sizeof(pe));
	pe.type = PERF_TYPE_HARDWARE;
	pe.size = sizeof(pe);
	pe.config = PERF_COUNT_HW_INSTRUCTIONS;
	long r = syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);
	if (r >= 0)
		printf("PERF\n");
	else
		printf("%lld\n", a + b);
}
