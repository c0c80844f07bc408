// expect: AC
// Only /usr, /bin, /lib*, /etc (a few files), /dev, /box, /tmp, /proc are
// visible: no home, no /var, no /root, no /run, no /sys.
#include <cstdio>
#include <dirent.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	const char *dirs[] = {"/root", "/home", "/var/lib", "/var/log", "/run",
	                      "/srv", "/opt", "/mnt", "/sys/fs/cgroup",
	                      "/sys/class/net", "/work", "/etc/ssh"};
	for (const char *p : dirs) {
		DIR *d = opendir(p);
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.') {
				printf("LEAK %s/%s\n", p, e->d_name);
				return 0;
			}
	}
	printf("%lld\n", a + b);
}
