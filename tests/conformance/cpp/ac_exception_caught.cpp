// expect: AC
// Exceptions thrown and caught are fine.
#include <cstdio>
#include <stdexcept>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	try {
		throw std::runtime_error("x");
	} catch (const std::exception &) {
		printf("%lld\n", a + b);
	}
}
