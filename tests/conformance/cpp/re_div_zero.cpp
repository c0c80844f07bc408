// expect: RE
// detail: Floating Point Exception
#include <cstdio>
int main()
{
	volatile int z = 0;
	printf("%d\n", 3 / z);
}
