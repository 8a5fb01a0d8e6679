/*
 * postfix_block - an account or a host blocked in Postfix (see postfix_block.h).
 */
#include "core/incident/postfix_block.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/incident/cleanup.h"
#include "core/incident/netmatch.h"
#include "core/base/run.h"
#include "core/base/safefile.h"
#include "core/base/spawn.h"

static const struct {
	const char *table, *restriction, *check, *type, *reject, *what;
} kinds[] = {
	[BLOCK_ACCOUNT] = {"spamtop/sasl_access", "smtpd_sender_restrictions", "check_sasl_access", "texthash",
			   "REJECT 5.7.1 account blocked by spamtop: it sent spam; ask the postmaster", "account"},
	[BLOCK_HOST] = {"spamtop/client_access", "smtpd_client_restrictions", "check_client_access", "cidr",
			"REJECT 5.7.1 host blocked by spamtop: it sent spam; ask the postmaster", "host"},
};

const char *block_table_name(enum block_kind kind) { return kinds[kind].table; }
const char *block_restriction(enum block_kind kind) { return kinds[kind].restriction; }

static int key_refused(enum block_kind kind, const char *user, struct error *err)
{
	struct net_entry e;
	if (kind == BLOCK_HOST && (strchr(user, '[') || net_parse_entry(user, &e) < 0 || e.negated || e.prefix != 128)) {
		error_set(err, "'%.80s' is not an address: it cannot be a table key", user);
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)user; *p; p++)	/* first: the message below quotes it */
		if (*p <= ' ' || *p == 0x7f) {
			error_set(err, "an account name with a blank or a control character cannot be a table key");
			return -1;
		}
	if (user[0] == 0 || user[0] == '#') {
		error_set(err, "'%.80s' cannot be a table key (empty, or '#' first)", user);
		return -1;
	}
	return 0;
}

/* table_without - the table's text without user's lines; 1 if it had one */
static int table_without(const char *text, const char *user, struct buf *out)
{
	size_t ulen = strlen(user);
	int had = 0;
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		int mine = len > ulen && strncasecmp(p, user, ulen) == 0 && (p[ulen] == ' ' || p[ulen] == '\t');
		had |= mine;
		if (!mine) {
			buf_append(out, p, len);
			buf_putc(out, '\n');
		}
		p += len + (p[len] == '\n');
	}
	return had;
}

/* master_overrides - services of master.cf that set their own restriction list */
static void master_overrides(const struct postfix_conf *c, const char *restriction, struct buf *notes)
{
	char probe[80];
	snprintf(probe, sizeof(probe), "/%s =", restriction);
	static const char *const words[] = {"-P", NULL};
	char *argv[8];
	postfix_argv(&c->inst, "postconf", words, argv);
	struct spawn_result res;
	struct error err;
	if (spawn_run(argv, NULL, 0, 10000, &res, &err) < 0)
		return;
	for (char *p = (char *)buf_str(&res.out); *p;) {	/* "submission/inet/smtpd_sender_restrictions = ..." */
		size_t len = strcspn(p, "\n");
		char *next = p + len + (p[len] == '\n');
		p[len] = 0;
		const char *hit = strstr(p, probe);
		if (hit)
			buf_printf(notes, "the service %.*s sets its own %s in master.cf: the block does not reach it; "
				   "add the check there by hand\n", (int)(hit - p), p, restriction);
		p = next;
	}
	spawn_result_free(&res);
}

int block_plan_make(const struct postfix_conf *c, enum block_kind kind, const char *key, int block, struct block_plan *p,
		    struct error *err)
{
	memset(p, 0, sizeof(*p));
	if (key_refused(kind, key, err) < 0)
		return -1;
	p->kind = kind;
	p->block = block;
	snprintf(p->key, sizeof(p->key), "%s", key);
	snprintf(p->table, sizeof(p->table), "%s/%s", c->config_dir, kinds[kind].table);
	if (cleanup_postconf(&c->inst, kinds[kind].restriction, 0, &p->restr_before, err) < 0)
		return -1;
	struct buf text = BUF_INIT;
	safe_file_read(p->table, &text);
	int had = table_without(buf_str(&text), key, &p->table_after);
	buf_free(&text);
	char check[600];
	snprintf(check, sizeof(check), "%s %s:%s", kinds[kind].check, kinds[kind].type, p->table);
	p->restr_change = block && strstr(buf_str(&p->restr_before), check) == NULL;
	if (block)
		buf_printf(&p->table_after, "%s %s\n", key, kinds[kind].reject);
	if (p->restr_change)
		buf_printf(&p->restr_after, "%s%s%s", check, p->restr_before.len ? ", " : "", buf_str(&p->restr_before));
	else
		buf_puts(&p->restr_after, buf_str(&p->restr_before));
	if (block)
		master_overrides(c, kinds[kind].restriction, &p->notes);
	if (!block && !had)
		buf_printf(&p->notes, "%s is not blocked by spamtop\n", key);
	p->runnable = block || had;
	return 0;
}

void block_plan_free(struct block_plan *p)
{
	buf_free(&p->table_after);
	buf_free(&p->restr_before);
	buf_free(&p->restr_after);
	buf_free(&p->notes);
}

/* write_table - the table replaced whole, journaled (its folder made first) */
static int write_table(const struct block_plan *p, const char *journal_path, struct error *err)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s", p->table);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		error_errno(err, errno, "cannot create %s", dir);
		return -1;
	}
	char action[40];
	snprintf(action, sizeof(action), "%s-%s", p->block ? "block" : "unblock", kinds[p->kind].what);
	struct file_replace r = {p->table, &p->table_after, action, p->key, 0644};
	return run_file_replace(&r, journal_path, err);
}

int block_apply(const struct postfix_conf *c, const struct block_plan *p, const char *journal_path, struct buf *backup,
		struct buf *out, struct error *err)
{
	if (!p->runnable) {
		error_set(err, "nothing to change");
		return -1;
	}
	if (write_table(p, journal_path, err) < 0)
		return -1;
	if (p->restr_change && cleanup_postconf_edit(c, kinds[p->kind].restriction, buf_str(&p->restr_after),
						     kinds[p->kind].check, NULL, NULL, journal_path, backup, out, err) < 0)
		return -1;
	int rc = cleanup_reload(c, journal_path, out, err);
	if (rc > 0)
		error_set(err, "postfix reload failed (exit status %d): the table is written but not in force", rc);
	return rc == 0 ? 0 : -1;
}

int block_now(const struct postfix_conf *c, enum block_kind kind, const char *key, const char *journal_path,
	      struct buf *notes, struct error *err)
{
	struct block_plan plan;
	struct buf backup = BUF_INIT, out = BUF_INIT;
	int rc = block_plan_make(c, kind, key, 1, &plan, err);
	if (rc == 0) {
		buf_append(notes, plan.notes.data ? plan.notes.data : "", plan.notes.len);
		rc = block_apply(c, &plan, journal_path, &backup, &out, err);
		block_plan_free(&plan);
	}
	buf_free(&backup);
	buf_free(&out);
	return rc;
}
