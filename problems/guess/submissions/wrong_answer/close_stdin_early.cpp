// Hostile: closes its stdin at once, guesses once and exits.  The
// validator's answer has no reader; it then reads end of file.
#include <cstdio>
#include <unistd.h>
int main()
{
	close(0);
	std::printf("500\n");
	return 0;
}
