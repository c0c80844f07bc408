// expect: AC
// 32 MiB of a 64 MiB limit, touched: comfortably under the limit.
#include <cstdio>
#include <vector>
int main()
{
	std::vector<char> v(32u << 20, 1);
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	long long s = 0;
	for (size_t i = 0; i < v.size(); i += 4096)
		s += v[i];
	printf("%lld\n", a + b + s - (long long)(v.size() / 4096));
}
