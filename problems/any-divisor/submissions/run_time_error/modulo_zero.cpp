// Starts its search at 0: n % 0 is SIGFPE.
#include <cstdio>
int main()
{
	long long n;
	volatile long long start = 0;
	std::scanf("%lld", &n);
	for (long long d = start; d * d <= n; d++)
		if (n % d == 0) {
			std::printf("%lld\n", d);
			return 0;
		}
}
