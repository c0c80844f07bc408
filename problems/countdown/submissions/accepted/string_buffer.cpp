// Builds the whole output in one string and writes it at once.
#include <iostream>
#include <string>

int main()
{
	int n;
	std::cin >> n;
	std::string out;
	for (int i = n; i >= 0; --i) {
		out += std::to_string(i);
		out += '\n';
	}
	out += "Liftoff!\n";
	std::cout << out;
	return 0;
}
