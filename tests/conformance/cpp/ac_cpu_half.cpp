// expect: AC
// About 0.3 s of CPU: under the 1 s limit.
#include <cstdio>
#include <ctime>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	volatile unsigned long x = 0;
	clock_t end = clock() + CLOCKS_PER_SEC * 3 / 10;
	while (clock() < end)
		x++;
	printf("%lld\n", a + b);
}
