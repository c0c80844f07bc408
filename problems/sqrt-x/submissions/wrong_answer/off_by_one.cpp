// Binary search that returns the first r with r*r >= x instead of the last
// r with r*r <= x: right on perfect squares, one too large elsewhere.
#include <cstdio>

int main()
{
	int q;
	if (std::scanf("%d", &q) != 1)
		return 0;
	while (q--) {
		long long x;
		std::scanf("%lld", &x);
		long long lo = 0, hi = 46341;
		while (lo < hi) {
			long long mid = (lo + hi) / 2;
			if (mid * mid >= x)
				hi = mid;
			else
				lo = mid + 1;
		}
		std::printf("%lld\n", lo);
	}
	return 0;
}
