// Hostile: one guess, then never reads the answer and spins.
#include <cstdio>
int main()
{
	std::printf("500\n");
	std::fflush(stdout);
	for (volatile unsigned long i = 0;; i++)
		;
}
