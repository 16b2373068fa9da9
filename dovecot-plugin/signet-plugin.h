#ifndef SIGNET_PLUGIN_H
#define SIGNET_PLUGIN_H

#include "signet-eval.h"

struct module;
struct mail_user;

/* Per-user settings from the plugin {} block or userdb (docs/DOVECOT.md). */
struct signet_plugin_settings {
	bool enabled;
	const char *seal_keyring;
	const char *const *domains;
	unsigned int domain_count;
	unsigned int subject_tags;   /* bits of enum sdp_tag */
	const char *tag_text[SDP_TAG_COUNT];
	const char *keyword[SDP_KW_COUNT]; /* NULL: not set */
	long long seal_max_age;      /* seconds; older seals are unverified */
};

/* Reads the user's settings; on a bad value returns -1 with error_r
   naming the setting and what is expected. */
int signet_settings_read(struct mail_user *user,
			 struct signet_plugin_settings *set_r,
			 const char **error_r);

#define SIGNET_DEFAULT_SEAL_KEYRING "/etc/signet/seal-keyring.json"
/* Longer than mail waits in a queue while Dovecot is down (days), shorter
   than a replayed header's use to an attacker. */
#define SIGNET_DEFAULT_SEAL_MAX_AGE_DAYS 30

extern const char *signet_plugin_version
	__attribute__((visibility("default")));
void signet_plugin_init(struct module *module)
	__attribute__((visibility("default")));
void signet_plugin_deinit(void) __attribute__((visibility("default")));

#endif
