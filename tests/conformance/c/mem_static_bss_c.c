// expect: MLE
/* 128 MiB of static int, touched in C. */
#include <stdio.h>
static int big[32u << 20];
int main(void)
{
	size_t i;
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i += 1024)
		big[i] = (int)i;
	printf("%d\n", big[1024]);
	return 0;
}
