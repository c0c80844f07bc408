// redteam: problem=hello-judge lang=cpp expect=AC user=dave
// Finding 4 (issue 15): the same source as same_source_a.cpp, which
// another user submitted first; the runner compares what each is told.
#include <iostream>
#include <string>

int main()
{
	std::string name;
	std::getline(std::cin, name);
	std::cout << "Hello, " << name << "!\n";
	return 0;
}
