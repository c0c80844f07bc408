// expect: AC
// /proc lists only the program's own processes: no judge, no other run.
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	DIR *d = opendir("/proc");
	struct dirent *e;
	int foreign = 0;
	while (d && (e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]) &&
		    atoi(e->d_name) != getpid())
			foreign = atoi(e->d_name);
	if (foreign)
		printf("LEAK pid %d\n", foreign);
	else
		printf("%lld\n", a + b);
}
