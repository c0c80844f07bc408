/* The default output validator (ICPC/Kattis semantics). */
#ifndef AC_VALIDATOR_H
#define AC_VALIDATOR_H
#include <stdbool.h>
#include <stddef.h>

struct ac_validator_flags {
	bool case_sensitive;
	bool space_change_sensitive;
	bool has_float_abs; /* float_absolute_tolerance (or float_tolerance) */
	bool has_float_rel; /* float_relative_tolerance (or float_tolerance) */
	double float_abs;
	double float_rel;
};

/* Parse validator_flags ("case_sensitive float_tolerance 1e-6 ...").
 * -EINVAL with a message on an unknown flag or a bad number. */
int ac_validator_flags_parse(const char *flags, struct ac_validator_flags *out,
                             char *err, size_t errlen);
/* Compare a team output with the judge answer.  Returns 1 when correct,
 * 0 when wrong (msg says where: "line 3 token 2: expected 5, got 6"),
 * negative errno on I/O error. */
int ac_validate_buf(const char *ans, size_t anslen, const char *out,
                    size_t outlen, const struct ac_validator_flags *f,
                    char *msg, size_t msglen);
int ac_validate_files(const char *ans_path, const char *out_path,
                      const struct ac_validator_flags *f, char *msg,
                      size_t msglen);
#endif
