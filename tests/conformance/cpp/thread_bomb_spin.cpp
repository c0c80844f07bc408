// expect: TLE
// detail: cpu
// As many spinning threads as it may start.
#include <pthread.h>
static void *spin(void *)
{
	volatile unsigned long x = 0;
	for (;;)
		x++;
	return nullptr;
}
int main()
{
	for (int i = 0; i < 1000; i++) {
		pthread_t t;
		if (pthread_create(&t, nullptr, spin, nullptr) != 0)
			break;
	}
	spin(nullptr);
}
