// expect: AC
// Sleeping 0.5 s is under the wall limit (2 * cpu + 1 s).
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	usleep(500000);
	printf("%lld\n", a + b);
}
