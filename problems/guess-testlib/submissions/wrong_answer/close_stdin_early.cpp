// Hostile: closes stdin at once, writes one query, exits.
#include <cstdio>
#include <unistd.h>
int main()
{
	close(0);
	std::printf("1\n");
	return 0;
}
