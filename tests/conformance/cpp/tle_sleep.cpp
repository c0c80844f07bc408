// expect: TLE
// detail: wall
#include <unistd.h>
int main()
{
	sleep(100);
}
