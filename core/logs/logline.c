/*
 * logline - hand-written scanner for the syslog prefix (see logline.h).
 *
 * This runs once per input line: no regex, no allocation, no strlen over
 * the line. The BSD time stamp is converted once per distinct minute.
 */
#include "core/logs/logline.h"

#include <string.h>

static const char month_names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* The bytes that end a program's name, or part it ('/') */
static const unsigned char program_stop[256] = {['['] = 1, [':'] = 1, [' '] = 1, ['/'] = 1};

/* Postfix daemons and commands that log under syslog_name/daemon. */
static const char *const postfix_services[] = {
	"smtpd", "smtp", "lmtp", "qmgr", "oqmgr", "cleanup", "pickup", "local",
	"virtual", "pipe", "error", "retry", "discard", "bounce", "defer", "trace",
	"postsuper", "anvil", "postscreen", "dnsblog", "tlsproxy", "tlsmgr",
	"master", "scache", "showq", "flush", "verify", "proxymap", "proxywrite",
	"trivial-rewrite", "sendmail", "postdrop", "postqueue", "postfix-script",
	"postlogd", "qmqpd", "spawn", "postmap", "postalias", "postmulti", "postlog",
	NULL,
};

void time_context_init(struct time_context *tc, time_t reference)
{
	struct tm tm;
	localtime_r(&reference, &tm);
	memset(tc, 0, sizeof(*tc));
	tc->reference = (int64_t)reference;
	tc->ref_year = tm.tm_year + 1900;
}

static int digit(char c) { return c >= '0' && c <= '9'; }

/* num - parse exactly n digits at s; -1 if any is not a digit */
static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* days_from_civil - days since 1970-01-01 of a proleptic Gregorian date */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t utc_epoch(int y, int mo, int d, int h, int mi, int s)
{
	return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

/* local_epoch - local wall-clock minute of a given year to UTC epoch */
static int64_t local_epoch(int year, int mon, int day, int h, int mi)
{
	struct tm tm = {0};
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return utc_epoch(year, mon, day, h, mi, 0);
	return (int64_t)t;
}

/* cached_minute - *out for second sec of the n-byte minute stamp s, when it is the cache's */
static int cached_minute(const struct minute_cache *c, const char *s, size_t n, int sec, int64_t *out)
{
	if (!c->stamp[0] || !bytes_eq(s, c->stamp, n))
		return 0;
	*out = c->epoch + sec;
	return 1;
}

static void keep_minute(struct minute_cache *c, const char *s, size_t n, int64_t epoch)
{
	memcpy(c->stamp, s, n);
	c->epoch = epoch;
}

/* bsd_minute_epoch - the reference year, unless that puts the stamp in the
 * future (beyond 2 days of clock skew): December lines read in January */
static int64_t bsd_minute_epoch(const struct time_context *tc, int mon, int day, int h, int mi)
{
	int64_t t = local_epoch(tc->ref_year, mon, day, h, mi);
	if (t > tc->reference + 2 * 86400)
		t = local_epoch(tc->ref_year - 1, mon, day, h, mi);
	return t;
}

/* parse_bsd_time - "Mmm dd hh:mm:ss" (15 bytes); "Mmm d hh:mm:ss" (14: a
 * day written without padding, as some relays and examples do) is read as
 * its padded form */
static size_t parse_bsd_time(struct time_context *tc, const char *s, size_t len, int64_t *out)
{
	if (len >= 15 && s[3] == ' ' && digit(s[4]) && s[5] == ' ' && digit(s[6])) {
		char padded[16];
		memcpy(padded, s, 4);
		padded[4] = ' ';
		memcpy(padded + 5, s + 4, 10);
		padded[15] = ' ';
		return parse_bsd_time(tc, padded, sizeof(padded), out) ? 14 : 0;
	}
	if (len < 16 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':')
		return 0;
	int sec = num(s + 13, 2);
	if (sec < 0 || sec > 60)
		return 0;
	if (cached_minute(&tc->bsd, s, 12, sec, out))
		return 15;
	int mon = 0;
	for (int i = 0; i < 12; i++)
		if (memcmp(s, month_names + 3 * i, 3) == 0)
			mon = i + 1;
	int day = s[4] == ' ' ? num(s + 5, 1) : num(s + 4, 2);
	int h = num(s + 7, 2), mi = num(s + 10, 2);
	if (mon == 0 || day < 1 || day > 31 || h < 0 || h > 23 || mi < 0 || mi > 59)
		return 0;
	keep_minute(&tc->bsd, s, 12, bsd_minute_epoch(tc, mon, day, h, mi));
	*out = tc->bsd.epoch + sec;
	return 15;
}

/* parse_iso_time - "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|+hhmm)" */
static size_t parse_iso_time(const char *s, size_t len, int64_t *out)
{
	if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ')
	    || s[13] != ':' || s[16] != ':')
		return 0;
	int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);
	int h = num(s + 11, 2), mi = num(s + 14, 2), sec = num(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0
	    || mi > 59 || sec < 0 || sec > 60)
		return 0;
	size_t i = 19;
	if (i < len && (s[i] == '.' || s[i] == ',')) {
		i++;
		while (i < len && digit(s[i]))
			i++;
	}
	int64_t offset = 0;
	if (i < len && s[i] == 'Z') {
		i++;
	} else if (i + 5 <= len && (s[i] == '+' || s[i] == '-')) {
		int oh = num(s + i + 1, 2), om;
		size_t used;
		if (s[i + 3] == ':' && i + 6 <= len) {
			om = num(s + i + 4, 2);
			used = 6;
		} else {
			om = num(s + i + 3, 2);
			used = 5;
		}
		if (oh < 0 || om < 0)
			return 0;
		offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
		i += used;
	} else {
		return 0;	/* a stamp without a zone is ambiguous: not ours */
	}
	*out = utc_epoch(y, mo, d, h, mi, sec) - offset;
	return i;
}

/* parse_local_iso_time - "YYYY-MM-DD HH:MM:SS", local time without a zone:
 * a log_timestamp Dovecot's own log files are often given; read for them only */
static size_t parse_local_iso_time(struct time_context *tc, const char *s, size_t len, int64_t *out)
{
	if (len < 20 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' || s[19] != ' ')
		return 0;
	int sec = num(s + 17, 2);
	if (sec < 0 || sec > 60)
		return 0;
	if (cached_minute(&tc->iso, s, 16, sec, out))
		return 19;
	int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2), h = num(s + 11, 2), mi = num(s + 14, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59)
		return 0;
	keep_minute(&tc->iso, s, 16, local_epoch(y, mo, d, h, mi));
	*out = tc->iso.epoch + sec;
	return 19;
}

size_t logline_parse_time(struct time_context *tc, const char *s, size_t len, int64_t *out)
{
	if (len > 0 && digit(s[0]))
		return parse_iso_time(s, len, out);
	return parse_bsd_time(tc, s, len, out);
}

/* is_postfix_program - "postfix*" or ".../<postfix daemon>" */
static int is_postfix_program(struct strview program, struct strview service)
{
	if (program.len >= 7 && bytes_eq(program.ptr, "postfix", 7))
		return 1;
	if (service.len == program.len)
		return 0;	/* no '/': some other program */
	for (const char *const *p = postfix_services; *p; p++)
		if (sv_eq(service, *p))
			return 1;
	return 0;
}

/* Dovecot's log types, written after its prefix in its own files (failures.c) */
static const char *const dovecot_types[] = {"Info: ", "Warning: ", "Error: ", "Debug: ", "Fatal: ", "Panic: ", NULL};

/*
 * dovecot_file_line - "PREFIX: TYPE: message" after the stamp: a line of
 * Dovecot's own log file (log_path, info_log_path), which has no host and no
 * program ("imap-login: Info: Login: ..."). The prefix holds no space
 * ("imap-login", "submission(USER)<PID><SESSION>", "auth-worker(123)") and
 * ends at sp; the line is given as a Dovecot line of this machine, its text
 * the prefix on.
 */
__attribute__((noinline, cold)) static int dovecot_file_line(const char *p, const char *sp, const char *end, struct log_line *out)
{
	if (sp == NULL || sp - p < 2 || sp[-1] != ':')
		return 0;
	const char *type = sp + 1;
	const char *const *t = dovecot_types;
	while (*t && !((size_t)(end - type) > strlen(*t) && bytes_eq(type, *t, strlen(*t))))
		t++;
	if (*t == NULL)
		return 0;
	static const char dovecot[] = "dovecot";
	out->host = (struct strview){p, 0};
	out->program = out->instance = out->service = (struct strview){dovecot, sizeof(dovecot) - 1};
	out->master_service = (struct strview){dovecot, 0};
	out->pid = -1;
	out->text = (struct strview){p, (size_t)(end - p)};
	return 1;
}

/* zoneless_line - a line whose stamp no syslog form reads: Dovecot's own file
 * with a "YYYY-MM-DD HH:MM:SS" log_timestamp, else malformed (a stamp without
 * a zone is ambiguous) */
__attribute__((noinline, cold)) static enum line_status zoneless_line(struct time_context *tc, const char *line,
								       size_t len, struct log_line *out)
{
	size_t i = len > 0 && digit(line[0]) ? parse_local_iso_time(tc, line, len, &out->time) : 0;
	if (i == 0 || i + 1 >= len || line[i] != ' ')
		return LINE_MALFORMED;
	const char *p = line + i + 1, *end = line + len;
	const char *sp = memchr(p, ' ', (size_t)(end - p));
	return dovecot_file_line(p, sp, end, out) ? LINE_OTHER : LINE_MALFORMED;
}

enum line_status logline_parse(struct time_context *tc, const char *line, size_t len,
			       struct log_line *out)
{
	size_t i = logline_parse_time(tc, line, len, &out->time);
	if (i == 0)
		return zoneless_line(tc, line, len, out);
	if (i >= len || line[i] != ' ')
		return LINE_MALFORMED;
	i++;
	/* host */
	const char *p = line + i, *end = line + len;
	const char *sp = p;
	while (sp < end && *sp != ' ')	/* a few bytes: no memchr call */
		sp++;
	if (sp == end)
		return LINE_MALFORMED;
	if (sp > p && sp[-1] == ':' && dovecot_file_line(p, sp, end, out))	/* no host name ends in ':' */
		return LINE_OTHER;
	if (sp == p)
		return LINE_MALFORMED;
	out->host = (struct strview){p, (size_t)(sp - p)};
	/* program[pid]: or program: */
	p = sp + 1;
	const char *q = p;
	const char *last_slash = NULL, *first_slash = NULL;
	if (end - q > 8 && bytes_eq(q, "postfix/", 8)) {	/* most lines: skip what is known */
		first_slash = last_slash = q + 7;
		q += 8;
	}
	for (;;) {	/* to '[', ':' or ' ', noting the slashes */
		while (q < end && !program_stop[(unsigned char)*q])
			q++;
		if (q == end || *q != '/')
			break;
		if (!first_slash)
			first_slash = q;
		last_slash = q++;
	}
	if (q == end || q == p || *q == ' ')
		return LINE_MALFORMED;
	out->program = (struct strview){p, (size_t)(q - p)};
	out->instance = (struct strview){p, (size_t)((first_slash ? first_slash : q) - p)};
	const char *svc = last_slash ? last_slash + 1 : p;
	out->service = (struct strview){svc, (size_t)(q - svc)};
	out->master_service = first_slash == last_slash ? (struct strview){svc, 0}
		: (struct strview){first_slash + 1, (size_t)(last_slash - first_slash - 1)};
	out->pid = -1;
	if (*q == '[') {
		long pid = 0;
		q++;
		const char *lim = end - q > 9 ? q + 9 : end;	/* at most 9 digits */
		while (q < lim && digit(*q))
			pid = pid * 10 + (*q++ - '0');
		if (q >= end || *q != ']')
			return LINE_MALFORMED;
		out->pid = pid;
		q++;
	}
	if (q >= end || *q != ':')
		return LINE_MALFORMED;
	q++;
	if (q < end && *q == ' ')
		q++;
	out->text = (struct strview){q, (size_t)(end - q)};
	return is_postfix_program(out->program, out->service) ? LINE_POSTFIX : LINE_OTHER;
}
