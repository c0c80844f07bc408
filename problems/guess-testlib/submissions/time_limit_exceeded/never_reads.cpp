// Hostile: one query, then never reads and spins.
#include <cstdio>
int main()
{
	std::printf("500000\n");
	std::fflush(stdout);
	for (volatile unsigned long i = 0;; i++)
		;
}
