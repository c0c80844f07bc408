// redteam: problem=hello-judge lang=cpp expect=AC user=carol
// Finding 4 (issue 15): the runner sends this very source as carol, then
// as dave, then as carol again: dave's compile must not be a hit of
// carol's build (the cache is per user), carol's second must be a hit
// that reports her first compile's time.
#include <iostream>
#include <string>

int main()
{
	std::string name;
	std::getline(std::cin, name);
	std::cout << "Hello, " << name << "!\n";
	return 0;
}
