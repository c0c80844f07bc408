// Counts down from n - 1: about 10^12 steps on a product of two large primes.
#include <cstdio>
int main()
{
	long long n;
	std::scanf("%lld", &n);
	for (long long d = n - 1; d > 1; d--)
		if (n % d == 0) {
			std::printf("%lld\n", d);
			return 0;
		}
}
