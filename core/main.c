/* algocode: thin entry point; the command line lives in cli.c. */
#include "cli.h"

int main(int argc, char **argv)
{
	return ac_cli_main(argc, argv);
}
