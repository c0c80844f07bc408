// expect: MLE
// A 256 MiB static array, touched.
#include <cstdio>
#include <cstring>
static char big[256u << 20];
int main()
{
	memset(big, 1, sizeof(big));
	printf("%d\n", big[12345]);
}
