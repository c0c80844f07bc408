// Hostile: never reads, writes garbage as fast as it can, forever.  The
// validator rejects the first token; the submission is still running.
#include <cstdio>
int main()
{
	static char junk[65536];
	for (auto &c : junk)
		c = 'x';
	for (;;)
		std::fwrite(junk, 1, sizeof(junk), stdout);
}
