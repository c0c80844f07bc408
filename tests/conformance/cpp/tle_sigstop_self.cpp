// expect: TLE
// detail: wall
// A stopped program uses no CPU; the wall limit ends it.
#include <csignal>
#include <unistd.h>
int main()
{
	kill(getpid(), SIGSTOP);
	return 0;
}
