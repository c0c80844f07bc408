// expect: MLE
// detail: Aborted
// 60 MiB touched, then an impossible allocation: std::bad_alloc aborts at
// ~95% of the limit, which the memory heuristic calls MLE.
#include <cstring>
#include <cstdio>
int main()
{
	char *p = new char[60u << 20];
	memset(p, 1, 60u << 20);
	char *q = new char[(size_t)1 << 46];
	printf("%d %d\n", p[1], q[1]);
}
