// Tries r = x, x-1, ... until r*r <= x: about x steps per query, i.e.
// around two billion steps for a single large x (and there are thousands).
#include <cstdio>

int main()
{
	int q;
	if (std::scanf("%d", &q) != 1)
		return 0;
	while (q--) {
		long long x;
		std::scanf("%lld", &x);
		long long r = x;
		while (r * r > x)
			--r;
		std::printf("%lld\n", r);
	}
	return 0;
}
