// expect: MLE
#include <cstdio>
#include <cstdlib>
#include <cstring>
int main()
{
	size_t n = 512u << 20;
	char *p = (char *)malloc(n);
	if (!p)
		return 1;
	memset(p, 1, n);
	asm volatile("" : : "r"(p) : "memory"); /* keep the stores */
	printf("%d\n", p[n / 2]);
}
