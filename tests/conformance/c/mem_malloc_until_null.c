// expect: MLE
/* Allocate and touch 1 MiB blocks until malloc returns NULL, then write
 * through the NULL it returned (the classic C memory death). */
#include <stdlib.h>
#include <string.h>
int main(void)
{
	for (;;) {
		char *p = (char *)malloc(1 << 20);
		memset(p, 1, 1 << 20);
		__asm__ volatile("" : : "r"(p) : "memory");
	}
}
