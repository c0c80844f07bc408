// Binary search on r with 64-bit products: O(q log x).
#include <cstdio>

int main()
{
	int q;
	if (std::scanf("%d", &q) != 1)
		return 0;
	while (q--) {
		long long x;
		std::scanf("%lld", &x);
		long long lo = 0, hi = 46341; // answer in [lo, hi)
		while (hi - lo > 1) {
			long long mid = (lo + hi) / 2;
			if (mid * mid <= x)
				lo = mid;
			else
				hi = mid;
		}
		std::printf("%lld\n", lo);
	}
	return 0;
}
