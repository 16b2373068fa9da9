/* Loading JSON with error messages that point into the file (json.c).
   Private to the configuration, keyring and event files, their tests and
   fuzzers. */
#ifndef SIGNET_JSON_INTERNAL_H
#define SIGNET_JSON_INTERNAL_H

#include <jansson.h>

#include "internal.h"

/* Largest files we read (a keyring holds at most 20 keys). */
#define SIGNET_CONFIG_FILE_MAX (1024 * 1024)
#define SIGNET_KEYRING_FILE_MAX (64 * 1024)

/* The text being checked, for messages of the form
   "NAME:LINE:COL: "field.path": expected ..., got ...". */
struct signet_jctx {
	const char *name;
	const char *text;
	size_t len;
	char *errbuf;
	size_t errlen;
};

/* A field path as a chain of stack frames: key, or index when key is
   NULL.  The root has up == NULL and key == NULL. */
struct signet_jpath {
	const struct signet_jpath *up;
	const char *key;
	size_t idx;
};

/* Writes "NAME:LINE:COL: "PATH": " and the message into the context's
   errbuf.  The position is that of the field's key (or of the array
   element) in the text, when it can be found. */
void signet_jerr(const struct signet_jctx *c, const struct signet_jpath *p,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A short description of a value for "got ...": the JSON text of a
   scalar (truncated), or "a list" / "an object". */
void signet_jdescribe(const json_t *v, char *buf, size_t len);
/* Parses the context's text; the top level must be an object.  On a
   syntax error, errbuf gets jansson's line, column and reason. */
json_t *signet_jload(const struct signet_jctx *c);
/* Reads a whole file into a NUL-terminated buffer.  With secret (what the
   file holds, "the keys"), refuses anything but a regular file with no
   group or other permission bits, and the caller wipes the text. */
signet_status signet_jread_file(const char *path, size_t max,
				const char *secret, char **text_r,
				size_t *len_r, char *errbuf, size_t errlen);

/* Parse from memory (the fuzzers use these); name is used in messages. */
SIGNET_WUR signet_status signet_config_parse(const char *text, size_t len,
					     const char *name,
					     signet_config **cfg_r,
					     char *errbuf, size_t errlen);
SIGNET_WUR signet_status signet_keyring_parse(const char *text, size_t len,
					      const char *name,
					      signet_keyring **kr_r,
					      char *errbuf, size_t errlen);

#endif
