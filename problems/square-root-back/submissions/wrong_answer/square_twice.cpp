// Right in the first pass, squares again in the second.
#include <cstdio>
int main()
{
	long long k, v;
	std::scanf("%lld %lld", &k, &v);
	std::printf("%lld\n", k == 1 ? v * v : v * v);
}
