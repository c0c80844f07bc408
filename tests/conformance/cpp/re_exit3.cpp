// expect: RE
// detail: exit code 3
#include <cstdio>
#include <cstdlib>
int main()
{
	printf("3\n");
	exit(3);
}
