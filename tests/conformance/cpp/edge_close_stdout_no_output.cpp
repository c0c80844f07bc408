// expect: WA
// Closes stdout without printing anything.
#include <unistd.h>
int main()
{
	close(1);
	return 0;
}
