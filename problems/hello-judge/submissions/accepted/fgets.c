/* Reads the whole line (names may contain spaces). */
#include <stdio.h>
#include <string.h>

int main(void)
{
	char name[4096];

	if (!fgets(name, sizeof(name), stdin))
		name[0] = '\0';
	name[strcspn(name, "\r\n")] = '\0';
	printf("Hello, %s!\n", name);
	return 0;
}
