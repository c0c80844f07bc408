// expect: AC
// Starts sleeping threads until pthread_create fails, then answers.
#include <cstdio>
#include <pthread.h>
#include <unistd.h>
static void *sleeper(void *)
{
	for (;;)
		pause();
	return nullptr;
}
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	int n = 0;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 64 << 10);
	for (; n < 1000; n++) {
		pthread_t t;
		if (pthread_create(&t, &at, sleeper, nullptr) != 0)
			break;
	}
	if (n >= 64)
		printf("THREADS %d\n", n);
	else
		printf("%lld\n", a + b);
	fflush(stdout);
	_exit(0);
}
