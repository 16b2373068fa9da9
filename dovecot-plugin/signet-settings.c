/* Settings: plugin { signet_* } or the same names from userdb. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "mail-user.h"

#include <ctype.h>

#include "signet-plugin.h"

static const char *const default_tags[SDP_TAG_COUNT] = {
	"[FORGED]", "[LOOK-ALIKE]", "[BOUNCE?]", "[UNVERIFIED]", "[INSECURE]"
};

static const char *const default_keywords[SDP_KW_COUNT] = {
	"$SignetVerified", "$SignetForged", "$SignetUnsignedBounce",
	"$SignetLookalike", "$SignetUnverified", "$SignetInsecure",
	"$Phishing", "$Junk", "$SignetUnboundReply"
};

static const char *const tag_settings[SDP_TAG_COUNT] = {
	"signet_tag_forged", "signet_tag_lookalike",
	"signet_tag_unsigned_bounce", "signet_tag_unverified",
	"signet_tag_insecure"
};

static const char *const keyword_settings[SDP_KW_COUNT] = {
	"signet_keyword_verified", "signet_keyword_forged",
	"signet_keyword_unsigned_bounce", "signet_keyword_lookalike",
	"signet_keyword_unverified", "signet_keyword_insecure",
	"signet_keyword_phishing", "signet_keyword_junk",
	"signet_keyword_unbound_reply"
};

static int
parse_bool(const char *name, const char *value, bool *b_r,
	   const char **error_r)
{
	/* userdb gives an empty value for a bare field name: yes. */
	if (*value == '\0' || strcasecmp(value, "yes") == 0 ||
	    strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*b_r = TRUE;
	else if (strcasecmp(value, "no") == 0 ||
		 strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0)
		*b_r = FALSE;
	else {
		*error_r = t_strdup_printf("%s=%s: expected yes or no", name,
					   value);
		return -1;
	}
	return 0;
}

/* RFC 3501 flag-keyword: an atom. */
static bool
keyword_ok(const char *kw)
{
	size_t len = strlen(kw);

	if (len == 0 || len > 64)
		return FALSE;
	for (; *kw != '\0'; kw++) {
		unsigned char c = (unsigned char)*kw;

		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\]", c) != NULL)
			return FALSE;
	}
	return TRUE;
}

static bool
tag_ok(const char *tag)
{
	size_t len = strlen(tag);

	if (len == 0 || len > 40 || tag[0] == ' ' || tag[len - 1] == ' ')
		return FALSE;
	for (; *tag != '\0'; tag++) {
		if ((unsigned char)*tag < 0x20 || (unsigned char)*tag >= 0x7f)
			return FALSE;
	}
	return TRUE;
}

static int
parse_tags(const char *value, unsigned int *mask_r, const char **error_r)
{
	const char *const *words = t_strsplit_spaces(value, " ,");

	*mask_r = 0;
	for (; *words != NULL; words++) {
		unsigned int i;

		if (strcmp(*words, "none") == 0)
			continue;
		for (i = 0; i < SDP_TAG_COUNT; i++) {
			if (strcmp(*words, sdp_tag_names[i]) == 0)
				break;
		}
		if (i == SDP_TAG_COUNT) {
			*error_r = t_strdup_printf(
				"signet_subject_tag: unknown result '%s': "
				"expected words from forged, lookalike, "
				"unsigned-bounce, unverified, insecure, none",
				*words);
			return -1;
		}
		*mask_r |= 1u << i;
	}
	return 0;
}

int
signet_settings_read(struct mail_user *user, struct signet_plugin_settings *set,
		     const char **error_r)
{
	const char *v;
	unsigned int i;

	i_zero(set);
	set->enabled = TRUE;
	v = mail_user_plugin_getenv(user, "signet_enabled");
	if (v != NULL && parse_bool("signet_enabled", v, &set->enabled,
				    error_r) < 0)
		return -1;

	v = mail_user_plugin_getenv(user, "signet_seal_keyring");
	if (v == NULL || *v == '\0')
		v = SIGNET_DEFAULT_SEAL_KEYRING;
	if (v[0] != '/') {
		*error_r = t_strdup_printf("signet_seal_keyring=%s: expected "
					   "an absolute path", v);
		return -1;
	}
	set->seal_keyring = p_strdup(user->pool, v);

	v = mail_user_plugin_getenv(user, "signet_domains");
	if (v != NULL) {
		const char *const *d = t_strsplit_spaces(v, " ,");
		ARRAY_TYPE(const_string) arr;

		p_array_init(&arr, user->pool, 4);
		for (; *d != NULL; d++) {
			const char *low = p_strdup(user->pool, t_str_lcase(*d));

			if (!signet_domain_ok(low, strlen(low))) {
				*error_r = t_strdup_printf(
					"signet_domains: '%s' is not a domain "
					"name", *d);
				return -1;
			}
			array_push_back(&arr, &low);
		}
		set->domain_count = array_count(&arr);
		set->domains = array_front(&arr);
	}

	set->seal_max_age = SIGNET_DEFAULT_SEAL_MAX_AGE_DAYS * 86400LL;
	v = mail_user_plugin_getenv(user, "signet_seal_max_age_days");
	if (v != NULL) {
		unsigned int days;

		if (str_to_uint(v, &days) < 0 || days < 1 || days > 3650) {
			*error_r = t_strdup_printf(
				"signet_seal_max_age_days=%s: expected a whole "
				"number of days from 1 to 3650", v);
			return -1;
		}
		set->seal_max_age = days * 86400LL;
	}

	v = mail_user_plugin_getenv(user, "signet_subject_tag");
	if (v == NULL) {
		set->subject_tags = (1u << SDP_TAG_FORGED) |
				    (1u << SDP_TAG_LOOKALIKE);
	} else if (parse_tags(v, &set->subject_tags, error_r) < 0)
		return -1;

	/* LMTP reads these per delivery: the defaults need no check */
	for (i = 0; i < SDP_TAG_COUNT; i++) {
		const char *name = tag_settings[i];

		v = mail_user_plugin_getenv(user, name);
		if (v == NULL)
			v = default_tags[i];
		else if (!tag_ok(v)) {
			*error_r = t_strdup_printf(
				"%s=%s: expected 1-40 printable ASCII "
				"characters, not starting or ending with a "
				"space", name, v);
			return -1;
		}
		set->tag_text[i] = v;
	}

	for (i = 0; i < SDP_KW_COUNT; i++) {
		const char *name = keyword_settings[i];

		v = mail_user_plugin_getenv(user, name);
		if (v == NULL)
			v = default_keywords[i];
		else if (*v == '\0' || strcmp(v, "none") == 0)
			continue;
		else if (!keyword_ok(v)) {
			*error_r = t_strdup_printf(
				"%s=%s: expected an IMAP keyword (1-64 "
				"printable ASCII characters, none of "
				"space (){%%*\"\\])", name, v);
			return -1;
		}
		set->keyword[i] = v;
	}
	return 0;
}
