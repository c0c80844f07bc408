// expect: MLE
// Each child touches 24 MiB: together over the 64 MiB limit.
#include <cstdlib>
#include <cstring>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
int main()
{
	for (int i = 0; i < 3; i++) {
		if (fork() == 0) {
			prctl(PR_SET_NAME, "acconfmark");
			char *p = (char *)malloc(24u << 20);
			if (p)
				memset(p, 1, 24u << 20);
			asm volatile("" : : "r"(p) : "memory");
			sleep(100);
			_exit(0);
		}
	}
	while (wait(nullptr) > 0)
		;
}
