/* The default output validator, with the semantics of the ICPC/Kattis
 * default validator (problemtools default_validator.cc):
 *
 * - the judge answer and the team output are sequences of tokens separated
 *   by whitespace (the six C-locale isspace() bytes: space \t \n \v \f \r);
 *   every other byte, NUL included, is token content;
 * - tokens compare byte for byte, ASCII case-insensitively unless
 *   case_sensitive;
 * - with space_change_sensitive, every whitespace run must also match byte
 *   for byte, the leading and trailing ones included (a missing or extra
 *   final newline is wrong, as in Kattis);
 * - with a float tolerance, a judge token that is a finite number (strtod
 *   consumes all of it) matches a team token that is also a finite number
 *   and within the absolute or the relative tolerance; other judge tokens
 *   still compare as strings;
 * - extra or missing team tokens are wrong.
 *
 * Files are mapped read-only (no copy, bounded by the file size) and then
 * compared as buffers.
 */
#include "validator.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest token considered as a number; longer ones compare as strings. */
#define VAL_NUM_MAX 1024
/* Bytes of a token quoted in a message. */
#define VAL_QUOTE_MAX 40
/* Largest file ac_validate_files maps (outputs are capped far below). */
#define VAL_FILE_MAX ((off_t)1 << 32)

/* A position in one of the two texts. */
struct val_cur {
	const unsigned char *p;
	size_t len;
	size_t pos;
	unsigned long line;  /* 1-based line of pos */
	unsigned long token; /* tokens started on this line so far */
};

static int val_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

static unsigned char val_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static void val_advance(struct val_cur *c)
{
	if (c->p[c->pos] == '\n') {
		c->line++;
		c->token = 0;
	}
	c->pos++;
}

static void val_skip_space(struct val_cur *c)
{
	while (c->pos < c->len && val_space(c->p[c->pos]))
		val_advance(c);
}

/* The token starting at c->pos (not whitespace); advances past it. */
static void val_token(struct val_cur *c, const unsigned char **tok,
                      size_t *toklen)
{
	size_t start = c->pos;

	while (c->pos < c->len && !val_space(c->p[c->pos]))
		c->pos++;
	c->token++;
	*tok = c->p + start;
	*toklen = c->pos - start;
}

/* Quote bytes for a message: printable ASCII as is, the rest escaped,
 * at most VAL_QUOTE_MAX input bytes then "...". */
static void val_quote(char *dst, size_t dstlen, const unsigned char *s,
                      size_t n)
{
	size_t o = 0, i;

	if (dstlen == 0)
		return;
	for (i = 0; i < n && i < VAL_QUOTE_MAX; i++) {
		char esc[8];
		unsigned char ch = s[i];
		size_t el;

		if (ch == '\n')
			strcpy(esc, "\\n");
		else if (ch == '\t')
			strcpy(esc, "\\t");
		else if (ch == '\r')
			strcpy(esc, "\\r");
		else if (ch == '\0')
			strcpy(esc, "\\0");
		else if (ch == '"' || ch == '\\')
			snprintf(esc, sizeof(esc), "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", ch);
		else
			snprintf(esc, sizeof(esc), "%c", ch);
		el = strlen(esc);
		if (o + el + 1 > dstlen)
			break;
		memcpy(dst + o, esc, el);
		o += el;
	}
	if (i < n && o + 4 <= dstlen) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

/* A finite number filling the whole token.  NaN, infinities and overflow
 * are not numbers here; they compare as strings. */
static int val_number(const unsigned char *tok, size_t n, double *out)
{
	char buf[VAL_NUM_MAX + 1];
	char *end;
	double v;

	if (n == 0 || n > VAL_NUM_MAX || memchr(tok, '\0', n))
		return 0;
	memcpy(buf, tok, n);
	buf[n] = '\0';
	v = strtod(buf, &end);
	/* Overflow gives HUGE_VAL (not finite); underflow to ~0 is fine. */
	if (end != buf + n || !isfinite(v))
		return 0;
	*out = v;
	return 1;
}

static int val_same(const unsigned char *a, size_t alen, const unsigned char *b,
                    size_t blen, bool case_sensitive)
{
	size_t i;

	if (alen != blen)
		return 0;
	if (case_sensitive)
		return memcmp(a, b, alen) == 0;
	for (i = 0; i < alen; i++)
		if (val_lower(a[i]) != val_lower(b[i]))
			return 0;
	return 1;
}

static int val_float_ok(double j, double t, const struct ac_validator_flags *f)
{
	double d = fabs(j - t);

	if (f->has_float_abs && d <= f->float_abs)
		return 1;
	if (f->has_float_rel && d <= f->float_rel * fabs(j))
		return 1;
	return 0;
}

/* Compare one judge token with one team token; 1 when they match. */
static int val_compare(const unsigned char *jt, size_t jn,
                       const unsigned char *tt, size_t tn,
                       const struct ac_validator_flags *f, const char *where,
                       char *msg, size_t msglen)
{
	char jq[VAL_QUOTE_MAX * 4 + 8], tq[VAL_QUOTE_MAX * 4 + 8];
	double jv, tv;

	if ((f->has_float_abs || f->has_float_rel) && val_number(jt, jn, &jv)) {
		if (val_number(tt, tn, &tv) && val_float_ok(jv, tv, f))
			return 1;
		val_quote(jq, sizeof(jq), jt, jn);
		val_quote(tq, sizeof(tq), tt, tn);
		if (!val_number(tt, tn, &tv))
			ac_seterr(msg, msglen,
			          "%s: expected a number close to \"%s\", "
			          "got \"%s\"",
			          where, jq, tq);
		else
			ac_seterr(msg, msglen,
			          "%s: expected \"%s\", got \"%s\" "
			          "(difference %g is over the tolerance)",
			          where, jq, tq, fabs(jv - tv));
		return 0;
	}
	if (val_same(jt, jn, tt, tn, f->case_sensitive))
		return 1;
	val_quote(jq, sizeof(jq), jt, jn);
	val_quote(tq, sizeof(tq), tt, tn);
	ac_seterr(msg, msglen, "%s: expected \"%s\", got \"%s\"", where, jq,
	          tq);
	return 0;
}

/* space_change_sensitive: the whitespace run at both cursors must be the
 * same bytes.  Returns 1 when it is, 0 (with msg) otherwise. */
static int val_strict_space(struct val_cur *j, struct val_cur *t, char *msg,
                            size_t msglen)
{
	char jq[16], tq[VAL_QUOTE_MAX * 4 + 8];

	while (j->pos < j->len && val_space(j->p[j->pos])) {
		unsigned char jc = j->p[j->pos];

		val_quote(jq, sizeof(jq), &jc, 1);
		if (t->pos >= t->len) {
			ac_seterr(msg, msglen,
			          "team output ended early: expected "
			          "whitespace \"%s\" at line %lu",
			          jq, t->line);
			return 0;
		}
		if (t->p[t->pos] != jc) {
			val_quote(tq, sizeof(tq), t->p + t->pos, 1);
			ac_seterr(msg, msglen,
			          "line %lu, after token %lu: whitespace "
			          "differs: expected \"%s\", got \"%s\"",
			          t->line, t->token, jq, tq);
			return 0;
		}
		val_advance(j);
		val_advance(t);
	}
	if (t->pos < t->len && val_space(t->p[t->pos])) {
		val_quote(tq, sizeof(tq), t->p + t->pos, 1);
		if (j->pos >= j->len)
			ac_seterr(msg, msglen,
			          "team output has extra whitespace \"%s\" "
			          "after line %lu",
			          tq, t->line);
		else
			ac_seterr(msg, msglen,
			          "line %lu, after token %lu: whitespace "
			          "differs: expected none, got \"%s\"",
			          t->line, t->token, tq);
		return 0;
	}
	return 1;
}

int ac_validate_buf(const char *ans, size_t anslen, const char *out,
                    size_t outlen, const struct ac_validator_flags *f,
                    char *msg, size_t msglen)
{
	static const struct ac_validator_flags defaults;
	struct val_cur j = {(const unsigned char *)ans, anslen, 0, 1, 0};
	struct val_cur t = {(const unsigned char *)out, outlen, 0, 1, 0};
	unsigned long last_line = 0;
	char where[64], q[VAL_QUOTE_MAX * 4 + 8];

	if (!f)
		f = &defaults;
	if ((!ans && anslen) || (!out && outlen))
		return -EINVAL;
	ac_seterr(msg, msglen, "%s", "");
	for (;;) {
		const unsigned char *jt, *tt;
		size_t jn, tn;

		if (f->space_change_sensitive) {
			if (!val_strict_space(&j, &t, msg, msglen))
				return 0;
		} else {
			val_skip_space(&j);
			val_skip_space(&t);
		}
		if (j.pos >= j.len)
			break;
		val_token(&j, &jt, &jn);
		if (t.pos >= t.len) {
			val_quote(q, sizeof(q), jt, jn);
			ac_seterr(msg, msglen,
			          "team output ended early: expected \"%s\" "
			          "(answer line %lu)",
			          q, j.line);
			return 0;
		}
		val_token(&t, &tt, &tn);
		snprintf(where, sizeof(where), "line %lu, token %lu", t.line,
		         t.token);
		if (!val_compare(jt, jn, tt, tn, f, where, msg, msglen))
			return 0;
		last_line = t.line;
	}
	if (t.pos < t.len) {
		const unsigned char *tt;
		size_t tn;

		val_token(&t, &tt, &tn);
		val_quote(q, sizeof(q), tt, tn);
		if (last_line)
			ac_seterr(msg, msglen,
			          "team output has extra tokens after line "
			          "%lu: \"%s\"",
			          last_line, q);
		else
			ac_seterr(msg, msglen,
			          "team output has extra tokens: \"%s\" (the "
			          "answer is empty)",
			          q);
		return 0;
	}
	return 1;
}

/* Map a regular file read-only.  *map is NULL for an empty file. */
static int val_map(const char *path, int flags, void **map, size_t *len,
                   char *msg, size_t msglen)
{
	struct stat st;
	void *m = NULL;
	int fd, ret = 0;

	*map = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | flags);
	if (fd < 0) {
		ret = -errno;
		ac_seterr(msg, msglen, "cannot open %s: %s", path,
		          strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		ac_seterr(msg, msglen, "cannot stat %s: %s", path,
		          strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		ac_seterr(msg, msglen, "%s is not a regular file", path);
		goto out;
	}
	if (st.st_size > VAL_FILE_MAX) {
		ret = -EFBIG;
		ac_seterr(msg, msglen, "%s is too large (%lld bytes)", path,
		          (long long)st.st_size);
		goto out;
	}
	if (st.st_size > 0) {
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
		         0);
		if (m == MAP_FAILED) {
			ret = -errno;
			ac_seterr(msg, msglen, "cannot map %s: %s", path,
			          strerror(errno));
			goto out;
		}
		(void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
		*map = m;
		*len = (size_t)st.st_size;
	}
out:
	close(fd);
	return ret;
}

int ac_validate_files(const char *ans_path, const char *out_path,
                      const struct ac_validator_flags *f, char *msg,
                      size_t msglen)
{
	void *a = NULL, *o = NULL;
	size_t alen = 0, olen = 0;
	int ret;

	if (!ans_path || !out_path)
		return -EINVAL;
	ret = val_map(ans_path, 0, &a, &alen, msg, msglen);
	if (ret < 0)
		goto out;
	/* The team output lives in a directory the submission could write:
	 * never follow a symlink it may have planted there. */
	ret = val_map(out_path, O_NOFOLLOW, &o, &olen, msg, msglen);
	if (ret < 0)
		goto out;
	ret = ac_validate_buf(a ? a : "", alen, o ? o : "", olen, f, msg,
	                      msglen);
out:
	if (a)
		munmap(a, alen);
	if (o)
		munmap(o, olen);
	return ret;
}

static int val_parse_tol(const char *name, const char *num, double *out,
                         char *err, size_t errlen)
{
	char *end;
	double v;

	if (!num) {
		ac_seterr(err, errlen, "validator flag %s needs a number",
		          name);
		return -EINVAL;
	}
	errno = 0;
	v = strtod(num, &end);
	if (end == num || *end != '\0' || errno == ERANGE || !isfinite(v) ||
	    v < 0) {
		ac_seterr(err, errlen,
		          "validator flag %s: \"%s\" is not a non-negative "
		          "number",
		          name, num);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int ac_validator_flags_parse(const char *flags, struct ac_validator_flags *out,
                             char *err, size_t errlen)
{
	struct ac_validator_flags f = {0};
	char *copy = NULL, *save = NULL, *w;
	int ret = 0;

	ac_seterr(err, errlen, "%s", "");
	if (!out)
		return -EINVAL;
	if (!flags) {
		*out = f;
		return 0;
	}
	copy = strdup(flags);
	if (!copy)
		return -ENOMEM;
	for (w = strtok_r(copy, " \t\r\n", &save); w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		double v;

		if (strcmp(w, "case_sensitive") == 0) {
			f.case_sensitive = true;
		} else if (strcmp(w, "space_change_sensitive") == 0) {
			f.space_change_sensitive = true;
		} else if (strcmp(w, "float_tolerance") == 0 ||
		           strcmp(w, "float_absolute_tolerance") == 0 ||
		           strcmp(w, "float_relative_tolerance") == 0) {
			ret = val_parse_tol(w, strtok_r(NULL, " \t\r\n", &save),
			                    &v, err, errlen);
			if (ret < 0)
				goto out;
			if (w[6] != 'r') { /* float_tolerance or absolute */
				f.has_float_abs = true;
				f.float_abs = v;
			}
			if (w[6] != 'a') { /* float_tolerance or relative */
				f.has_float_rel = true;
				f.float_rel = v;
			}
		} else {
			ac_seterr(err, errlen, "unknown validator flag \"%s\"",
			          w);
			ret = -EINVAL;
			goto out;
		}
	}
	*out = f;
out:
	free(copy);
	return ret;
}
