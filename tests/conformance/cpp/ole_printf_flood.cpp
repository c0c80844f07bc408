// expect: OLE
#include <cstdio>
int main()
{
	for (;;)
		printf("3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3\n");
}
