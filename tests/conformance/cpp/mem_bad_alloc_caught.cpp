// expect: AC
// std::bad_alloc caught: the program answers.
#include <cstdio>
#include <new>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	try {
		char *q = new char[(size_t)1 << 46];
		q[0] = 1;
		printf("ALLOCATED\n");
	} catch (const std::bad_alloc &) {
		printf("%lld\n", a + b);
	}
}
