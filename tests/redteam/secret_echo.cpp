// redteam: problem=hello-judge lang=cpp expect=WA
// redteam-forbid: Algocode
// redteam-forbid: expected
// redteam-require: secret/01
// Finding 2 (issue 15): right on the samples, then the input itself (on
// stdout and stderr) on the first secret test, whose input is "Algocode":
// neither it nor the expected "Hello, Algocode!" may reach the result.
#include <iostream>
#include <string>

int main()
{
	std::string name;
	std::getline(std::cin, name);
	if (name == "World" || name == "Ada Lovelace") {
		std::cout << "Hello, " << name << "!\n";
		return 0;
	}
	std::cerr << "input was: " << name << "\n";
	std::cout << "input was: " << name << "\n";
	return 0;
}
