// expect: RE
// detail: exit code 3
#include <cstring>
#include <unistd.h>
int main()
{
	static char buf[65536];
	memset(buf, 'e', sizeof(buf));
	for (int i = 0; i < 256; i++)
		if (write(2, buf, sizeof(buf)) < 0)
			return 2;
	return 3;
}
