// expect: MLE
// memfd_create pages: 1 MiB memfds (the file size limit is 1 MiB), mapped,
// touched and kept; the descriptors are closed (the mapping stays).
#include <cstdio>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>
int main()
{
	size_t n = 1u << 20;
	for (int i = 0; i < 1000; i++) {
		int fd = memfd_create("x", 0);
		if (fd < 0 || ftruncate(fd, (off_t)n) != 0)
			return 2;
		void *p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_SHARED,
		               fd, 0);
		if (p == MAP_FAILED)
			return 3;
		close(fd);
		memset(p, 1, n);
	}
	printf("MAPPED\n");
}
