/* `algocode check-config` and `algocode settings` (core/check_config.c,
 * docs/algocode.1.in). */
#ifndef AC_CHECK_CONFIG_H
#define AC_CHECK_CONFIG_H
extern const char ac_check_config_usage[];
extern const char ac_settings_usage[];
/* argv[0] is the command's name.  Exit status: 0 valid, 1 errors (printed
 * on stderr), 2 a usage error. */
int ac_check_config_main(int argc, char **argv);
/* Exit status: 0, 1 on an error, 2 a usage error. */
int ac_settings_main(int argc, char **argv);
#endif
