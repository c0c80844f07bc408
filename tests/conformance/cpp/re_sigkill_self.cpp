// expect: RE
// detail: Killed
#include <csignal>
#include <unistd.h>
int main()
{
	kill(getpid(), SIGKILL);
	pause();
}
