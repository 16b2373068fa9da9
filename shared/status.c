/* Status names, classes and texts. */
#include <string.h>

#include "internal.h"

struct status_text {
	signet_status st;
	const char *name;
	const char *text;
};

static const struct status_text texts[] = {
	{SIGNET_OK, "ok", "valid"},
	{SIGNET_NOT_SIGNED, "not-signed", "the address carries no signature"},
	{SIGNET_SKIPPED, "skipped", "left unsigned by rule"},
	{SIGNET_E_FADING, "fading",
	 "the address is past its lifetime or used too often; try later"},
	{SIGNET_E_NO_KEY, "no-key", "no usable key for this purpose"},
	{SIGNET_E_CONFIG, "config", "the configuration is unusable"},
	{SIGNET_E_KEYRING, "keyring", "the keyring is unreadable or invalid"},
	{SIGNET_E_IO, "io", "a file or the state store is unreachable"},
	{SIGNET_E_NOMEM, "nomem", "out of memory"},
	{SIGNET_E_INTERNAL, "internal", "internal error"},
	{SIGNET_E_BUFFER, "buffer", "output buffer too small"},
	{SIGNET_E_TOO_LONG, "too-long",
	 "the signed address would exceed RFC 5321 limits"},
	{SIGNET_E_SYNTAX, "syntax", "not a valid address or signed address"},
	{SIGNET_E_FORGED, "forged",
	 "the signature does not match: this address was never issued"},
	{SIGNET_E_UNKNOWN_KEY, "unknown-key",
	 "signed with a key that does not exist or has been destroyed"},
	{SIGNET_E_EXPIRED, "expired", "the address has expired"},
	{SIGNET_E_REVOKED, "revoked", "the address has been revoked"},
	{SIGNET_E_FUTURE, "future",
	 "the address claims to be issued in the future"},
	{SIGNET_E_BAD_HEADER, "bad-header",
	 "the provenance header is malformed"},
	{SIGNET_E_BAD_SEAL, "bad-seal", "the provenance seal does not verify"},
};

static const struct status_text *
find(signet_status st)
{
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (texts[i].st == st)
			return &texts[i];
	}
	return NULL;
}

signet_status
signet_status_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (strcmp(texts[i].name, name) == 0)
			return texts[i].st;
	}
	return SIGNET_E_INTERNAL;
}

signet_class
signet_status_class(signet_status st)
{
	if (st < SIGNET_E_FADING)
		return SIGNET_CLASS_ACCEPT;
	if (st < SIGNET_E_SYNTAX)
		return SIGNET_CLASS_DEFER;
	return SIGNET_CLASS_REJECT;
}

const char *
signet_status_name(signet_status st)
{
	const struct status_text *t = find(st);

	return t != NULL ? t->name : "unknown-status";
}

const char *
signet_strerror(signet_status st)
{
	const struct status_text *t = find(st);

	return t != NULL ? t->text : "unknown status";
}
