/* `algocode submit`: the command-line client of a running server, as
 * DOMjudge's `submit` (docs/algocode.1.in): sends FILE... to
 * POST /api/v1/code/submit/, follows the result stream (or polls) and
 * exits by verdict. */
#ifndef AC_SUBMIT_H
#define AC_SUBMIT_H

/* The usage text of the command. */
extern const char ac_submit_usage[];

/* argv[0] is "submit".  Returns the process exit status: 0 Accepted,
 * 1 any other verdict, 2 usage, file, network or server errors. */
int ac_submit_main(int argc, char **argv);
#endif
