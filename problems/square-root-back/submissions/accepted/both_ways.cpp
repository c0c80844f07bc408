#include <cmath>
#include <cstdio>
int main()
{
	long long k, v;
	if (std::scanf("%lld %lld", &k, &v) != 2)
		return 1;
	if (k == 1) {
		std::printf("%lld\n", v * v);
		return 0;
	}
	long long r = (long long)std::sqrt((long double)v);
	while (r * r > v)
		r--;
	while ((r + 1) * (r + 1) <= v)
		r++;
	std::printf("%lld\n", r);
}
