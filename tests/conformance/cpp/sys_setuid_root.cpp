// expect: AC
// Becoming root again, or having any capability, must be impossible.
#include <cstdio>
#include <cstring>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	int bad = setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0 ||
	          geteuid() == 0;
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if ((strncmp(line, "CapEff:", 7) == 0 ||
		     strncmp(line, "CapPrm:", 7) == 0 ||
		     strncmp(line, "CapBnd:", 7) == 0) &&
		    strstr(line, "0000000000000000") == nullptr)
			bad = 1;
	if (bad)
		printf("PRIVILEGED\n");
	else
		printf("%lld\n", a + b);
}
