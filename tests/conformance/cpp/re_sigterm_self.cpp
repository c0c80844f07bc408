// expect: RE
// detail: Terminated
#include <csignal>
#include <unistd.h>
int main()
{
	kill(getpid(), SIGTERM);
	pause();
}
