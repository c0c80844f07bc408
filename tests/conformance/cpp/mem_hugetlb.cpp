// expect: AC
// Huge pages of the host's hugetlb pool are charged to no memory cgroup:
// a program that got them would run past its memory limit on a host that
// reserves some.  The sandbox refuses them (mmap/shmget ENOMEM,
// memfd_create EINVAL); transparent huge pages stay allowed.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	size_t len = 256u << 20;
	void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p != MAP_FAILED) {
		memset(p, 1, len);
		printf("LEAK mmap MAP_HUGETLB %zu MiB\n", len >> 20);
		return 0;
	}
	int id = shmget(IPC_PRIVATE, len, SHM_HUGETLB | IPC_CREAT | 0600);
	if (id >= 0) {
		shmctl(id, IPC_RMID, nullptr);
		printf("LEAK shmget SHM_HUGETLB\n");
		return 0;
	}
	long fd = syscall(SYS_memfd_create, "huge", MFD_HUGETLB);
	if (fd >= 0) {
		printf("LEAK memfd_create MFD_HUGETLB\n");
		return 0;
	}
	// Ordinary memory, with transparent huge pages asked for, works.
	void *q = mmap(nullptr, 4u << 20, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED || madvise(q, 4u << 20, MADV_HUGEPAGE) < 0)
		return 2;
	memset(q, 1, 4u << 20);
	printf("%lld\n", a + b);
}
