// expect: AC
// The program may run tools of the image: /bin/sh and expr compute it.
#include <cstdio>
#include <cstdlib>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	char cmd[128];
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "expr %lld + %lld", a, b);
	return system(cmd) == 0 ? 0 : 4;
}
