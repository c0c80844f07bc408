/* `string` is C++, not C: unknown type name. */
#include <stdio.h>

int main(void)
{
	string name;
	printf("Hello, %s!\n", name);
	return 0;
}
