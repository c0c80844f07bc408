// expect: OLE
// A child floods the shared stdout while the parent waits.
#include <cstdio>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
int main()
{
	if (fork() == 0) {
		prctl(PR_SET_NAME, "acconfmark");
		for (;;)
			fputs("garbage garbage garbage garbage\n", stdout);
	}
	wait(nullptr);
}
