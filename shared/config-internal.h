/* Private to the configuration's files (config.c, config_schema.c). */
#ifndef SIGNET_CONFIG_INTERNAL_H
#define SIGNET_CONFIG_INTERNAL_H

#include "json-internal.h"

/* Strings of a JSON list, copied into one block at load: the queries each
   message makes read them without walking the tree, whose nodes lie
   wherever the parser's allocations fell. */
struct signet_strs {
	size_t n;
	struct signet_str {
		const char *s;
		size_t len;
	} *v; /* NULL when n is 0; the strings follow the array */
};

struct signet_config {
	char *path;   /* NULL for signet_config_new() */
	json_t *root; /* validated; relative paths already resolved */
	enum signet_format format;
	int formats_set; /* verify_formats given; else the issued format */
	enum signet_null_policy null_policy;
	struct signet_lifetimes lt;
	const char *keyring, *seal_keyring, *event_log; /* into root */
	char sep; /* sub-address separator, or '\0' */
	struct signet_strs domains, exempt;
	struct signet_settings set;
};

/* One check of a file's settings. */
struct check {
	const struct signet_jctx *c;
	const char *dir; /* directory of the file, for relative paths */
	signet_config *cfg;
};

/* A configuration with the defaults; root is taken over (NULL: empty). */
signet_status signet_config_alloc(json_t *root, signet_config **cfg_r);
/* "domains", checked first: other checks need to know them.  0, or -1
   with the error written. */
int signet_config_check_domains(const struct check *k,
				const struct signet_jpath *p, json_t *v);
/* Any other member of the top level. */
int signet_config_check_member(const struct check *k,
			       const struct signet_jpath *p, const char *key,
			       json_t *v);
/* Fills cfg->set from the checked root, with each setting's default. */
void signet_config_fill(signet_config *cfg);

#endif
