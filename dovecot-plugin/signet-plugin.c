/* signet for Dovecot: at delivery, checks the sealed Signet-Provenance
   header of the recipient being delivered, sets keywords, and writes one
   plain-language Signet-Result line (and a Subject tag) into the saved
   message, so IMAP and POP3 users see the same bytes. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "istream.h"
#include "message-address.h"
#include "smtp-address.h"
#include "smtp-params.h"
#include "module-context.h"
#include "mail-user.h"
#include "mail-storage-private.h"
#include "mail-storage-hooks.h"
#include "mail-copy.h"
#include "mail-deliver.h"
#include "raw-storage.h"

#include "signet-copy.h"
#include "signet-plugin.h"

/* lib-lda is linked only into lmtp and dovecot-lda: elsewhere (imap,
   pop3) this resolves to NULL and the plugin stays passive. */
#pragma weak mail_deliver_hook_set
#pragma weak mail_deliver_save

#define SIGNET_USER_CONTEXT(obj) MODULE_CONTEXT(obj, signet_user_module)
#define SIGNET_BOX_CONTEXT(obj) \
	MODULE_CONTEXT_REQUIRE(obj, signet_storage_module)

struct signet_user {
	union mail_user_module_context module_ctx;
	struct signet_plugin_settings set;
	/* Set by the delivery hook for the delivery in progress. */
	const char *rcpt;
	/* The message as this recipient gets it, which the delivery hook
	   gave to Sieve: saved as it is, with these keywords. */
	struct mail *done_mail;
	unsigned int done_keywords;
};

struct signet_mailbox {
	union mailbox_module_context module_ctx;
};

/* LMTP saves the 2nd and later recipients from the 1st one's saved copy,
   which holds only the 1st one's record and tag.  What the raw message
   had is kept here for them. */
struct signet_memo {
	pool_t pool;
	bool valid;
	const char *key;                /* Message-ID and Date */
	ARRAY_TYPE(const_string) prov; /* NULL-terminated */
	/* the first "Subject:", which the hub may have bound the records
	   to and the saved copy may have got a tag in, or NULL */
	const char *subject;
	const char *tag_added;
	/* owner of the raw message of the delivery in progress */
	struct mail_user *raw_user;
};

const char *signet_plugin_version = DOVECOT_ABI_VERSION;

static MODULE_CONTEXT_DEFINE_INIT(signet_user_module,
				  &mail_user_module_register);
static MODULE_CONTEXT_DEFINE_INIT(signet_storage_module,
				  &mail_storage_module_register);

static deliver_mail_func_t *next_deliver_mail;
static bool deliver_hooked;
static struct signet_memo memo;
/* the seal keyring, reloaded when its file changes */
static signet_ctx *seal_ctx;
static struct event *seal_event;

static void
seal_log(void *arg ATTR_UNUSED, enum signet_ctx_fault fault ATTR_UNUSED,
	 const char *text)
{
	e_error(seal_event, "signet: %s (delivering with result unverified)",
		text);
}

/* The seal keyring, or NULL (said once per change of the file): the
   caller delivers with an unverified result. */
static const signet_keyring *
keyring_get(const char *path, struct event *event)
{
	if (seal_ctx == NULL &&
	    signet_ctx_new(seal_log, NULL, &seal_ctx) != SIGNET_OK)
		i_fatal_status(FATAL_OUTOFMEM, "signet: out of memory");
	seal_event = event;
	signet_ctx_refresh_seal(seal_ctx, path, time(NULL));
	seal_event = NULL;
	return signet_ctx_seal_keyring(seal_ctx);
}

static bool
mail_is_raw(struct mail *mail)
{
	return strcmp(mail->box->storage->name, "raw") == 0;
}

static void
memo_clear(void)
{
	memo.valid = FALSE;
	if (memo.pool != NULL)
		p_clear(memo.pool);
	i_zero(&memo.prov);
	memo.key = NULL;
	memo.subject = NULL;
	memo.tag_added = NULL;
}

static void
memo_set(const char *key, const char *subject, const char *const *prov)
{
	memo_clear();
	if (memo.pool == NULL)
		memo.pool = pool_alloconly_create("signet memo", 2048);
	memo.key = p_strdup(memo.pool, key);
	memo.subject = p_strdup(memo.pool, subject);
	p_array_init(&memo.prov, memo.pool, 4);
	for (; prov != NULL && *prov != NULL; prov++) {
		const char *v = p_strdup(memo.pool, *prov);

		array_push_back(&memo.prov, &v);
	}
	array_append_zero(&memo.prov);
	memo.valid = TRUE;
}

static const char *
addr_domain(const char *addr)
{
	const char *at = addr == NULL ? NULL : strrchr(addr, '@');

	return at == NULL || at[1] == '\0' ? NULL : t_str_lcase(at + 1);
}

static const char *
from_domain(const char *value)
{
	const struct message_address *a;

	if (value == NULL)
		return NULL;
	a = message_address_parse(pool_datastack_create(),
				  (const unsigned char *)value, strlen(value),
				  1, 0);
	if (a == NULL || a->domain == NULL || a->domain[0] == '\0')
		return NULL;
	return t_str_lcase(a->domain);
}

/* Is src the copy of the message of the memo that an earlier recipient of
   the same LMTP transaction saved, with that recipient's result? */
static bool
memo_matches(struct mail *src, struct istream *input,
	     struct signet_headers *hdrs_r)
{
	if (!memo.valid || mail_is_raw(src))
		return FALSE;
	return sdc_headers_read(input, hdrs_r) == 0 &&
	       strcmp(memo.key, hdrs_r->key) == 0;
}

/* For a recipient with the plugin off: the message as it arrived. */
static void
restore_filter(struct signet_filter *f_r)
{
	const char *const *prov = array_front(&memo.prov);
	string_t *top = t_str_new(1024);

	i_zero(f_r);
	for (; *prov != NULL; prov++) {
		str_append(top, "Signet-Provenance: ");
		str_append(top, sdc_lf_only(*prov));
		str_append_c(top, '\n');
	}
	f_r->top = str_c(top);
	f_r->strip = memo.tag_added == NULL ? NULL : t_strdup(memo.tag_added);
}

static void
set_keywords(struct mail_save_context *ctx,
	     const struct signet_plugin_settings *set,
	     unsigned int bits)
{
	struct mailbox *box = ctx->transaction->box;
	ARRAY_TYPE(const_string) names;
	struct mail_keywords *kw;
	const char *null = NULL;
	unsigned int i;

	t_array_init(&names, 8);
	/* keep what the caller set (Sieve addflag) */
	if (ctx->data.keywords != NULL) {
		const ARRAY_TYPE(keywords) *all = mail_index_get_keywords(
			box->index);

		for (i = 0; i < ctx->data.keywords->count; i++) {
			const char *name = array_idx_elem(
				all, ctx->data.keywords->idx[i]);

			array_push_back(&names, &name);
		}
	}
	for (i = 0; i < SDP_KW_COUNT; i++) {
		if ((bits & (1u << i)) != 0 && set->keyword[i] != NULL)
			array_push_back(&names, &set->keyword[i]);
	}
	if (array_count(&names) == 0)
		return;
	array_push_back(&names, &null);
	kw = mailbox_keywords_create_valid(box, array_front(&names));
	mailbox_save_set_flags(ctx, ctx->data.flags | ctx->data.pvt_flags, kw);
	mailbox_keywords_unref(&kw);
}

/* Works out this recipient's result for src, whose header is hdrs: the
   keywords, and how the saved copy's header shows the result. */
static void
evaluate_mail(struct mail_user *user, struct mail *src,
	      const struct signet_headers *hdrs, struct event *event,
	      struct signet_filter *f_r, unsigned int *keywords_r)
{
	struct signet_user *suser = SIGNET_USER_CONTEXT(user);
	const struct signet_plugin_settings *set = &suser->set;
	struct signet_eval_in in;
	struct sdp_output out;
	const char *const *prov = NULL, *rcpt, *line, *strip = NULL, *env;
	ARRAY_TYPE(const_string) doms;
	bool raw = mail_is_raw(src);
	string_t *top;
	unsigned int i, tag;
	char folded[SIGNET_EVAL_LINE_MAX + 64];

	i_zero(&in);
	rcpt = suser->rcpt;
	if (rcpt == NULL) {
		/* no delivery hook (e.g. a plugin that does not chain it):
		   LMTP still names the recipient in the event */
		rcpt = event_find_field_recursive_str(user->event, "rcpt_to");
		if (rcpt != NULL)
			rcpt = t_str_lcase(rcpt);
	}
	in.rcpt[0] = rcpt;

	in.subject = hdrs->bind_subject;
	if (!raw && memo.valid && strcmp(memo.key, hdrs->key) == 0) {
		/* a later recipient of the same message: the saved copy
		   it comes from lost the other records and got a tag */
		prov = array_front(&memo.prov);
		strip = memo.tag_added;
		in.subject = memo.subject;
	} else {
		prov = array_front(&hdrs->prov);
		if (raw)
			memo_set(hdrs->key, hdrs->bind_subject, prov);
	}
	in.prov = prov;
	in.prov_count = prov == NULL ? 0 : str_array_length(prov);

	in.message_id = hdrs->msgid;
	in.date = hdrs->bind_date;
	in.from = hdrs->bind_from;
	in.from_domain = from_domain(hdrs->from);
	if (mail_get_special(src, MAIL_FETCH_FROM_ENVELOPE, &env) >= 0)
		in.env_domain = addr_domain(env);

	/* the recipient's own domain is always one of ours */
	t_array_init(&doms, set->domain_count + 1);
	for (i = 0; i < set->domain_count; i++)
		array_push_back(&doms, &set->domains[i]);
	const char *rd = addr_domain(rcpt);
	if (rd != NULL)
		array_push_back(&doms, &rd);
	in.domains = array_front(&doms);
	in.domain_count = array_count(&doms);

	in.now = time(NULL);
	in.seal_max_age = suser->set.seal_max_age;
	if (in.prov_count > 0 && rcpt != NULL)
		in.kr = keyring_get(set->seal_keyring, event);
	sdp_evaluate(&in, &out);
	*keywords_r = out.keywords;

	i_zero(f_r);
	for (tag = 0; tag < SDP_TAG_COUNT; tag++) {
		if ((out.tags & set->subject_tags & (1u << tag)) != 0) {
			f_r->tag = set->tag_text[tag];
			break;
		}
	}
	f_r->strip = strip;
	f_r->memo_tag = raw && memo.valid;

	line = out.e.line[0] != '\0' ? out.e.line
				      : "no signed address involved";
	sdp_fold(line, strlen("Signet-Result: "), folded, sizeof(folded));
	top = t_str_new(1024);
	str_append(top, "Signet-Result: ");
	str_append(top, folded);
	str_append_c(top, '\n');
	if (out.e.prov_idx >= 0) {
		str_append(top, "Signet-Provenance: ");
		str_append(top, sdc_lf_only(prov[out.e.prov_idx]));
		str_append_c(top, '\n');
	}
	f_r->top = str_c(top);

	e_debug(event, "signet: rcpt=%s result=%s verdict=%s check=%s "
		"lookalike=%s records=%u: %s", rcpt == NULL ? "?" : rcpt,
		signet_result_name(out.e.result), out.e.verdict,
		signet_status_name(out.e.status),
		out.e.lookalike ? "yes" : "no",
		(unsigned int)in.prov_count, line);
	if (out.e.result == SIGNET_RESULT_FORGED || out.e.lookalike) {
		e_info(event, "signet: rcpt=%s result=%s%s: %s",
		       rcpt == NULL ? "?" : rcpt,
		       signet_result_name(out.e.result),
		       out.e.lookalike ? " lookalike" : "", line);
	}
}

/* The stream this recipient's copy is saved from, or NULL with nothing
   to change.  -1 when the message cannot be read. */
static int
copy_stream(struct mail_user *user, struct mail *src, struct istream *input,
	    struct event *event, struct istream **output_r,
	    unsigned int *keywords_r)
{
	struct signet_user *suser = SIGNET_USER_CONTEXT(user);
	struct signet_headers hdrs;
	struct signet_filter f;

	*output_r = NULL;
	*keywords_r = 0;
	if (!suser->set.enabled) {
		/* after a recipient with the plugin on */
		if (!memo_matches(src, input, &hdrs))
			return 0;
		restore_filter(&f);
	} else {
		if (sdc_headers_read(input, &hdrs) < 0) {
			e_error(event, "signet: reading the message header: "
				"%s", i_stream_get_error(input));
			return -1;
		}
		evaluate_mail(user, src, &hdrs, event, &f, keywords_r);
	}
	*output_r = sdc_filter_stream(input, &hdrs, &f);
	if (f.memo_tag && f.tag_added && memo.valid && memo.tag_added == NULL)
		memo.tag_added = p_strdup(memo.pool, f.tag);
	return 0;
}

static int
signet_save_begin(struct mail_save_context *ctx, struct istream *input)
{
	struct mailbox *box = ctx->transaction->box;
	struct signet_mailbox *sbox = SIGNET_BOX_CONTEXT(box);
	struct signet_user *suser = SIGNET_USER_CONTEXT(box->storage->user);
	struct mail *src = ctx->copy_src_mail;
	struct istream *filtered;
	unsigned int keywords;
	int ret;

	if (src == NULL)
		return sbox->module_ctx.super.save_begin(ctx, input);
	if (suser->set.enabled && src == suser->done_mail) {
		/* made by the delivery hook: the bytes are already right */
		T_BEGIN {
			set_keywords(ctx, &suser->set, suser->done_keywords);
		} T_END;
		return sbox->module_ctx.super.save_begin(ctx, input);
	}
	T_BEGIN {
		ret = copy_stream(box->storage->user, src, input, box->event,
				  &filtered, &keywords);
		if (ret == 0)
			set_keywords(ctx, &suser->set, keywords);
	} T_END;
	if (ret < 0) {
		/* logged; LMTP answers 4xx and the hub retries */
		mail_storage_set_internal_error(box->storage);
		return -1;
	}
	if (filtered == NULL)
		return sbox->module_ctx.super.save_begin(ctx, input);
	ret = sbox->module_ctx.super.save_begin(ctx, filtered);
	i_stream_unref(&filtered);
	return ret;
}

/* A raw mail holding the message as this recipient will get it: Sieve
   reads the message before it is saved, and can filter on the result. */
static struct mail *
done_mail_open(struct mail_user *user, struct mail *src)
{
	struct signet_user *suser = SIGNET_USER_CONTEXT(user);
	struct mailbox_transaction_context *t;
	struct istream *input, *filtered;
	struct mailbox *box;
	struct mail *mail;
	const char *env;
	time_t received;
	int ret;

	if (memo.raw_user == NULL ||
	    mail_get_stream(src, NULL, NULL, &input) < 0)
		return NULL;
	if (mail_get_received_date(src, &received) < 0)
		received = time(NULL);
	if (mail_get_special(src, MAIL_FETCH_FROM_ENVELOPE, &env) < 0)
		env = "";
	T_BEGIN {
		ret = copy_stream(user, src, input, user->event, &filtered,
				  &suser->done_keywords);
	} T_END;
	if (ret < 0 || filtered == NULL)
		return NULL;
	ret = raw_mailbox_alloc_stream(memo.raw_user, filtered, received,
				       *env == '\0' ? NULL : env, &box);
	i_stream_unref(&filtered);
	if (ret < 0) {
		e_error(user->event, "signet: cannot open the delivered "
			"message: %s",
			mailbox_get_last_internal_error(box, NULL));
		mailbox_free(&box);
		return NULL;
	}
	t = mailbox_transaction_begin(box, 0, __func__);
	mail = mail_alloc(t, 0, NULL);
	mail_set_seq(mail, 1);
	suser->done_mail = mail;
	return mail;
}

static void
done_mail_close(struct mail_user *user, struct mail **_mail)
{
	struct signet_user *suser = SIGNET_USER_CONTEXT(user);
	struct mail *mail = *_mail;
	struct mailbox_transaction_context *t = mail->transaction;
	struct mailbox *box = mail->box;

	*_mail = NULL;
	suser->done_mail = NULL;
	mail_free(&mail);
	mailbox_transaction_rollback(&t);
	mailbox_free(&box);
}

/* The same test lib-lda makes before its default save. */
static bool
deliver_tempfailed(struct mail_deliver_context *ctx,
		   struct mail_storage *storage)
{
	enum mail_error error;

	if (ctx->tempfail_error != NULL)
		return TRUE;
	if (storage == NULL)
		return FALSE;
	(void)mail_storage_get_last_error(storage, &error);
	return error == MAIL_ERROR_TEMP;
}

static int
signet_deliver_mail(struct mail_deliver_context *ctx,
		    struct mail_storage **storage_r)
{
	struct signet_user *suser = SIGNET_USER_CONTEXT(ctx->rcpt_user);
	struct mail *src = ctx->src_mail, *done = NULL;
	int ret;

	/* A delivery from the raw message starts a new transaction. */
	if (src != NULL && mail_is_raw(src)) {
		memo_clear();
		memo.raw_user = src->box->storage->user;
	}
	/* The recipient the LMTP client delivers to, never a client-given
	   ORCPT: that would let one recipient's copy take another's sealed
	   header (and Exim's LMTP transport sends none). */
	if (suser != NULL) {
		const char *r = ctx->rcpt_to == NULL ? NULL :
			smtp_address_encode(ctx->rcpt_to);

		suser->rcpt = r == NULL ? NULL :
			p_strdup(ctx->rcpt_user->pool, t_str_lcase(r));
	}
	if (next_deliver_mail == NULL) {
		/* 0: not handled here, the default save follows */
		return 0;
	}
	if (suser == NULL || src == NULL || mail_deliver_save == NULL ||
	    (!suser->set.enabled && mail_is_raw(src)) ||
	    (done = done_mail_open(ctx->rcpt_user, src)) == NULL)
		return next_deliver_mail(ctx, storage_r);

	ctx->src_mail = done;
	ret = next_deliver_mail(ctx, storage_r);
	if (ret <= 0 && !ctx->saved_mail && !ctx->tried_default_save &&
	    !deliver_tempfailed(ctx, *storage_r)) {
		/* what lib-lda would do next, but with this copy */
		ret = mail_deliver_save(ctx, ctx->rcpt_default_mailbox, 0,
					NULL, storage_r) == 0 ? 1 : -1;
	}
	ctx->src_mail = src;
	done_mail_close(ctx->rcpt_user, &done);
	return ret;
}

static int
signet_copy(struct mail_save_context *ctx, struct mail *mail)
{
	struct mailbox *box = ctx->transaction->box;
	struct signet_mailbox *sbox = SIGNET_BOX_CONTEXT(box);
	struct signet_user *suser = SIGNET_USER_CONTEXT(box->storage->user);
	bool restore = TRUE;

	if (!suser->set.enabled) {
		struct signet_headers hdrs;
		struct istream *input;

		T_BEGIN {
			restore = mail_get_stream(mail, NULL, NULL,
						  &input) == 0 &&
				  memo_matches(mail, input, &hdrs);
		} T_END;
	}
	if (!restore)
		return sbox->module_ctx.super.copy(ctx, mail);
	/* Never let the backend hard-link or share another recipient's
	   copy: each recipient's copy carries its own result. */
	return mail_storage_copy(ctx, mail);
}

static void
signet_mailbox_allocated(struct mailbox *box)
{
	struct signet_user *suser = SIGNET_USER_CONTEXT(box->storage->user);
	struct mailbox_vfuncs *v = box->vlast;
	struct signet_mailbox *sbox;

	/* only deliveries (LMTP, LDA, Sieve); with the plugin off, only to
	   undo what an earlier recipient's copy got */
	if (suser == NULL || (box->flags & MAILBOX_FLAG_POST_SESSION) == 0)
		return;
	sbox = p_new(box->pool, struct signet_mailbox, 1);
	sbox->module_ctx.super = *v;
	box->vlast = &sbox->module_ctx.super;
	v->save_begin = signet_save_begin;
	v->copy = signet_copy;
	MODULE_CONTEXT_SET(box, signet_storage_module, sbox);
}

static void
signet_mail_user_created(struct mail_user *user)
{
	struct signet_user *suser;
	const char *error;

	suser = p_new(user->pool, struct signet_user, 1);
	if (signet_settings_read(user, &suser->set, &error) < 0) {
		user->error = p_strdup_printf(user->pool, "signet: %s", error);
		return;
	}
	MODULE_CONTEXT_SET(user, signet_user_module, suser);
	e_debug(user->event, "signet: enabled=%s seal_keyring=%s domains=%u",
		suser->set.enabled ? "yes" : "no", suser->set.seal_keyring,
		suser->set.domain_count);
}

static struct mail_storage_hooks signet_mail_storage_hooks = {
	.mail_user_created = signet_mail_user_created,
	.mailbox_allocated = signet_mailbox_allocated,
};

void
signet_plugin_init(struct module *module)
{
	mail_storage_hooks_add(module, &signet_mail_storage_hooks);
	if (mail_deliver_hook_set != NULL) {
		next_deliver_mail = mail_deliver_hook_set(signet_deliver_mail);
		deliver_hooked = TRUE;
	}
}

void
signet_plugin_deinit(void)
{
	if (deliver_hooked) {
		mail_deliver_hook_set(next_deliver_mail);
		deliver_hooked = FALSE;
	}
	mail_storage_hooks_remove(&signet_mail_storage_hooks);
	memo_clear();
	if (memo.pool != NULL)
		pool_unref(&memo.pool);
	signet_ctx_free(&seal_ctx);
}
