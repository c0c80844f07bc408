// expect: AC
/* vfork() children that exec a sleeping program until vfork fails. */
#include <stdio.h>
#include <unistd.h>
int main(void)
{
	long long a, b;
	int n = 0;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	for (; n < 1000; n++) {
		pid_t p = vfork();
		if (p < 0)
			break;
		if (p == 0) {
			char *argv[] = {(char *)"sleep", (char *)"1000", NULL};
			execv("/bin/sleep", argv);
			_exit(127);
		}
	}
	if (n >= 64)
		printf("FORKED %d\n", n);
	else
		printf("%lld\n", a + b);
	return 0;
}
