// The second pass counts up to the root one by one... and then some.
#include <cstdio>
int main()
{
	long long k, v;
	std::scanf("%lld %lld", &k, &v);
	if (k == 1) {
		std::printf("%lld\n", v * v);
		return 0;
	}
	volatile unsigned long long spin = 0;
	for (;;)
		spin++;
}
