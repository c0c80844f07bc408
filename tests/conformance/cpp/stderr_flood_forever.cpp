// expect: TLE
// Endless stderr: drained and dropped, so a time limit ends it (CPU or
// wall, depending on how fast the judge drains the pipe), never OLE.
#include <cstring>
#include <unistd.h>
int main()
{
	static char buf[65536];
	memset(buf, 'e', sizeof(buf));
	for (;;)
		if (write(2, buf, sizeof(buf)) < 0)
			return 2;
}
