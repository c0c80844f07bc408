// Guesses 1, 2, 3...: more than 10 guesses for most numbers.
#include <iostream>
#include <string>
int main()
{
	std::string reply;
	for (int g = 1; g <= 1000; g++) {
		std::cout << g << std::endl;
		if (!(std::cin >> reply) || reply == "correct")
			return 0;
	}
}
