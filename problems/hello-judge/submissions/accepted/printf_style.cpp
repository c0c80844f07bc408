// C-style I/O: fgets, strip the newline, printf.
#include <cstdio>
#include <cstring>

int main()
{
	char name[256];
	if (!std::fgets(name, sizeof name, stdin))
		return 0;
	name[std::strcspn(name, "\r\n")] = '\0';
	std::printf("Hello, %s!\n", name);
	return 0;
}
