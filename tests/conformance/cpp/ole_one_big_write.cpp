// expect: OLE
// One 4 MiB write(2).
#include <cstring>
#include <unistd.h>
int main()
{
	static char buf[4u << 20];
	memset(buf, '3', sizeof(buf));
	return write(1, buf, sizeof(buf)) < 0;
}
