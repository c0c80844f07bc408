/* Configuration: libconfig file + sorted include directory + overrides.
 *
 * libconfig 1.5 has no include hook and no merge, so fragments are read
 * into their own config_t and merged into the main tree setting by setting.
 * Merged settings lose libconfig's own file/line information, so the origin
 * of each setting ("file:line" or "-o path=value") is kept in a side table
 * that error messages use. */
#include "config.h"

#include "log.h"
#include "util.h"

#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct cfg_origin {
	char *path;   /* dotted setting path */
	char *origin; /* "file:line" or "-o a.b=c" */
};

struct ac_config {
	config_t cfg;
	char *main_file;
	struct cfg_origin *origins;
	size_t norigins;
};

static int cfg_set_origin(struct ac_config *c, const char *path,
                          const char *origin)
{
	struct cfg_origin *o;

	for (size_t i = 0; i < c->norigins; i++) {
		if (strcmp(c->origins[i].path, path) == 0) {
			char *dup = strdup(origin);
			if (!dup)
				return -ENOMEM;
			free(c->origins[i].origin);
			c->origins[i].origin = dup;
			return 0;
		}
	}
	o = realloc(c->origins, (c->norigins + 1) * sizeof(*o));
	if (!o)
		return -ENOMEM;
	c->origins = o;
	o[c->norigins].path = strdup(path);
	o[c->norigins].origin = strdup(origin);
	if (!o[c->norigins].path || !o[c->norigins].origin) {
		free(o[c->norigins].path);
		free(o[c->norigins].origin);
		return -ENOMEM;
	}
	c->norigins++;
	return 0;
}

/* Dotted path of a setting ("api.listen"; array elements are "a.[2]"). */
static void cfg_path_of(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *chain[32];
	size_t n = 0, off = 0;

	for (; s && config_setting_parent(s) && n < 32;
	     s = config_setting_parent(s))
		chain[n++] = s;
	buf[0] = '\0';
	while (n-- > 0) {
		const char *name = config_setting_name(chain[n]);
		int w;
		if (name)
			w = snprintf(buf + off, len - off, "%s%s",
			             off ? "." : "", name);
		else
			w = snprintf(buf + off, len - off, "%s[%d]",
			             off ? "." : "",
			             config_setting_index(chain[n]));
		if (w < 0 || (size_t)w >= len - off)
			return;
		off += (size_t)w;
	}
}

/* Where a setting came from: the side table, else libconfig's own info. */
static void cfg_origin_of(const struct ac_config *c, const config_setting_t *s,
                          char *buf, size_t len)
{
	char path[512];
	const char *file;

	cfg_path_of(s, path, sizeof(path));
	for (size_t i = 0; i < c->norigins; i++) {
		if (strcmp(c->origins[i].path, path) == 0) {
			snprintf(buf, len, "%s", c->origins[i].origin);
			return;
		}
	}
	/* A group an override created has no line: the override's origin. */
	if (config_setting_source_line(s) == 0) {
		size_t n = strlen(path);

		for (size_t i = 0; i < c->norigins; i++) {
			if (strncmp(c->origins[i].path, path, n) == 0 &&
			    c->origins[i].path[n] == '.') {
				snprintf(buf, len, "%s", c->origins[i].origin);
				return;
			}
		}
	}
	file = config_setting_source_file(s);
	snprintf(buf, len, "%s:%u", file ? file : c->main_file,
	         config_setting_source_line(s));
}

static int cfg_copy_value(config_setting_t *dst, const config_setting_t *src);

/* Append a copy of src (named `name`, or unnamed in lists) to parent. */
static int cfg_add_copy(config_setting_t *parent, const char *name,
                        const config_setting_t *src)
{
	config_setting_t *n =
	        config_setting_add(parent, name, config_setting_type(src));
	if (!n)
		return -EINVAL;
	return cfg_copy_value(n, src);
}

static int cfg_copy_value(config_setting_t *dst, const config_setting_t *src)
{
	int r = 0;

	switch (config_setting_type(src)) {
	case CONFIG_TYPE_INT:
		config_setting_set_int(dst, config_setting_get_int(src));
		break;
	case CONFIG_TYPE_INT64:
		config_setting_set_int64(dst, config_setting_get_int64(src));
		break;
	case CONFIG_TYPE_FLOAT:
		config_setting_set_float(dst, config_setting_get_float(src));
		break;
	case CONFIG_TYPE_BOOL:
		config_setting_set_bool(dst, config_setting_get_bool(src));
		break;
	case CONFIG_TYPE_STRING:
		config_setting_set_string(dst, config_setting_get_string(src));
		break;
	case CONFIG_TYPE_GROUP:
	case CONFIG_TYPE_ARRAY:
	case CONFIG_TYPE_LIST:
		for (int i = 0; i < config_setting_length(src) && r == 0; i++) {
			const config_setting_t *e =
			        config_setting_get_elem(src, i);
			r = cfg_add_copy(dst,
			                 config_setting_type(src) ==
			                                 CONFIG_TYPE_GROUP
			                         ? config_setting_name(e)
			                         : NULL,
			                 e);
		}
		break;
	default:
		break;
	}
	return r;
}

/* Record the origin of dst and everything below it, copied from src. */
static int cfg_record(struct ac_config *c, const config_setting_t *dst,
                      const config_setting_t *src, const char *origin_file)
{
	char path[512], origin[600];
	int r;

	cfg_path_of(dst, path, sizeof(path));
	snprintf(origin, sizeof(origin), "%s:%u", origin_file,
	         config_setting_source_line(src));
	r = cfg_set_origin(c, path, origin);
	if (r < 0 || !config_setting_is_group(src))
		return r;
	for (int i = 0; i < config_setting_length(src) && r == 0; i++) {
		const config_setting_t *e = config_setting_get_elem(src, i);
		r = cfg_record(
		        c,
		        config_setting_get_member(dst, config_setting_name(e)),
		        e, origin_file);
	}
	return r;
}

/* Merge every setting of src (a group) into dst (a group); `origin_file`
 * names the fragment for the side table. */
static int cfg_merge(struct ac_config *c, config_setting_t *dst,
                     const config_setting_t *src, const char *origin_file)
{
	for (int i = 0; i < config_setting_length(src); i++) {
		const config_setting_t *e = config_setting_get_elem(src, i);
		const char *name = config_setting_name(e);
		config_setting_t *cur = config_setting_get_member(dst, name);
		int r;

		if (cur && config_setting_is_group(cur) &&
		    config_setting_is_group(e)) {
			r = cfg_merge(c, cur, e, origin_file);
			if (r < 0)
				return r;
			continue;
		}
		if (cur && config_setting_remove(dst, name) != CONFIG_TRUE)
			return -EINVAL;
		r = cfg_add_copy(dst, name, e);
		if (r < 0)
			return r;
		r = cfg_record(c, config_setting_get_member(dst, name), e,
		               origin_file);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool cfg_is_conf(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

/* Read the *.conf files of dir in sorted order and merge them. */
/* libconfig 1.5 reads an integer literal without an L suffix through a
 * 32-bit int: 5000000000 becomes 705032704, 4294967298 becomes 2, and a
 * range check cannot tell.  So every such literal of a file is checked
 * here, in the text, after libconfig has parsed it: one beyond 32 bits is
 * an error at its line (with L it is a 64-bit integer, read right).
 * Strings, comments and names are skipped; floats are not integers. */
static int cfg_scan_ints(const char *file, const char *t, char *err,
                         size_t errlen)
{
	int line = 1;

	for (const char *p = t; *p;) {
		const char *q;
		long long v;
		bool hex, neg = false;

		if (*p == '\n') {
			line++;
			p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
				line += *p == '\n';
			p += *p ? 2 : 0;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				line += *p == '\n';
			}
			p += *p ? 1 : 0;
		} else if ((*p >= 'a' && *p <= 'z') ||
		           (*p >= 'A' && *p <= 'Z') || *p == '*' || *p == '_' ||
		           *p == '@') {
			while ((*p >= 'a' && *p <= 'z') ||
			       (*p >= 'A' && *p <= 'Z') ||
			       (*p >= '0' && *p <= '9') || *p == '*' ||
			       *p == '_' || *p == '-' || *p == '@')
				p++;
		} else if ((*p >= '0' && *p <= '9') ||
		           ((*p == '-' || *p == '+') && p[1] >= '0' &&
		            p[1] <= '9')) {
			const char *start = p;

			neg = *p == '-';
			p += *p == '-' || *p == '+';
			hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
			q = p + (hex ? 2 : 0);
			v = 0;
			bool big = false;
			for (;; q++) {
				int d;

				if (*q >= '0' && *q <= '9')
					d = *q - '0';
				else if (hex && *q >= 'a' && *q <= 'f')
					d = *q - 'a' + 10;
				else if (hex && *q >= 'A' && *q <= 'F')
					d = *q - 'A' + 10;
				else
					break;
				if (v > (INT64_MAX - d) / (hex ? 16 : 10))
					big = true;
				else
					v = v * (hex ? 16 : 10) + d;
			}
			p = q;
			if (*p == 'L') { /* a 64-bit integer: read right */
				while (*p == 'L')
					p++;
				continue;
			}
			if (!hex && (*p == '.' || *p == 'e' || *p == 'E')) {
				/* a float: the rest of it */
				while ((*p >= '0' && *p <= '9') || *p == '.' ||
				       *p == 'e' || *p == 'E' ||
				       ((*p == '-' || *p == '+') &&
				        (p[-1] == 'e' || p[-1] == 'E')))
					p++;
				continue;
			}
			if (big || (neg ? -v < INT32_MIN : v > INT32_MAX)) {
				int len = (int)(p - start);

				snprintf(err, errlen,
				         "%s:%d: the integer %.*s does not fit "
				         "in 32 bits: write %.*sL for a 64-bit "
				         "integer",
				         file, line, len > 40 ? 40 : len, start,
				         len > 40 ? 40 : len, start);
				return -EINVAL;
			}
		} else {
			p++;
		}
	}
	return 0;
}

/* A whole file's text (malloc'ed, at most 16 MiB), or NULL with errno. */
static char *cfg_read_text(const char *path)
{
	FILE *f = fopen(path, "re");
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	if (!f || !buf) {
		int e = errno;

		if (f)
			fclose(f);
		free(buf);
		errno = e;
		return NULL;
	}
	for (;;) {
		size_t n = fread(buf + len, 1, cap - len - 1, f);

		len += n;
		if (n == 0)
			break;
		if (len + 1 == cap) {
			char *nb = cap >= (16u << 20) ? NULL
			                              : realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				fclose(f);
				errno = EFBIG;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* config_read_file, then its integers checked (cfg_scan_ints); the error
 * (FILE:LINE: ...) in err. */
static int cfg_read_file(config_t *cfg, const char *path, char *err,
                         size_t errlen)
{
	char *text;
	int r;

	if (config_read_file(cfg, path) != CONFIG_TRUE) {
		const char *file = config_error_file(cfg);

		if (config_error_type(cfg) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s: cannot read: %s", path,
			         strerror(errno ? errno : ENOENT));
		else
			snprintf(err, errlen, "%s:%d: %s", file ? file : path,
			         config_error_line(cfg),
			         config_error_text(cfg));
		return -EINVAL;
	}
	if (!(text = cfg_read_text(path))) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
		         strerror(errno));
		return -EINVAL;
	}
	r = cfg_scan_ints(path, text, err, errlen);
	free(text);
	return r;
}

static int cfg_include_dir(struct ac_config *c, const char *dir, char *err,
                           size_t errlen)
{
	char **names = NULL;
	size_t n = 0;
	int r = ac_list_dir(dir, cfg_is_conf, &names, &n);

	if (r == -ENOENT)
		return 0; /* a missing include directory is fine */
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		char path[4096];
		config_t frag;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		config_init(&frag);
		if ((r = cfg_read_file(&frag, path, err, errlen)) == 0) {
			r = cfg_merge(c, config_root_setting(&c->cfg),
			              config_root_setting(&frag), path);
			if (r < 0)
				snprintf(err, errlen, "%s: cannot merge: %s",
				         path, strerror(-r));
		}
		config_destroy(&frag);
	}
	ac_names_free(names);
	return r;
}

/* Valid path characters: [A-Za-z0-9_-] separated by dots. */
static int cfg_valid_path(const char *p, size_t len)
{
	if (len == 0 || p[0] == '.' || p[len - 1] == '.')
		return 0;
	for (size_t i = 0; i < len; i++) {
		char ch = p[i];
		if (!(ch == '.' || ch == '_' || ch == '-' ||
		      (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9')))
			return 0;
		if (ch == '.' && p[i + 1] == '.')
			return 0;
	}
	return !(p[0] >= '0' && p[0] <= '9');
}

/* A decimal or 0x hexadecimal integer, optionally signed (no L suffix:
 * libconfig reads that one right). */
static bool cfg_is_integer(const char *v)
{
	if (*v == '-' || *v == '+')
		v++;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		v += 2;
		if (!*v)
			return false;
		for (; *v; v++)
			if (!((*v >= '0' && *v <= '9') ||
			      (*v >= 'a' && *v <= 'f') ||
			      (*v >= 'A' && *v <= 'F')))
				return false;
		return true;
	}
	if (!*v)
		return false;
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return false;
	return true;
}

/* Apply one "a.b.c=value" override. */
static int cfg_override(struct ac_config *c, const char *ov, char *err,
                        size_t errlen)
{
	const char *eq = strchr(ov, '=');
	config_t tmp;
	config_setting_t *parent, *value;
	char path[512], *seg, *save = NULL, *last;
	char origin[600];
	size_t plen;
	int r = 0;

	if (!eq || !cfg_valid_path(ov, (size_t)(eq - ov))) {
		snprintf(err, errlen,
		         "-o %s: expected path=value with a dotted path "
		         "(e.g. -o transport.plugin=nats)",
		         ov);
		return -EINVAL;
	}
	plen = (size_t)(eq - ov);
	if (plen >= sizeof(path)) {
		snprintf(err, errlen, "-o %s: path too long", ov);
		return -EINVAL;
	}
	memcpy(path, ov, plen);
	path[plen] = '\0';

	/* An integer exactly (libconfig 1.5 wraps one beyond 32 bits
	 * silently), else a libconfig value when it parses as one, else a
	 * bare string. */
	config_init(&tmp);
	if (cfg_is_integer(eq + 1)) {
		long long n;
		char *end;

		errno = 0;
		n = strtoll(eq + 1, &end, strpbrk(eq + 1, "xX") ? 16 : 10);
		if (errno || *end) {
			snprintf(err, errlen,
			         "-o %s: the integer is out of range (a 64-bit "
			         "integer)",
			         ov);
			config_destroy(&tmp);
			return -EINVAL;
		}
		if (n >= INT32_MIN && n <= INT32_MAX)
			config_setting_set_int(
			        config_setting_add(config_root_setting(&tmp),
			                           "v", CONFIG_TYPE_INT),
			        (int)n);
		else
			config_setting_set_int64(
			        config_setting_add(config_root_setting(&tmp),
			                           "v", CONFIG_TYPE_INT64),
			        n);
	} else {
		size_t vl = strlen(eq + 1);
		char *text = malloc(vl + 16);
		if (!text) {
			config_destroy(&tmp);
			return -ENOMEM;
		}
		snprintf(text, vl + 16, "v = %s;", eq + 1);
		if (vl == 0 || config_read_string(&tmp, text) != CONFIG_TRUE ||
		    !config_lookup(&tmp, "v")) {
			config_destroy(&tmp);
			config_init(&tmp);
			config_setting_set_string(
			        config_setting_add(config_root_setting(&tmp),
			                           "v", CONFIG_TYPE_STRING),
			        eq + 1);
		}
		free(text);
	}
	value = config_lookup(&tmp, "v");

	parent = config_root_setting(&c->cfg);
	last = strrchr(path, '.');
	if (last) {
		*last = '\0';
		for (seg = strtok_r(path, ".", &save); seg;
		     seg = strtok_r(NULL, ".", &save)) {
			config_setting_t *g =
			        config_setting_get_member(parent, seg);
			if (g && !config_setting_is_group(g)) {
				config_setting_remove(parent, seg);
				g = NULL;
			}
			if (!g)
				g = config_setting_add(parent, seg,
				                       CONFIG_TYPE_GROUP);
			if (!g) {
				r = -EINVAL;
				goto out;
			}
			parent = g;
		}
		last++;
		/* restore the full path for the origin table */
		memcpy(path, ov, plen);
	} else {
		last = path;
	}
	if (config_setting_get_member(parent, last))
		config_setting_remove(parent, last);
	r = cfg_add_copy(parent, last, value);
	if (r < 0)
		goto out;
	path[plen] = '\0';
	snprintf(origin, sizeof(origin), "-o %s", ov);
	r = cfg_set_origin(c, path, origin);
out:
	if (r < 0 && !err[0])
		snprintf(err, errlen, "-o %s: cannot apply override", ov);
	config_destroy(&tmp);
	return r;
}

int ac_config_override(struct ac_config *c, const char *ov, char *err,
                       size_t errlen)
{
	return cfg_override(c, ov, err, errlen);
}

static int cfg_finish_load(struct ac_config *c, const char *base_dir,
                           const char *const *overrides, size_t noverrides,
                           char *err, size_t errlen)
{
	const char *inc = NULL;
	int r;

	if (config_lookup_string(&c->cfg, "include_dir", &inc) == CONFIG_TRUE &&
	    inc[0]) {
		char dir[4096];
		if (inc[0] == '/' || !base_dir)
			snprintf(dir, sizeof(dir), "%s", inc);
		else
			snprintf(dir, sizeof(dir), "%s/%s", base_dir, inc);
		r = cfg_include_dir(c, dir, err, errlen);
		if (r < 0)
			return r;
	} else if (config_lookup(&c->cfg, "include_dir") &&
	           !config_lookup_string(&c->cfg, "include_dir", &inc)) {
		char where[600];
		cfg_origin_of(c, config_lookup(&c->cfg, "include_dir"), where,
		              sizeof(where));
		snprintf(err, errlen, "%s: include_dir must be a string",
		         where);
		return -EINVAL;
	}
	for (size_t i = 0; i < noverrides; i++) {
		r = cfg_override(c, overrides[i], err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

static struct ac_config *cfg_new(const char *name)
{
	struct ac_config *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	config_init(&c->cfg);
	c->main_file = strdup(name);
	if (!c->main_file) {
		config_destroy(&c->cfg);
		free(c);
		return NULL;
	}
	return c;
}

/* Load the file `name`, or (text not NULL) text under that name. */
static int cfg_load(const char *name, const char *text,
                    const char *const *overrides, size_t noverrides,
                    struct ac_config **out, char *err, size_t errlen)
{
	struct ac_config *c;
	char *copy = NULL;
	int r;

	err[0] = '\0';
	c = cfg_new(name);
	if (!c)
		return -ENOMEM;
	if (!text) {
		if ((r = cfg_read_file(&c->cfg, name, err, errlen)) < 0)
			goto out;
	} else if (config_read_string(&c->cfg, text) != CONFIG_TRUE) {
		snprintf(err, errlen, "%s:%d: %s", name,
		         config_error_line(&c->cfg),
		         config_error_text(&c->cfg));
		r = -EINVAL;
		goto out;
	} else if ((r = cfg_scan_ints(name, text, err, errlen)) < 0) {
		goto out;
	}
	/* A file's includes are relative to its directory. */
	if (!text && !(copy = strdup(name))) {
		r = -ENOMEM;
		goto out;
	}
	r = cfg_finish_load(c, copy ? dirname(copy) : NULL, overrides,
	                    noverrides, err, errlen);
out:
	free(copy);
	if (r < 0) {
		ac_config_free(c);
		return r;
	}
	*out = c;
	return 0;
}

int ac_config_load(const char *path, const char *const *overrides,
                   size_t noverrides, struct ac_config **out, char *err,
                   size_t errlen)
{
	return cfg_load(path, NULL, overrides, noverrides, out, err, errlen);
}

int ac_config_load_string(const char *name, const char *text,
                          const char *const *overrides, size_t noverrides,
                          struct ac_config **out, char *err, size_t errlen)
{
	return cfg_load(name, text, overrides, noverrides, out, err, errlen);
}

void ac_config_free(struct ac_config *c)
{
	if (!c)
		return;
	config_destroy(&c->cfg);
	for (size_t i = 0; i < c->norigins; i++) {
		free(c->origins[i].path);
		free(c->origins[i].origin);
	}
	free(c->origins);
	free(c->main_file);
	free(c);
}

const char *ac_config_type_name(int t)
{
	switch (t) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_GROUP:
		return "a group";
	default:
		return "a list";
	}
}

static int cfg_wrong_type(const struct ac_config *c, const config_setting_t *s,
                          const char *path, const char *want, char *err,
                          size_t errlen)
{
	char where[600];

	if (err) {
		cfg_origin_of(c, s, where, sizeof(where));
		snprintf(err, errlen, "%s: %s must be %s, not %s", where, path,
		         want, ac_config_type_name(config_setting_type(s)));
	}
	return -EINVAL;
}

int ac_config_get_string(const struct ac_config *c, const char *path,
                         const char **out, char *err, size_t errlen)
{
	config_setting_t *s = config_lookup(&c->cfg, path);
	if (!s)
		return -ENOENT;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_wrong_type(c, s, path, "a string", err, errlen);
	*out = config_setting_get_string(s);
	return 0;
}

int ac_config_get_int(const struct ac_config *c, const char *path,
                      long long *out, char *err, size_t errlen)
{
	config_setting_t *s = config_lookup(&c->cfg, path);
	if (!s)
		return -ENOENT;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		*out = config_setting_get_int(s);
		return 0;
	case CONFIG_TYPE_INT64:
		*out = config_setting_get_int64(s);
		return 0;
	default:
		return cfg_wrong_type(c, s, path, "an integer", err, errlen);
	}
}

int ac_config_get_bool(const struct ac_config *c, const char *path, bool *out,
                       char *err, size_t errlen)
{
	config_setting_t *s = config_lookup(&c->cfg, path);
	if (!s)
		return -ENOENT;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cfg_wrong_type(c, s, path, "a boolean (true or false)",
		                      err, errlen);
	*out = config_setting_get_bool(s);
	return 0;
}

const char *ac_config_string(const struct ac_config *c, const char *path,
                             const char *def)
{
	const char *v;
	char err[700];
	int r = ac_config_get_string(c, path, &v, err, sizeof(err));
	if (r == -EINVAL)
		log_warn("%s; using \"%s\"", err, def ? def : "");
	return r == 0 ? v : def;
}

long long ac_config_int(const struct ac_config *c, const char *path,
                        long long def)
{
	long long v;
	char err[700];
	int r = ac_config_get_int(c, path, &v, err, sizeof(err));
	if (r == -EINVAL)
		log_warn("%s; using %lld", err, def);
	return r == 0 ? v : def;
}

int ac_config_get_float(const struct ac_config *c, const char *path,
                        double *out, char *err, size_t errlen)
{
	config_setting_t *s = config_lookup(&c->cfg, path);
	const char *text;
	char *end;

	if (!s)
		return -ENOENT;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_FLOAT:
		*out = config_setting_get_float(s);
		return 0;
	case CONFIG_TYPE_INT:
		*out = config_setting_get_int(s);
		return 0;
	case CONFIG_TYPE_INT64:
		*out = (double)config_setting_get_int64(s);
		return 0;
	case CONFIG_TYPE_STRING:
		text = config_setting_get_string(s);
		errno = 0;
		*out = strtod(text, &end);
		if (!errno && end != text && !*end && *out == *out)
			return 0;
		/* fall through */
	default:
		return cfg_wrong_type(c, s, path, "a number", err, errlen);
	}
}

double ac_config_float(const struct ac_config *c, const char *path, double def)
{
	config_setting_t *s = config_lookup(&c->cfg, path);
	char err[700];

	if (!s)
		return def;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_FLOAT:
		return config_setting_get_float(s);
	case CONFIG_TYPE_INT:
		return config_setting_get_int(s);
	case CONFIG_TYPE_INT64:
		return (double)config_setting_get_int64(s);
	default:
		cfg_wrong_type(c, s, path, "a number", err, sizeof(err));
		log_warn("%s; using %g", err, def);
		return def;
	}
}

bool ac_config_bool(const struct ac_config *c, const char *path, bool def)
{
	bool v;
	char err[700];
	int r = ac_config_get_bool(c, path, &v, err, sizeof(err));
	if (r == -EINVAL)
		log_warn("%s; using %s", err, def ? "true" : "false");
	return r == 0 ? v : def;
}

const char **ac_config_string_list(const struct ac_config *c, const char *path)
{
	config_setting_t *s = config_lookup(&c->cfg, path);
	const char **list;
	int n;

	if (!s)
		return NULL;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		list = calloc(2, sizeof(*list));
		if (list)
			list[0] = config_setting_get_string(s);
		return list;
	}
	if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
		return NULL;
	n = config_setting_length(s);
	list = calloc((size_t)n + 1, sizeof(*list));
	if (!list)
		return NULL;
	for (int i = 0, j = 0; i < n; i++) {
		const char *v = config_setting_get_string_elem(s, i);
		if (v)
			list[j++] = v;
	}
	return list;
}

const config_setting_t *ac_config_root(const struct ac_config *c)
{
	return config_root_setting(&c->cfg);
}

const config_setting_t *ac_config_lookup(const struct ac_config *c,
                                         const char *path)
{
	return config_lookup(&c->cfg, path);
}

void ac_config_origin(const struct ac_config *c, const config_setting_t *s,
                      char *buf, size_t len)
{
	cfg_origin_of(c, s, buf, len);
}

void ac_config_path(const config_setting_t *s, char *buf, size_t len)
{
	cfg_path_of(s, buf, len);
}
