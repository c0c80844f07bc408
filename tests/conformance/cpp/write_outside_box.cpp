// expect: AC
// Files outside /box and /tmp: the root, /etc, /usr, /dev, /proc.  The
// runner also looks for these names on the host afterwards.
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	const char *paths[] = {"/acconf-escape", "/etc/acconf-escape",
	                       "/usr/acconf-escape", "/usr/local/acconf-escape",
	                       "/usr/bin/acconf-escape", "/bin/acconf-escape",
	                       "/lib/acconf-escape", "/dev/acconf-escape",
	                       "/box/../acconf-escape", "/var/tmp/acconf-escape",
	                       "/root/acconf-escape", "/run/acconf-escape"};
	for (const char *p : paths) {
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd >= 0) {
			printf("WROTE %s\n", p);
			return 0;
		}
		if (mkdir(p, 0755) == 0) {
			printf("MKDIR %s\n", p);
			return 0;
		}
	}
	if (unlink("/etc/passwd") == 0 || rename("/etc/hosts", "/etc/x") == 0 ||
	    unlink("/dev/null") == 0) {
		printf("MODIFIED\n");
		return 0;
	}
	printf("%lld\n", a + b);
}
