// "hello, World!": wrong because the problem sets case_sensitive.
#include <iostream>
#include <string>

int main()
{
	std::string name;
	std::getline(std::cin, name);
	std::cout << "hello, " << name << "!\n";
	return 0;
}
