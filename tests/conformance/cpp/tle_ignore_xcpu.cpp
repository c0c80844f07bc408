// expect: TLE
// detail: cpu
// SIGXCPU ignored: the CPU watchdog still stops the run.
#include <csignal>
int main()
{
	signal(SIGXCPU, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	volatile unsigned long x = 0;
	for (;;)
		x++;
}
