// expect: RE
// detail: Segmentation Fault
#include <string.h>
int main(void)
{
	char *volatile p = 0;
	__asm__ volatile("" : "+r"(p)); /* hide the NULL from the optimiser */
	memset(p, 1, 4096);
	return 0;
}
