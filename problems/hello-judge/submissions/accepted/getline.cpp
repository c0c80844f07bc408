// Reads the whole line, so names with spaces are greeted in full.
#include <iostream>
#include <string>

int main()
{
	std::string name;
	std::getline(std::cin, name);
	std::cout << "Hello, " << name << "!\n";
	return 0;
}
