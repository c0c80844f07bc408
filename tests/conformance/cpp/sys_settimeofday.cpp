// expect: RE
// detail: Bad System Call
#include <cstdio>
#include <sys/time.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	struct timeval tv;
	gettimeofday(&tv, nullptr);
	if (settimeofday(&tv, nullptr) == 0)
		printf("CLOCK SET\n");
	else
		printf("%lld\n", a + b);
}
