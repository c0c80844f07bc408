// expect: TLE
// detail: wall
#include <stddef.h>
#include <sys/select.h>
int main(void)
{
	select(0, NULL, NULL, NULL, NULL);
	return 0;
}
