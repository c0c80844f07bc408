// expect: RE
// detail: Aborted
// An impossible allocation at a low peak: std::bad_alloc is a plain crash.
#include <cstdio>
int main()
{
	char *q = new char[(size_t)1 << 46];
	printf("%d\n", q[1]);
}
