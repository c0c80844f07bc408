// expect: MLE
// Locked pages (mlock, as far as RLIMIT_MEMLOCK allows) count against the
// limit like any other.
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <sys/mman.h>
int main()
{
	for (;;) {
		char *p = (char *)malloc(4u << 20);
		if (!p)
			abort();
		mlock(p, 4u << 20);
		memset(p, 1, 4u << 20);
		asm volatile("" : : "r"(p) : "memory");
	}
}
