// redteam: problem=hello-judge lang=cpp expect=AC within=180
// Finding 3 (issue 15): an 80 MiB initialised array makes an 80 MiB
// binary, over the judge's old 64 MiB copy limit (Internal Error then);
// it is a valid program within every limit of the problem (256 MiB).
#include <iostream>
#include <string>

static volatile char big[80 << 20] = {1};

int main()
{
	std::string name;
	std::getline(std::cin, name);
	std::cout << "Hello, " << name << (big[0] == 1 ? "!" : "?") << "\n";
	return 0;
}
