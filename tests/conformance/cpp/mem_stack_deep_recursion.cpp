// expect: MLE
// Recursion 10^7 levels deep with 64-byte frames: ~640 MB of stack.  The
// stack may grow up to the memory limit, so this dies of memory: the
// controller kills it, or it overflows (SIGSEGV) at the limit.
#include <cstdio>
static long long f(long long n)
{
	volatile char pad[48];
	pad[0] = (char)n;
	if (n == 0)
		return 0;
	return f(n - 1) + pad[0];
}
int main()
{
	printf("%lld\n", f(10000000));
}
