// expect: RE
// detail: Aborted
// glibc detects the double free and aborts.
#include <cstdlib>
int main()
{
	char *volatile p = (char *)malloc(64);
	free(p);
	free(p);
	return 0;
}
