// Integer Newton iteration started at r = x / 2 (a popular "optimisation").
// Correct for x >= 2, but for x < 2 the start is r = 0 and x / r divides by
// zero (SIGFPE) -- the first sample has x = 0 and x = 1.
#include <cstdio>

int main()
{
	int q;
	if (std::scanf("%d", &q) != 1)
		return 0;
	while (q--) {
		long long x;
		std::scanf("%lld", &x);
		long long r = x / 2;
		while (r > x / r)
			r = (r + x / r) / 2;
		std::printf("%lld\n", r);
	}
	return 0;
}
