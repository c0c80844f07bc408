/* Store-independent helpers of the store plugins: see st_common.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "st_common.h"

int64_t st_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool st_id_ok(const char *s)
{
	return s && s[0] && strnlen(s, ST_MAX_ID + 1) <= ST_MAX_ID;
}

bool st_text_ok(const char *s, size_t max)
{
	return s && strnlen(s, max + 1) <= max;
}

char *st_lower(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

bool st_submission_ok(const struct ac_submission *sub, size_t max_code)
{
	return sub && st_id_ok(sub->id) && st_id_ok(sub->problem_id) &&
	       st_id_ok(sub->lang) &&
	       (!sub->user_id || st_id_ok(sub->user_id)) &&
	       (!sub->problem_hash || st_id_ok(sub->problem_hash)) &&
	       (sub->code || !sub->code_len) && sub->code_len <= max_code;
}

bool st_user_ok(const struct ac_user *u)
{
	return u && st_id_ok(u->id) && st_id_ok(u->username) &&
	       st_id_ok(u->email) && st_text_ok(u->password_hash, 1024) &&
	       (!u->first_name || st_text_ok(u->first_name, 1024)) &&
	       (!u->last_name || st_text_ok(u->last_name, 1024));
}

bool st_rate_ok(const char *key, double burst, double per_sec)
{
	return st_id_ok(key) && isfinite(burst) && burst >= 1 && burst <= 1e9 &&
	       isfinite(per_sec) && per_sec > 0 && per_sec <= 1e9;
}

int st_bucket_step(double *tokens, int64_t *updated, double burst,
                   double per_sec, int64_t now_ms, int64_t *retry)
{
	double wait;
	int64_t ms;

	if (!isfinite(*tokens) || *tokens < 0)
		*tokens = 0;
	if (now_ms > *updated) {
		*tokens += (double)(now_ms - *updated) * per_sec / 1000.0;
		*updated = now_ms;
	}
	if (*tokens > burst)
		*tokens = burst;
	if (*tokens >= 1) {
		*tokens -= 1;
		return 0;
	}
	/* ceil() by hand: the sqlite plugin does not link libm. */
	wait = (1 - *tokens) / per_sec * 1000.0;
	ms = wait > 4e15 ? (int64_t)4e15 : (int64_t)wait;
	if ((double)ms < wait)
		ms++;
	*retry = ms < 1 ? 1 : ms;
	return -EAGAIN;
}

int st_pending_code(struct ac_pending *p, const void *code, size_t len)
{
	p->code = malloc(len + 1);
	if (!p->code)
		return -ENOMEM;
	if (len)
		memcpy(p->code, code, len);
	p->code[len] = '\0';
	p->code_len = len;
	return 0;
}

int st_pending_done(struct ac_pending *p, int ret)
{
	if (ret == 0 && (!p->id || !p->problem_id || !p->lang))
		ret = -EIO;
	if (ret < 0)
		st_pending_clear(p);
	return ret;
}

int st_result_begin(const char *id, char **result_json, char **owner)
{
	st_result_give(NULL, NULL, result_json, owner);
	return st_id_ok(id) ? 0 : -ENOENT;
}

int st_result_give(char *json, char *user, char **result_json, char **owner)
{
	*result_json = json;
	if (owner)
		*owner = user;
	else
		free(user);
	return 0;
}

void st_user_strings(struct ac_user *u, char **v[ST_USER_STRINGS])
{
	char **const m[ST_USER_STRINGS] = {&u->id,         &u->username,
	                                   &u->email,      &u->password_hash,
	                                   &u->first_name, &u->last_name};

	memcpy(v, m, sizeof(m));
}

void st_pending_strings(struct ac_pending *p, char **v[ST_PENDING_STRINGS])
{
	char **const m[ST_PENDING_STRINGS] = {&p->id, &p->problem_id,
	                                      &p->problem_hash, &p->lang,
	                                      &p->user_id};

	memcpy(v, m, sizeof(m));
}

int st_user_email(const struct ac_user *u, char **email)
{
	*email = NULL;
	if (!st_user_ok(u))
		return -EINVAL;
	*email = st_lower(u->email);
	return *email ? 0 : -ENOMEM;
}

char *st_user_key(enum ac_user_key by, const char *key)
{
	return by == AC_USER_BY_EMAIL ? st_lower(key) : strdup(key);
}

void st_pending_clear(struct ac_pending *p)
{
	char **v[ST_PENDING_STRINGS];

	st_pending_strings(p, v);
	for (size_t i = 0; i < ST_PENDING_STRINGS; i++)
		free(*v[i]);
	free(p->code);
	memset(p, 0, sizeof(*p));
}

void st_user_clear(struct ac_user *u)
{
	char **v[ST_USER_STRINGS];

	st_user_strings(u, v);
	for (size_t i = 0; i < ST_USER_STRINGS; i++)
		free(*v[i]);
	memset(u, 0, sizeof(*u));
}

void st_rows_free(struct ac_submission_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].id);
		free(rows[i].problem_id);
		free(rows[i].lang);
		free(rows[i].result_json);
	}
	free(rows);
}

int st_pending_alloc(size_t *max, struct ac_pending **v,
                     struct ac_pending **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	*v = NULL;
	if (*max == 0)
		return 0;
	if (*max > ST_MAX_CLAIM)
		*max = ST_MAX_CLAIM;
	*v = calloc(*max, sizeof(**v));
	return *v ? 0 : -ENOMEM;
}

int st_pending_finish(int ret, struct ac_pending *v, size_t count,
                      struct ac_pending **out, size_t *n)
{
	if (ret < 0 || count == 0) {
		for (size_t i = 0; i < count; i++)
			st_pending_clear(&v[i]);
		free(v);
		return ret;
	}
	*out = v;
	*n = count;
	return 0;
}
