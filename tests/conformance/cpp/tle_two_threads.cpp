// expect: TLE
// detail: cpu
// Two spinning threads: CPU time of all threads counts.
#include <thread>
static void spin()
{
	volatile unsigned long x = 0;
	for (;;)
		x++;
}
int main()
{
	std::thread t(spin);
	spin();
}
