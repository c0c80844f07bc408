// expect: MLE
// MAP_POPULATE: the kernel faults everything in at once.
#include <cstdio>
#include <sys/mman.h>
int main()
{
	size_t n = 512u << 20;
	void *p = mmap(nullptr, n, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	printf("%d\n", ((char *)p)[5]);
}
