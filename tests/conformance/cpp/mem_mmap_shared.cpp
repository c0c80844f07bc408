// expect: MLE
// Shared anonymous memory (shmem pages) counts too.
#include <cstdio>
#include <cstring>
#include <sys/mman.h>
int main()
{
	size_t n = 256u << 20;
	void *p = mmap(nullptr, n, PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	memset(p, 1, n);
	printf("%d\n", ((char *)p)[5]);
}
