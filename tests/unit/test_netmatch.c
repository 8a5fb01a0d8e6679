/*
 * test_netmatch - mynetworks as Postfix writes it: IPv4 and IPv6 CIDR,
 * bracketed IPv6, bare addresses, tables and files set aside; removing one
 * trusted IP; domain lists for "is this sender domain ours".
 */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "core/incident/netmatch.h"
#include "core/incident/our_domains.h"

static void ipv4_and_ipv6_blocks_match_by_prefix(void **state)
{
	(void)state;
	struct net_list l;
	net_list_parse(&l, "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128, 192.0.2.16/28 2001:db8::/32 10.1.2.3");
	assert_int_equal(l.count, 6);
	assert_string_equal(net_list_match(&l, "127.0.0.2")->text, "127.0.0.0/8");
	assert_string_equal(net_list_match(&l, "::1")->text, "[::1]/128");
	assert_string_equal(net_list_match(&l, "192.0.2.31")->text, "192.0.2.16/28");
	assert_null(net_list_match(&l, "192.0.2.32"));
	assert_null(net_list_match(&l, "192.0.2.15"));
	assert_string_equal(net_list_match(&l, "2001:db8:ffff::25")->text, "2001:db8::/32");
	assert_string_equal(net_list_match(&l, "[IPv6:2001:db8::1]")->text, "2001:db8::/32");
	assert_null(net_list_match(&l, "2001:db9::1"));
	assert_string_equal(net_list_match(&l, "10.1.2.3")->text, "10.1.2.3");
	assert_null(net_list_match(&l, "10.1.2.4"));
	assert_null(net_list_match(&l, "not-an-ip"));
	net_list_free(&l);
}

static void tables_and_files_are_reported_not_evaluated(void **state)
{
	(void)state;
	struct net_list l;
	net_list_parse(&l, "127.0.0.0/8 cidr:/etc/postfix/trusted.cidr /etc/postfix/network_table hash:/etc/postfix/nets 300.1.1.1 10.0.0.0/33");
	assert_int_equal(l.count, 1);
	assert_string_equal(buf_str(&l.not_evaluated), "cidr:/etc/postfix/trusted.cidr\n/etc/postfix/network_table\nhash:/etc/postfix/nets\n");
	assert_string_equal(buf_str(&l.invalid), "300.1.1.1\n10.0.0.0/33\n");
	net_list_free(&l);
}

static void removing_a_trusted_ip_keeps_the_rest_and_names_wider_blocks(void **state)
{
	(void)state;
	struct net_list l;
	const struct net_entry *covered;
	struct buf out = BUF_INIT;
	net_list_parse(&l, "127.0.0.1/32 127.0.0.2/32");
	assert_int_equal(net_list_without(&l, "127.0.0.2", &out, &covered), 1);
	assert_string_equal(buf_str(&out), "127.0.0.1/32");
	assert_null(covered);
	net_list_free(&l);

	buf_reset(&out);
	net_list_parse(&l, "127.0.0.0/8 [::1]/128 192.0.2.25 hash:/etc/postfix/more");
	assert_int_equal(net_list_without(&l, "192.0.2.25", &out, &covered), 1);
	assert_string_equal(buf_str(&out), "127.0.0.0/8 [::1]/128 hash:/etc/postfix/more");
	buf_reset(&out);
	assert_int_equal(net_list_without(&l, "127.0.0.2", &out, &covered), 0);
	assert_non_null(covered);
	assert_string_equal(covered->text, "127.0.0.0/8");
	assert_string_equal(buf_str(&out), "127.0.0.0/8 [::1]/128 192.0.2.25 hash:/etc/postfix/more");
	buf_reset(&out);
	assert_int_equal(net_list_without(&l, "::1", &out, &covered), 1);
	assert_string_equal(buf_str(&out), "127.0.0.0/8 192.0.2.25 hash:/etc/postfix/more");
	net_list_free(&l);
	buf_free(&out);
}

static void domain_lists_match_whole_names_case_insensitively(void **state)
{
	(void)state;
	struct domain_list d;
	memset(&d, 0, sizeof(d));
	domain_list_add(&d, "lab.example, mail.lab.example, localhost");
	domain_list_add(&d, "Example.ORG hash:/etc/postfix/virtual_domains");
	assert_true(domain_list_has(&d, "LAB.example", 11));
	assert_true(domain_list_has(&d, "example.org", 11));
	assert_false(domain_list_has(&d, "cheap-pills.example", 19));
	assert_false(domain_list_has(&d, "sub.lab.example", 15));
	assert_false(domain_list_has(&d, "", 0));
	assert_string_equal(buf_str(&d.not_evaluated), "hash:/etc/postfix/virtual_domains\n");
	domain_list_free(&d);
}

/* a domain list's tables and files are read where they can be: a file's
 * words (comments and exclusions left out), an indexed table's keys as
 * postmap -s prints them (key, blank, value); an SQL table, a table postmap
 * cannot open and a file that cannot be read stay named as not evaluated */
static void domain_list_tables_are_listed_where_postmap_can(void **state)
{
	(void)state;
	char dir[] = "/tmp/spamtop-test-postmap.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char script[512], file[160], value[512];
	snprintf(script, sizeof(script),
		 "[ \"$1\" = -s ] || exit 2\n"
		 "case \"$2\" in hash:%s/relay) printf 'Inside.example\\tOK\\nsecond.example OK\\n' ;;\n"
		 "*) echo \"postmap: fatal: open $2: No such file\" >&2; exit 1 ;; esac\n", dir);
	char *saved = test_fake_program(dir, "postmap", script);
	snprintf(file, sizeof(file), "%s/domains", dir);
	const char *text = "# ours\nfiled.example, other.example # trailing\n!not.example\n";
	test_write_file(file, text, strlen(text));
	snprintf(value, sizeof(value), "lab.example hash:%s/relay %s mysql:/etc/postfix/d.cf hash:%s/none %s/absent",
		 dir, file, dir, dir);
	struct domain_list d;
	memset(&d, 0, sizeof(d));
	domain_list_add(&d, value);
	domain_list_read_tables(&d);
	static const char *const ours[] = {"lab.example", "inside.example", "second.example", "filed.example",
					   "other.example"};
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		assert_true(domain_list_has(&d, ours[i], strlen(ours[i])));
	assert_false(domain_list_has(&d, "not.example", 11));
	assert_false(domain_list_has(&d, "OK", 2));
	assert_false(domain_list_has(&d, "trailing", 8));
	char unread[512];
	snprintf(unread, sizeof(unread), "mysql:/etc/postfix/d.cf\nhash:%s/none\n%s/absent\n", dir, dir);
	assert_string_equal(buf_str(&d.not_evaluated), unread);
	char read_from[1024];	/* every table and file, read or not: what a console watches */
	snprintf(read_from, sizeof(read_from), "hash:%s/relay\n%s\nmysql:/etc/postfix/d.cf\nhash:%s/none\n%s/absent\n",
		 dir, file, dir, dir);
	assert_string_equal(buf_str(&d.read_from), read_from);
	domain_list_free(&d);
	/* relay_domains, its names standing for their subdomains (Postfix's default):
	 * a table's keys too; an unlisted table is named as the others are */
	memset(&d, 0, sizeof(d));
	snprintf(value, sizeof(value), "gw.example hash:%s/relay hash:%s/none", dir, dir);
	domain_list_add_relay(&d, value, 1);
	domain_list_read_tables(&d);
	assert_true(domain_list_has(&d, "gw.example", 10));
	assert_true(domain_list_has(&d, "mx.gw.example", 13));
	assert_true(domain_list_has(&d, "a.b.inside.example", 18));
	assert_true(domain_list_has(&d, "inside.example", 14));
	assert_false(domain_list_has(&d, "xinside.example", 15));
	snprintf(unread, sizeof(unread), "hash:%s/none\n", dir);
	assert_string_equal(buf_str(&d.not_evaluated), unread);
	domain_list_free(&d);
	test_stand_ins_end(dir, saved);
}

/* set_mtime - the file's change time set to a second of our choosing */
static void set_mtime(const char *path, time_t sec)
{
	struct timespec ts[2] = {{sec, 0}, {sec, 0}};
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/*
 * The console's watch on what our domains were read from sees each way they
 * change: main.cf edited, a table rebuilt by postmap (its .db), a table's
 * file that was not there, a listed file grown; and sees nothing when
 * nothing changed (a table in a database has no file to watch).
 */
static void a_watch_sees_main_cf_and_the_domain_tables_change(void **state)
{
	(void)state;
	char dir[] = "/tmp/spamtop-test-watch.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char main_cf[128], db[128], listed[128], later[128], word[160];
	snprintf(main_cf, sizeof(main_cf), "%s/main.cf", dir);
	snprintf(db, sizeof(db), "%s/relay.db", dir);
	snprintf(listed, sizeof(listed), "%s/domains", dir);
	snprintf(later, sizeof(later), "%s/later.lmdb", dir);
	test_write_file(main_cf, "relay_domains = hash:relay\n", 27);
	test_write_file(db, "one", 3);
	test_write_file(listed, "a.example\n", 10);
	struct our_domains_watch w = {BUF_INIT, 0};
	our_domains_watch_add(&w, main_cf);
	snprintf(word, sizeof(word), "hash:%s/relay", dir);
	our_domains_watch_add(&w, word);
	our_domains_watch_add(&w, listed);
	our_domains_watch_add(&w, "mysql:/etc/postfix/mysql-domains.cf");
	snprintf(word, sizeof(word), "lmdb:%s/later", dir);
	our_domains_watch_add(&w, word);
	our_domains_watch_stamp(&w);
	assert_false(our_domains_watch_changed(&w));
	test_write_file(db, "one two", 7);	/* postmap rebuilt the table */
	assert_true(our_domains_watch_changed(&w));
	our_domains_watch_stamp(&w);
	assert_false(our_domains_watch_changed(&w));
	test_write_file(later, "x", 1);	/* a table's file that was missing */
	assert_true(our_domains_watch_changed(&w));
	our_domains_watch_stamp(&w);
	test_write_file(listed, "a.example\nb.example\n", 20);
	assert_true(our_domains_watch_changed(&w));
	our_domains_watch_stamp(&w);
	set_mtime(main_cf, 1000000000);	/* the same size, another time */
	assert_true(our_domains_watch_changed(&w));
	our_domains_watch_stamp(&w);
	assert_false(our_domains_watch_changed(&w));
	our_domains_watch_free(&w);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* addr: this machine's loopback in any spelling an address may take, and no
 * other 127/8 address; an address's characters, and nothing else */
static void loopback_and_address_text_are_told_from_other_text(void **state)
{
	(void)state;
	static const char *const loopback[] = {"127.0.0.1", "::1", "[::1]", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"};
	for (size_t i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++)
		assert_true(addr_is_local_loopback(loopback[i]));
	static const char *const other[] = {"127.0.0.2", "::2", "192.0.2.1", "localhost", "", "127.0.0.1 ", NULL};
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		assert_false(addr_is_local_loopback(other[i]));
	assert_true(addr_text("2001:DB8::a:1", 13));
	assert_true(addr_text("192.0.2.1", 9));
	assert_false(addr_text("1.2.3.4 }", 9));
	assert_false(addr_text("1.2.3.4\x1b[2J", 11));
	assert_false(addr_text("", 0));
	char long_text[47];
	memset(long_text, '1', sizeof(long_text));
	assert_false(addr_text(long_text, sizeof(long_text)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_and_ipv6_blocks_match_by_prefix),
		cmocka_unit_test(tables_and_files_are_reported_not_evaluated),
		cmocka_unit_test(removing_a_trusted_ip_keeps_the_rest_and_names_wider_blocks),
		cmocka_unit_test(domain_lists_match_whole_names_case_insensitively),
		cmocka_unit_test(domain_list_tables_are_listed_where_postmap_can),
		cmocka_unit_test(a_watch_sees_main_cf_and_the_domain_tables_change),
		cmocka_unit_test(loopback_and_address_text_are_told_from_other_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
