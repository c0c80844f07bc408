// expect: TLE
// detail: wall
#include <unistd.h>
int main()
{
	pause();
}
