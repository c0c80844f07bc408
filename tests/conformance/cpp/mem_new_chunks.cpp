// expect: MLE
// 1 MiB chunks, touched, never freed.
#include <cstring>
int main()
{
	for (;;) {
		char *p = new char[1 << 20];
		memset(p, 7, 1 << 20);
		asm volatile("" : : "r"(p) : "memory");
	}
}
