// expect: RE
// detail: Segmentation Fault
// The program lowers its own stack limit to 8 MiB, then recurses forever:
// the overflow happens far below the memory limit, so it is a plain crash.
#include <cstdio>
#include <sys/resource.h>
static int f(int n)
{
	volatile char pad[256];
	pad[0] = (char)n;
	return f(n + 1) + pad[0];
}
int main()
{
	struct rlimit r = {8u << 20, 8u << 20};
	if (setrlimit(RLIMIT_STACK, &r) != 0)
		return 5;
	printf("%d\n", f(0));
}
