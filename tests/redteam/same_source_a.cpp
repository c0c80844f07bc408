// redteam: problem=hello-judge lang=cpp expect=AC user=carol
// Finding 4 (issue 15): the same source as same_source_b.cpp, which
// another user submits next; the runner compares what each is told.
#include <iostream>
#include <string>

int main()
{
	std::string name;
	std::getline(std::cin, name);
	std::cout << "Hello, " << name << "!\n";
	return 0;
}
