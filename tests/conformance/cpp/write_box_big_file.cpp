// expect: RE
// detail: File Size Limit Exceeded
// A 2 MiB file in the box: over the file size limit (the output limit).
#include <cstdio>
#include <cstring>
int main()
{
	static char buf[2u << 20];
	memset(buf, 'x', sizeof(buf));
	FILE *f = fopen("/box/big", "w");
	if (!f)
		return 2;
	fwrite(buf, 1, sizeof(buf), f);
	fclose(f);
	printf("3\n");
}
