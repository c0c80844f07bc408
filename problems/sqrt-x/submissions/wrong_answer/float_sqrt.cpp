// Single precision: x is rounded to 24 bits first, so x = k*k - 1 can
// become k*k and the answer comes out one too large.
#include <cmath>
#include <cstdio>

int main()
{
	int q;
	if (std::scanf("%d", &q) != 1)
		return 0;
	while (q--) {
		long long x;
		std::scanf("%lld", &x);
		std::printf("%d\n", (int)std::sqrt((float)x));
	}
	return 0;
}
