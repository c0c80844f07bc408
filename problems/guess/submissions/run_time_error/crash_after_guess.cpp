// One guess, reads the answer, then dies (SIGABRT).
#include <cstdlib>
#include <iostream>
#include <string>
int main()
{
	std::string reply;
	std::cout << 500 << std::endl;
	std::cin >> reply;
	std::abort();
}
