// expect: RE
// detail: Bad System Call
#include <cstdio>
#include <cstring>
#include <sys/syscall.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	char attr[128];
	memset(attr, 0, sizeof(attr));
	long r = syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, attr, sizeof(attr));
	if (r >= 0)
		printf("BPF\n");
	else
		printf("%lld\n", a + b);
}
