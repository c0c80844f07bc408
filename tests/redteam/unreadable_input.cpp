// redteam: problem=hello-paths lang=cpp expect=IE
// redteam-forbid: @TEST_TMP@
// redteam-forbid: /problems/
// Finding 4 (issue 15): an Internal Error (the runner makes the first
// secret input of a copy of hello-judge unreadable after the server has
// loaded it) must not show the server's host paths.
#include <iostream>
#include <string>

int main()
{
	std::string name;
	std::getline(std::cin, name);
	std::cout << "Hello, " << name << "!\n";
	return 0;
}
