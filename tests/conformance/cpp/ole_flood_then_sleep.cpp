// expect: OLE
// 2 MiB then a long sleep: the output limit acts, not the wall limit.
#include <cstring>
#include <unistd.h>
int main()
{
	static char buf[2u << 20];
	memset(buf, '3', sizeof(buf));
	if (write(1, buf, sizeof(buf)) < 0)
		return 1;
	sleep(100);
}
