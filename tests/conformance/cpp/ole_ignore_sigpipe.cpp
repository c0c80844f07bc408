// expect: OLE
// Ignores SIGPIPE and write errors, keeps writing.
#include <csignal>
#include <cstring>
#include <unistd.h>
int main()
{
	static char buf[65536];
	memset(buf, 'x', sizeof(buf));
	signal(SIGPIPE, SIG_IGN);
	for (;;)
		if (write(1, buf, sizeof(buf)) < 0)
			continue;
}
