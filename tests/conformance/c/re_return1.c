// expect: RE
// detail: exit code 1
#include <stdio.h>
int main(void)
{
	printf("3\n");
	return 1;
}
