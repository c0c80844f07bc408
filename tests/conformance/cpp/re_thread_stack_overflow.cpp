// expect: RE
// detail: Segmentation Fault
// Infinite recursion in a thread with a 256 KiB stack: crashes far below
// the memory limit.
#include <cstdio>
#include <pthread.h>
static int f(int n)
{
	volatile char pad[256];
	pad[0] = (char)n;
	return f(n + 1) + pad[0];
}
static void *run(void *)
{
	printf("%d\n", f(0));
	return nullptr;
}
int main()
{
	pthread_attr_t a;
	pthread_t t;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 256 << 10);
	if (pthread_create(&t, &a, run, nullptr) != 0)
		return 0;
	pthread_join(t, nullptr);
}
