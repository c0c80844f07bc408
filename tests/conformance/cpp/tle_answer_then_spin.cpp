// expect: TLE
// detail: cpu
// Printing the right answer first does not help.
#include <cstdio>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	printf("%lld\n", a + b);
	fflush(stdout);
	volatile unsigned long x = 0;
	for (;;)
		x++;
}
