// expect: AC
// Device nodes cannot be made (or used) in the box.
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	if (mknod("/box/mem", S_IFCHR | 0666, makedev(1, 1)) == 0) {
		int fd = open("/box/mem", O_RDONLY);
		if (fd >= 0) {
			printf("DEVICE OPEN\n");
			return 0;
		}
	}
	if (mknod("/tmp/sda", S_IFBLK | 0666, makedev(8, 0)) == 0) {
		int fd = open("/tmp/sda", O_RDONLY);
		if (fd >= 0) {
			printf("DEVICE OPEN\n");
			return 0;
		}
	}
	printf("%lld\n", a + b);
}
