/* Problem packages: problem.yaml, every key of the legacy and the
 * 2023-07 versions of the specification, honoured or refused by name
 * (docs/problem-format.md). */
#include "problem_int.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ------------------------------------------------ problem.yaml */

static yaml_node_t *pb_map_get(yaml_document_t *doc, yaml_node_t *map,
                               const char *key)
{
	yaml_node_pair_t *pair;

	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(doc, pair->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(doc, pair->value);
	}
	return NULL;
}

static const char *pb_scalar(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static void pb_yaml_err(struct pb *b, yaml_node_t *n, const char *key,
                        const char *what)
{
	if (n)
		pb_err(b, "problem.yaml", "line %lu: %s: %s",
		       (unsigned long)n->start_mark.line + 1, key, what);
	else
		pb_err(b, "problem.yaml", "%s: %s", key, what);
}

/* A scalar string value; -EINVAL with a message on another type. */
static int pb_yaml_string(struct pb *b, yaml_node_t *n, const char *key,
                          char **out)
{
	if (n->type != YAML_SCALAR_NODE) {
		pb_yaml_err(b, n, key, "must be a string");
		return -EINVAL;
	}
	free(*out);
	*out = strdup(pb_scalar(n));
	return *out ? 0 : -ENOMEM;
}

/* A time limit in seconds: positive, finite, at most PB_TIME_MAX. */
static int pb_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	while (isspace((unsigned char)*s))
		s++;
	errno = 0;
	v = strtod(s, &end);
	if (end == s)
		return -EINVAL;
	while (isspace((unsigned char)*end))
		end++;
	if (*end || errno == ERANGE || !isfinite(v) || v <= 0 ||
	    v > PB_TIME_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A size in MiB: a positive integer, at most PB_MEMORY_MAX. */
static int pb_parse_mib(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno == ERANGE || v == 0 || v > PB_MEMORY_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "line 3: limits.memory: "lots" is not a positive integer (MiB)" */
static void pb_yaml_bad(struct pb *b, yaml_node_t *v, const char *key,
                        const char *what)
{
	char buf[160];

	if (v->type == YAML_SCALAR_NODE)
		snprintf(buf, sizeof(buf), "\"%.60s\" is not %s", pb_scalar(v),
		         what);
	else
		snprintf(buf, sizeof(buf), "must be %s", what);
	pb_yaml_err(b, v, key, buf);
}

static int pb_add_tag(struct ac_problem *p, const char *s, size_t len)
{
	char **nt;

	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (!len || p->ntags >= PB_TAGS_MAX)
		return 0;
	nt = realloc(p->tags, (p->ntags + 1) * sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	p->tags = nt;
	p->tags[p->ntags] = strndup(s, len);
	if (!p->tags[p->ntags])
		return -ENOMEM;
	p->ntags++;
	return 0;
}

static int pb_yaml_tags(struct pb *b, yaml_document_t *doc, yaml_node_t *n)
{
	yaml_node_item_t *it;
	int ret;

	if (n->type == YAML_SCALAR_NODE) {
		const char *s = pb_scalar(n), *c;

		for (;;) {
			c = strchr(s, ',');
			ret = pb_add_tag(b->p, s,
			                 c ? (size_t)(c - s) : strlen(s));
			if (ret < 0 || !c)
				return ret;
			s = c + 1;
		}
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		pb_yaml_err(b, n, "tags",
		            "must be a list or a comma-separated string");
		return -EINVAL;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *t = yaml_document_get_node(doc, *it);

		if (!t || t->type != YAML_SCALAR_NODE) {
			pb_yaml_err(b, t ? t : n, "tags",
			            "every tag must be a string");
			return -EINVAL;
		}
		ret = pb_add_tag(b->p, pb_scalar(t), strlen(pb_scalar(t)));
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---------------------------------------------------------- keys */

#define PB_V_LEGACY   1u
#define PB_V_2023     2u
#define PB_V_BOTH     (PB_V_LEGACY | PB_V_2023)
#define PB_JSON_DEPTH 8
#define PB_JSON_NODES 4096 /* per served key */

static unsigned pb_version_bit(const struct pb *b)
{
	return b->p->format == AC_FORMAT_2023_07 ? PB_V_2023 : PB_V_LEGACY;
}

static const char *pb_version_name(const struct pb *b)
{
	return b->p->format == AC_FORMAT_2023_07 ? "2023-07" : "legacy";
}

/* A YAML node as JSON: scalars are strings.  *budget bounds the nodes
 * visited (aliases could make a small file a huge tree). */
static json_t *pb_to_json_n(yaml_document_t *doc, yaml_node_t *n, int depth,
                            size_t *budget)
{
	json_t *j = NULL;

	if (!n || depth > PB_JSON_DEPTH || *budget == 0)
		return json_null();
	(*budget)--;
	if (n->type == YAML_SCALAR_NODE)
		return json_stringn(pb_scalar(n), n->data.scalar.length);
	if (n->type == YAML_SEQUENCE_NODE) {
		j = json_array();
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     j && it < n->data.sequence.items.top; it++)
			json_array_append_new(
			        j,
			        pb_to_json_n(doc,
			                     yaml_document_get_node(doc, *it),
			                     depth + 1, budget));
		return j;
	}
	j = json_object();
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
	     j && pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);

		if (k && k->type == YAML_SCALAR_NODE)
			json_object_set_new(
			        j, pb_scalar(k),
			        pb_to_json_n(
			                doc,
			                yaml_document_get_node(doc, pr->value),
			                depth + 1, budget));
	}
	return j;
}

static json_t *pb_to_json(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	size_t budget = PB_JSON_NODES;

	return pb_to_json_n(doc, n, depth, &budget);
}

static int pb_meta_set(struct pb *b, const char *key, json_t *v)
{
	if (!v || json_object_set_new(b->meta, key, v) < 0)
		return -ENOMEM;
	return 0;
}

typedef int (*pb_key_fn)(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                         const char *key);

/* One key of a mapping: the versions that define it, and either how it is
 * read, or the keys of the mapping it holds (sub), or why it is refused. */
struct pb_key {
	const char *name;
	unsigned versions;
	pb_key_fn fn;
	const char *refused;
	const struct pb_key *sub;
	size_t nsub;
};

#define PB_NKEYS(keys) (sizeof(keys) / sizeof((keys)[0]))

/* n must be a mapping, and every key of it in keys[] for this version. */
static int pb_keys(struct pb *b, yaml_document_t *doc, yaml_node_t *n,
                   const char *prefix, const struct pb_key *keys, size_t nkeys)
{
	char full[128];

	if (n->type != YAML_MAPPING_NODE) {
		pb_yaml_err(b, n, prefix[0] ? prefix : "top level",
		            "must be a mapping");
		return -EINVAL;
	}
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
	     pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(doc, pr->value);
		const struct pb_key *key = NULL;
		int ret;

		if (!k || k->type != YAML_SCALAR_NODE || !v) {
			pb_yaml_err(b, k, prefix[0] ? prefix : "top level",
			            "keys must be strings");
			return -EINVAL;
		}
		for (size_t i = 0; i < nkeys && !key; i++)
			if (strcmp(keys[i].name, pb_scalar(k)) == 0)
				key = &keys[i];
		snprintf(full, sizeof(full), "%s%s%.60s", prefix,
		         prefix[0] ? "." : "", pb_scalar(k));
		if (!key) {
			pb_yaml_err(b, k, full,
			            "unknown key (not in the problem package "
			            "format, legacy or 2023-07)");
			return -EINVAL;
		}
		if (!(key->versions & pb_version_bit(b))) {
			char msg[200];

			snprintf(msg, sizeof(msg),
			         "not a key of problem_format_version %s (it "
			         "belongs to the %s version)",
			         pb_version_name(b),
			         key->versions == PB_V_LEGACY ? "legacy"
			                                      : "2023-07");
			pb_yaml_err(b, k, full, msg);
			return -EINVAL;
		}
		if (key->refused) {
			char msg[200];

			snprintf(msg, sizeof(msg), "not supported: %s",
			         key->refused);
			pb_yaml_err(b, k, full, msg);
			return -ENOTSUP;
		}
		if (key->sub)
			ret = pb_keys(b, doc, v, full, key->sub, key->nsub);
		else
			ret = key->fn ? key->fn(b, doc, v, full) : 0;
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------- limits */

enum pb_limit_kind {
	PB_L_SECONDS,  /* float > 0, at most an hour: double */
	PB_L_MULT,     /* float >= 1: double */
	PB_L_POSITIVE, /* float > 0: double */
	PB_L_INT,      /* integer > 0: uint64_t */
	PB_L_PASSES,   /* integer >= 2: uint64_t */
};

struct pb_limit {
	const char *name;
	unsigned versions;
	enum pb_limit_kind kind;
	size_t off; /* in struct ac_problem */
};

#define PB_OFF(f) offsetof(struct ac_problem, f)
static const struct pb_limit pb_limits[] = {
        {"time_limit", PB_V_BOTH, PB_L_SECONDS, PB_OFF(time_limit_s)},
        {"time_resolution", PB_V_2023, PB_L_POSITIVE, PB_OFF(time_resolution)},
        {"time_multiplier", PB_V_LEGACY, PB_L_MULT, PB_OFF(ac_to_time_limit)},
        {"time_safety_margin", PB_V_LEGACY, PB_L_MULT,
         PB_OFF(time_limit_to_tle)},
        {"memory", PB_V_BOTH, PB_L_INT, PB_OFF(memory_mb)},
        {"output", PB_V_BOTH, PB_L_INT, PB_OFF(output_mb)},
        {"code", PB_V_BOTH, PB_L_INT, PB_OFF(code_kb)},
        {"compilation_time", PB_V_BOTH, PB_L_INT, PB_OFF(compile_time_s)},
        {"compilation_memory", PB_V_BOTH, PB_L_INT, PB_OFF(compile_memory_mb)},
        {"validation_time", PB_V_BOTH, PB_L_INT, PB_OFF(validation_time_s)},
        {"validation_memory", PB_V_BOTH, PB_L_INT,
         PB_OFF(validation_memory_mb)},
        {"validation_output", PB_V_BOTH, PB_L_INT,
         PB_OFF(validation_output_mb)},
        {"validation_passes", PB_V_BOTH, PB_L_PASSES,
         PB_OFF(validation_passes)},
        {"ac_to_time_limit", 0, PB_L_MULT, PB_OFF(ac_to_time_limit)},
        {"time_limit_to_tle", 0, PB_L_MULT, PB_OFF(time_limit_to_tle)},
};

static const struct pb_limit *pb_limit_find(const char *name)
{
	for (size_t i = 0; i < sizeof(pb_limits) / sizeof(pb_limits[0]); i++)
		if (strcmp(pb_limits[i].name, name) == 0)
			return &pb_limits[i];
	return NULL;
}

static int pb_k_limit(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                      const char *key)
{
	const struct pb_limit *l = pb_limit_find(strrchr(key, '.') + 1);
	char *base = (char *)b->p;
	const char *what = "a number";
	char *end;
	double d;
	uint64_t u;
	int ok = 0;

	(void)doc;
	if (l->kind == PB_L_SECONDS) {
		what = "a positive number of seconds (at most 3600)";
		ok = v->type == YAML_SCALAR_NODE &&
		     pb_parse_seconds(pb_scalar(v), &d) == 0;
	} else if (l->kind == PB_L_MULT || l->kind == PB_L_POSITIVE) {
		what = l->kind == PB_L_MULT ? "a number >= 1" : "a number > 0";
		if (v->type == YAML_SCALAR_NODE) {
			errno = 0;
			d = strtod(pb_scalar(v), &end);
			ok = end != pb_scalar(v) && !*end && !errno &&
			     isfinite(d) && d <= 1e6 &&
			     (l->kind == PB_L_MULT ? d >= 1 : d > 0);
		}
	} else {
		what = l->kind == PB_L_PASSES ? "an integer from 2 to 100"
		                              : "a positive integer";
		ok = v->type == YAML_SCALAR_NODE &&
		     pb_parse_mib(pb_scalar(v), &u) == 0 &&
		     (l->kind != PB_L_PASSES ||
		      (u >= 2 && u <= AC_PROBLEM_PASSES_MAX));
	}
	if (!ok) {
		char buf[96];

		snprintf(buf, sizeof(buf), "%s%s", what,
		         strcmp(key, "limits.memory") == 0 ||
		                         strcmp(key, "limits.output") == 0
		                 ? " (MiB)"
		                 : "");
		pb_yaml_bad(b, v, key, buf);
		return -EINVAL;
	}
	if (l->kind == PB_L_INT || l->kind == PB_L_PASSES)
		memcpy(base + l->off, &u, sizeof(u));
	else
		memcpy(base + l->off, &d, sizeof(d));
	if (l->off == PB_OFF(time_limit_s))
		b->has_time = 1;
	return 0;
}

static const struct pb_key pb_time_multiplier_keys[] = {
        {"ac_to_time_limit", PB_V_2023, pb_k_limit, NULL, NULL, 0},
        {"time_limit_to_tle", PB_V_2023, pb_k_limit, NULL, NULL, 0},
};

static int pb_k_limits(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                       const char *key)
{
	struct pb_key keys[PB_NKEYS(pb_limits) + 1];
	size_t n = 0;

	for (size_t i = 0; i < PB_NKEYS(pb_limits); i++)
		if (pb_limits[i].versions)
			keys[n++] = (struct pb_key){pb_limits[i].name,
			                            pb_limits[i].versions,
			                            pb_k_limit,
			                            NULL,
			                            NULL,
			                            0};
	keys[n++] = (struct pb_key){"time_multipliers",
	                            PB_V_2023,
	                            NULL,
	                            NULL,
	                            pb_time_multiplier_keys,
	                            PB_NKEYS(pb_time_multiplier_keys)};
	return pb_keys(b, doc, v, key, keys, n);
}

/* ------------------------------------------------- other keys */

static int pb_k_name(struct pb *b, yaml_document_t *doc, yaml_node_t *n,
                     const char *key)
{
	yaml_node_t *v = n;
	int ret;

	if (n->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
		     pr < n->data.mapping.pairs.top; pr++) {
			yaml_node_t *val =
			        yaml_document_get_node(doc, pr->value);

			if (!val || val->type != YAML_SCALAR_NODE) {
				pb_yaml_err(b, val ? val : n, key,
				            "every name must be a string");
				return -EINVAL;
			}
		}
		v = pb_map_get(doc, n, "en");
		if (!v &&
		    n->data.mapping.pairs.start < n->data.mapping.pairs.top)
			v = yaml_document_get_node(
			        doc, n->data.mapping.pairs.start->value);
		if (!v)
			return 0;
	}
	ret = pb_yaml_string(b, v, key, &b->p->name);
	if (ret == 0 && n->type == YAML_MAPPING_NODE)
		ret = pb_meta_set(b, "names", pb_to_json(doc, n, 0));
	else if (ret == 0)
		ret = pb_meta_set(b, "names",
		                  json_pack("{s:s}", "en", b->p->name));
	return ret;
}

static int pb_k_uuid(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                     const char *key)
{
	(void)doc;
	return pb_yaml_string(b, v, key, &b->p->uuid);
}

static int pb_k_difficulty(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                           const char *key)
{
	(void)doc;
	return pb_yaml_string(b, v, key, &b->p->difficulty);
}

static int pb_k_tags(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                     const char *key)
{
	(void)key;
	return pb_yaml_tags(b, doc, v);
}

static int pb_k_flags(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                      const char *key)
{
	(void)doc;
	return pb_yaml_string(b, v, key, &b->flags);
}

/* Served as they are written (credits, source, rights_owner, ...). */
static int pb_k_meta(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                     const char *key)
{
	return pb_meta_set(b, key, pb_to_json(doc, v, 0));
}

static int pb_k_license(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                        const char *key)
{
	static const char *const ok[] = {
	        "unknown",  "public domain", "cc0",        "cc by",
	        "cc by-sa", "educational",   "permission",
	};

	if (v->type == YAML_SCALAR_NODE)
		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
			if (strcmp(pb_scalar(v), ok[i]) == 0)
				return pb_k_meta(b, doc, v, key);
	pb_yaml_bad(b, v, key,
	            "a license of the specification (unknown, public "
	            "domain, cc0, cc by, cc by-sa, educational, permission)");
	return -EINVAL;
}

/* A list, or a string of words separated by spaces or commas (legacy). */
static int pb_words(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                    const char *key, json_t **out)
{
	json_t *a = json_array();

	*out = a;
	if (!a)
		return -ENOMEM;
	if (v->type == YAML_SCALAR_NODE) {
		const char *s = pb_scalar(v);

		while (*s) {
			size_t l = strcspn(s, " ,\t");

			if (l)
				json_array_append_new(a, json_stringn(s, l));
			s += l;
			s += strspn(s, " ,\t");
		}
		return 0;
	}
	if (v->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		     it < v->data.sequence.items.top; it++) {
			yaml_node_t *t = yaml_document_get_node(doc, *it);

			if (!t || t->type != YAML_SCALAR_NODE) {
				pb_yaml_err(b, t ? t : v, key,
				            "every item must be a string");
				return -EINVAL;
			}
			json_array_append_new(a, json_string(pb_scalar(t)));
		}
		return 0;
	}
	pb_yaml_err(b, v, key, "must be a list or a string");
	return -EINVAL;
}

static int pb_k_keywords(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                         const char *key)
{
	json_t *a = NULL;
	int ret = pb_words(b, doc, v, key, &a);

	if (ret < 0) {
		json_decref(a);
		return ret;
	}
	return pb_meta_set(b, "keywords", a);
}

static int pb_k_languages(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                          const char *key)
{
	struct ac_problem *p = b->p;
	json_t *a = NULL, *s;
	size_t i;
	int ret = pb_words(b, doc, v, key, &a);

	if (ret < 0)
		goto out;
	if (json_array_size(a) == 0) {
		pb_yaml_err(b, v, key, "must name at least one language");
		ret = -EINVAL;
		goto out;
	}
	json_array_foreach(a, i, s) if (strcmp(json_string_value(s), "all") ==
	                                0) goto out; /* every language */
	p->languages = calloc(json_array_size(a), sizeof(char *));
	if (!p->languages) {
		ret = -ENOMEM;
		goto out;
	}
	json_array_foreach(a, i, s)
	{
		if (!(p->languages[p->nlanguages] =
		              strdup(json_string_value(s)))) {
			ret = -ENOMEM;
			goto out;
		}
		p->nlanguages++;
	}
	ret = pb_meta_set(b, "languages", json_incref(a));
out:
	json_decref(a);
	return ret;
}

static int pb_k_bool(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                     const char *key)
{
	(void)doc;
	if (v->type != YAML_SCALAR_NODE ||
	    (strcmp(pb_scalar(v), "true") != 0 &&
	     strcmp(pb_scalar(v), "false") != 0)) {
		pb_yaml_bad(b, v, key, "true or false");
		return -EINVAL;
	}
	return pb_meta_set(b, key, json_boolean(pb_scalar(v)[0] == 't'));
}

static int pb_k_objective(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                          const char *key)
{
	(void)doc;
	if (v->type == YAML_SCALAR_NODE && strcmp(pb_scalar(v), "max") == 0)
		return 0;
	if (v->type == YAML_SCALAR_NODE && strcmp(pb_scalar(v), "min") == 0) {
		pb_yaml_err(b, v, key,
		            "not supported: min (a lower score is better) is "
		            "not implemented, scores are maximised");
		return -ENOTSUP;
	}
	pb_yaml_bad(b, v, key, "max or min");
	return -EINVAL;
}

static const struct pb_key pb_grading_keys[] = {
        {"objective", PB_V_LEGACY, pb_k_objective, NULL, NULL, 0},
        {"show_test_data_groups", PB_V_LEGACY, pb_k_bool, NULL, NULL, 0},
};

/* legacy validation: "default", or "custom" then "interactive", "score"
 * and/or "multi-pass" (the last an Algocode extension of the legacy
 * format, as 2023-07's type: multi-pass). */
static int pb_k_validation(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                           const char *key)
{
	struct ac_problem *p = b->p;
	char *s = NULL, *tok, *save = NULL;
	int ret = pb_yaml_string(b, v, key, &s), first = 1;

	(void)doc;
	if (ret < 0)
		return ret;
	b->validation_given = 1;
	for (tok = strtok_r(s, " \t", &save); tok && ret == 0;
	     tok = strtok_r(NULL, " \t", &save), first = 0) {
		if (first && strcmp(tok, "default") == 0)
			p->validation = AC_VALIDATION_DEFAULT;
		else if (first && strcmp(tok, "custom") == 0)
			p->validation = AC_VALIDATION_CUSTOM;
		else if (!first && p->validation != AC_VALIDATION_DEFAULT &&
		         strcmp(tok, "interactive") == 0)
			p->type_flags |= AC_PROBLEM_INTERACTIVE;
		else if (!first && p->validation != AC_VALIDATION_DEFAULT &&
		         strcmp(tok, "score") == 0)
			p->validator_score = true;
		else if (!first && p->validation != AC_VALIDATION_DEFAULT &&
		         strcmp(tok, "multi-pass") == 0)
			p->type_flags |=
			        AC_PROBLEM_MULTIPASS; /* an extension */
		else
			ret = -EINVAL;
	}
	if (first)
		ret = -EINVAL;
	if (ret < 0)
		pb_yaml_bad(b, v, key,
		            "default, or custom followed by interactive, "
		            "multi-pass and/or score");
	free(s);
	return ret;
}

static int pb_type_word(struct pb *b, yaml_node_t *v, const char *key,
                        const char *w)
{
	static const struct {
		const char *name;
		unsigned flag;
	} types[] = {
	        {"pass-fail", 0},
	        {"scoring", AC_PROBLEM_SCORING},
	        {"interactive", AC_PROBLEM_INTERACTIVE},
	        {"multi-pass", AC_PROBLEM_MULTIPASS},
	        {"submit-answer", AC_PROBLEM_SUBMIT_ANSWER},
	};
	bool legacy = b->p->format == AC_FORMAT_LEGACY;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(w, types[i].name) != 0 ||
		    (legacy && types[i].flag > AC_PROBLEM_SCORING))
			continue;
		if (types[i].flag == AC_PROBLEM_SUBMIT_ANSWER) {
			pb_yaml_err(b, v, key,
			            "submit-answer is not supported (a "
			            "submission is a program here)");
			return -ENOTSUP;
		}
		if (types[i].flag == 0)
			b->p->type_flags |= 1u << 8; /* pass-fail named */
		b->p->type_flags |= types[i].flag;
		return 0;
	}
	pb_yaml_bad(b, v, key,
	            legacy ? "pass-fail or scoring (legacy)"
	                   : "pass-fail, scoring, interactive, multi-pass "
	                     "or submit-answer");
	return -EINVAL;
}

static int pb_k_type(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                     const char *key)
{
	unsigned f;
	int ret = 0;

	if (v->type == YAML_SCALAR_NODE) {
		ret = pb_type_word(b, v, key, pb_scalar(v));
	} else if (v->type == YAML_SEQUENCE_NODE &&
	           b->p->format == AC_FORMAT_2023_07 &&
	           v->data.sequence.items.start < v->data.sequence.items.top) {
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		     ret == 0 && it < v->data.sequence.items.top; it++) {
			yaml_node_t *t = yaml_document_get_node(doc, *it);

			if (!t || t->type != YAML_SCALAR_NODE) {
				pb_yaml_err(b, t ? t : v, key,
				            "every type must be a string");
				return -EINVAL;
			}
			ret = pb_type_word(b, t, key, pb_scalar(t));
		}
	} else {
		pb_yaml_err(b, v, key,
		            b->p->format == AC_FORMAT_2023_07
		                    ? "must be a string or a non-empty list"
		                    : "must be a string");
		return -EINVAL;
	}
	f = b->p->type_flags;
	b->p->type_flags &= ~(1u << 8);
	if (ret == 0 && (f & (1u << 8)) && (f & AC_PROBLEM_SCORING)) {
		pb_yaml_err(b, v, key,
		            "pass-fail and scoring exclude each other");
		ret = -EINVAL;
	}
	return ret;
}

static int pb_k_format(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                       const char *key)
{
	(void)b;
	(void)doc;
	(void)v;
	(void)key;
	return 0; /* read first, by pb_format */
}

/* validator_protocol (Algocode's own): kattis (default) or testlib. */
static int pb_k_protocol(struct pb *b, yaml_document_t *doc, yaml_node_t *v,
                         const char *key)
{
	char *s = NULL;
	int ret = pb_yaml_string(b, v, key, &s);

	(void)doc;
	if (ret < 0)
		return ret;
	if (strcmp(s, "kattis") == 0) {
		b->p->validator_protocol = AC_PROTO_KATTIS;
	} else if (strcmp(s, "testlib") == 0) {
		b->p->validator_protocol = AC_PROTO_TESTLIB;
	} else {
		pb_yaml_bad(b, v, key, "kattis or testlib");
		ret = -EINVAL;
	}
	free(s);
	return ret;
}

static const struct pb_key pb_root_keys[] = {
        {"problem_format_version", PB_V_BOTH, pb_k_format, NULL, NULL, 0},
        {"type", PB_V_BOTH, pb_k_type, NULL, NULL, 0},
        {"name", PB_V_BOTH, pb_k_name, NULL, NULL, 0},
        {"uuid", PB_V_BOTH, pb_k_uuid, NULL, NULL, 0},
        {"version", PB_V_2023, pb_k_meta, NULL, NULL, 0},
        {"credits", PB_V_2023, pb_k_meta, NULL, NULL, 0},
        {"author", PB_V_LEGACY, pb_k_meta, NULL, NULL, 0},
        {"source", PB_V_BOTH, pb_k_meta, NULL, NULL, 0},
        {"source_url", PB_V_LEGACY, pb_k_meta, NULL, NULL, 0},
        {"license", PB_V_BOTH, pb_k_license, NULL, NULL, 0},
        {"rights_owner", PB_V_BOTH, pb_k_meta, NULL, NULL, 0},
        {"embargo_until", PB_V_2023, NULL,
         "the judge serves a problem as soon as it is loaded", NULL, 0},
        {"limits", PB_V_BOTH, pb_k_limits, NULL, NULL, 0},
        {"keywords", PB_V_BOTH, pb_k_keywords, NULL, NULL, 0},
        {"languages", PB_V_BOTH, pb_k_languages, NULL, NULL, 0},
        {"allow_file_writing", PB_V_2023, pb_k_bool, NULL, NULL, 0},
        {"constants", PB_V_2023, NULL,
         "{{name}} substitution in statements, validators and "
         "submissions is not implemented",
         NULL, 0},
        {"validation", PB_V_LEGACY, pb_k_validation, NULL, NULL, 0},
        {"validator_flags", PB_V_LEGACY, pb_k_flags, NULL, NULL, 0},
        {"grading", PB_V_LEGACY, NULL, NULL, pb_grading_keys,
         PB_NKEYS(pb_grading_keys)},
        /* Algocode's own */
        {"difficulty", PB_V_BOTH, pb_k_difficulty, NULL, NULL, 0},
        {"tags", PB_V_BOTH, pb_k_tags, NULL, NULL, 0},
        {"validator_protocol", PB_V_BOTH, pb_k_protocol, NULL, NULL, 0},
};

/* problem_format_version, before every other key. */
static int pb_format(struct pb *b, yaml_document_t *doc, yaml_node_t *root)
{
	yaml_node_t *v = pb_map_get(doc, root, "problem_format_version");
	const char *s;

	if (!v)
		return 0;
	s = v->type == YAML_SCALAR_NODE ? pb_scalar(v) : "";
	if (strcmp(s, "legacy") == 0 || strcmp(s, "legacy-icpc") == 0) {
		b->p->format = AC_FORMAT_LEGACY;
	} else if (strcmp(s, "2023-07") == 0 ||
	           strcmp(s, "2023-07-draft") == 0) {
		b->p->format = AC_FORMAT_2023_07;
	} else {
		pb_yaml_bad(b, v, "problem_format_version",
		            "a version Algocode reads (legacy, legacy-icpc, "
		            "2023-07, 2023-07-draft)");
		return -ENOTSUP;
	}
	return pb_meta_set(b, "problem_format_version", json_string(s));
}

static int pb_yaml_root(struct pb *b, yaml_document_t *doc, yaml_node_t *root)
{
	int ret;

	if (root->type != YAML_MAPPING_NODE) {
		pb_yaml_err(b, root, "top level", "must be a mapping");
		return -EINVAL;
	}
	if ((ret = pb_format(b, doc, root)) < 0)
		return ret;
	if (b->p->format == AC_FORMAT_2023_07) {
		b->p->ac_to_time_limit = 2.0;
		b->p->time_limit_to_tle = 1.5;
	}
	return pb_keys(b, doc, root, "", pb_root_keys, PB_NKEYS(pb_root_keys));
}

int pb_yaml_file(struct pb *b, const char *rel, size_t max, bool context,
                 yaml_document_t *doc)
{
	yaml_parser_t parser;
	char *data = NULL;
	size_t len = 0;
	int ret = pb_read(b, rel, max, &data, &len);

	if (ret < 0)
		return ret;
	if (!yaml_parser_initialize(&parser)) {
		free(data);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, doc)) {
		context = context && parser.context;
		pb_err(b, rel, "line %lu: YAML error: %s%s%s",
		       (unsigned long)parser.problem_mark.line + 1,
		       parser.problem ? parser.problem : "syntax error",
		       context ? " " : "", context ? parser.context : "");
		ret = -EINVAL;
	}
	yaml_parser_delete(&parser);
	free(data);
	return ret;
}

int pb_yaml(struct pb *b)
{
	yaml_document_t doc;
	yaml_node_t *root;
	int ret = pb_yaml_file(b, "problem.yaml", PB_YAML_MAX, true, &doc);

	if (ret == -ENOENT)
		pb_err(b, "problem.yaml", "missing");
	if (ret < 0)
		return ret;
	root = yaml_document_get_root_node(&doc);
	/* An empty problem.yaml means every default. */
	if (root &&
	    !(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
		ret = pb_yaml_root(b, &doc, root);
	yaml_document_delete(&doc);
	return ret;
}

int pb_timelimit(struct pb *b)
{
	char *data = NULL;
	size_t len;
	int ret;

	if (b->has_time)
		return 0;
	ret = pb_read(b, ".timelimit", PB_TIMELIMIT_MAX, &data, &len);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	if (pb_parse_seconds(data, &b->p->time_limit_s) < 0) {
		pb_err(b, ".timelimit",
		       "must be a positive number of seconds (at most 3600)");
		ret = -EINVAL;
	} else {
		b->has_time = 1;
	}
	free(data);
	return ret;
}
