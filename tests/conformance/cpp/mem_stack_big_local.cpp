// expect: MLE
// A 200 MiB local array, touched from the top down.
#include <cstdio>
int main()
{
	volatile char a[200u << 20];
	for (long i = (long)sizeof(a) - 1; i >= 0; i -= 4096)
		a[i] = 1;
	printf("%d\n", a[0]);
}
