// expect: TLE
// detail: wall
// read() on a pipe whose write end it holds itself: blocks forever.
#include <unistd.h>
int main()
{
	int p[2];
	char c;
	if (pipe(p) != 0)
		return 1;
	return (int)read(p[0], &c, 1);
}
