// expect: AC
// No raw devices: memory, disks, the kernel log.
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	const char *devs[] = {"/dev/mem",  "/dev/kmem", "/dev/port",
	                      "/dev/sda",  "/dev/vda",  "/dev/nvme0n1",
	                      "/dev/kmsg", "/dev/tty",  "/dev/console",
	                      "/proc/kcore", "/dev/cpu/0/msr"};
	for (const char *p : devs) {
		int fd = open(p, O_RDONLY | O_NONBLOCK);
		if (fd >= 0) {
			printf("LEAK %s\n", p);
			return 0;
		}
	}
	printf("%lld\n", a + b);
}
