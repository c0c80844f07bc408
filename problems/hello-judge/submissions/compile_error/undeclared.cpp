// Uses an identifier that was never declared (and forgets <string>'s std::).
#include <iostream>

int main()
{
	string name;
	getline(std::cin, name);
	std::cout << greeting << name << "!\n";
	return 0;
}
