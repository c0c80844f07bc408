// Right in the first pass, dies in the second (exit status 3).
#include <cstdio>
int main()
{
	long long k, v;
	std::scanf("%lld %lld", &k, &v);
	if (k == 1) {
		std::printf("%lld\n", v * v);
		return 0;
	}
	return 3;
}
