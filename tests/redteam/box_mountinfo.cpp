// redteam: problem=hello-judge lang=cpp expect=AC
// redteam-forbid: HOST PATH
// Finding 1 (issue 15): /proc/self/mountinfo showed where the box lies on
// the host (the bind mount's root).  The box is now a tmpfs of its own:
// its line names no host directory.  Prints "HOST PATH" (Wrong Answer)
// when the /box line's root is anything but "/".
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

int main()
{
	std::string name, line;
	std::getline(std::cin, name);
	std::ifstream mi("/proc/self/mountinfo");
	bool seen = false;
	while (std::getline(mi, line)) {
		std::istringstream f(line);
		std::string id, parent, dev, root, point;
		f >> id >> parent >> dev >> root >> point;
		if (point != "/box")
			continue;
		seen = true;
		if (root != "/") {
			std::cout << "HOST PATH " << root << "\n";
			return 0;
		}
	}
	if (!seen)
		std::cerr << "no /box in mountinfo\n";
	std::cout << "Hello, " << name << "!\n";
	return 0;
}
