// One query, then a null pointer write (SIGSEGV).
#include <cstdio>
int main()
{
	char r[4];
	std::printf("500000\n");
	std::fflush(stdout);
	if (std::scanf("%3s", r) == 1)
		*(volatile int *)nullptr = 1;
	return 0;
}
