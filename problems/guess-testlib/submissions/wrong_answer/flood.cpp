// Hostile: never reads, floods the interactor with words (presentation
// error, which is Wrong Answer).
#include <cstdio>
int main()
{
	for (;;)
		std::fputs("flood flood flood flood\n", stdout);
}
