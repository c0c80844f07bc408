/* The command line (design.md): serve, judge, problem verify, check-env,
 * token, --help, --version. */
#ifndef AC_CLI_H
#define AC_CLI_H
int ac_cli_main(int argc, char **argv);
#endif
