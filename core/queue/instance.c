/*
 * instance - this host's Postfix instances (see instance.h).
 */
#include "core/queue/instance.h"

#include <stdio.h>
#include <string.h>

#include "core/base/spawn.h"

void instance_set_default(struct instance_set *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->at[0].syslog_name, sizeof(s->at[0].syslog_name), "postfix");
	s->count = 1;
}

/* next_field - the blank-separated field at *p (advanced past it) */
static size_t next_field(const char **p, const char *end, const char **start)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	*start = *p;
	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	return (size_t)(*p - *start);
}

/* copy_field - into a fixed field; 0 if it does not fit */
static int copy_field(char *dst, size_t size, const char *s, size_t len)
{
	if (len == 0 || len >= size)
		return 0;
	memcpy(dst, s, len);
	dst[len] = 0;
	return 1;
}

int instance_parse_postmulti(struct instance_set *s, const char *text, size_t len)
{
	instance_set_default(s);
	int others = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *name, *group, *enabled, *dir;
		size_t nlen = next_field(&p, e, &name);
		size_t glen = next_field(&p, e, &group);
		size_t elen = next_field(&p, e, &enabled);
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		dir = p;	/* the rest of the line: a directory may hold blanks */
		size_t dlen = (size_t)(e - dir);
		int is_default = nlen == 1 && name[0] == '-';
		if (nlen && glen && elen && dlen && dir[0] == '/' && !is_default && s->count < INSTANCE_MAX) {
			struct postfix_instance *in = &s->at[s->count];
			memset(in, 0, sizeof(*in));
			if (copy_field(in->name, sizeof(in->name), name, nlen)
			    && copy_field(in->config_dir, sizeof(in->config_dir), dir, dlen)) {
				memcpy(in->syslog_name, in->name, sizeof(in->syslog_name));
				s->count++;
				others++;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return 1 + others;
}

int instance_argv(const struct postfix_instance *in, const char *prog, char *argv[3])
{
	argv[0] = (char *)prog;
	if (in == NULL || in->config_dir[0] == 0)
		return 1;
	argv[1] = "-c";
	argv[2] = (char *)in->config_dir;
	return 3;
}

/* read_syslog_name - postconf [-c DIR] -hx syslog_name, up to its first '/' */
static void read_syslog_name(struct postfix_instance *in, int timeout_ms)
{
	char *argv[7];
	int n = instance_argv(in, "postconf", argv);
	argv[n++] = "-hx";
	argv[n++] = "syslog_name";
	argv[n] = NULL;
	struct spawn_result res;
	struct error err;
	if (spawn_run(argv, NULL, 0, timeout_ms, &res, &err) < 0)
		return;
	if (res.exited && res.status == 0 && res.out.len) {
		const char *v = buf_str(&res.out);
		size_t len = strcspn(v, "/\n");
		if (len && len < sizeof(in->syslog_name) && len <= res.out.len) {
			memcpy(in->syslog_name, v, len);
			in->syslog_name[len] = 0;
		}
	}
	spawn_result_free(&res);
}

void instance_discover(struct instance_set *s, int timeout_ms)
{
	instance_set_default(s);
	char *argv[] = {"postmulti", "-l", NULL};
	struct spawn_result res;
	struct error err;
	if (spawn_run(argv, NULL, 0, timeout_ms, &res, &err) < 0)
		return;
	if (res.exited && res.status == 0)
		instance_parse_postmulti(s, buf_str(&res.out), res.out.len);
	spawn_result_free(&res);
	if (s->count == 1)
		return;	/* one instance: how it is logged does not matter */
	for (int i = 0; i < s->count; i++)
		read_syslog_name(&s->at[i], timeout_ms);
}

int instance_by_syslog_name(const struct instance_set *s, const char *name, size_t len)
{
	for (int i = 0; i < s->count; i++)
		if (strlen(s->at[i].syslog_name) == len && memcmp(s->at[i].syslog_name, name, len) == 0)
			return i;
	return -1;
}

const char *instance_label(const struct postfix_instance *in)
{
	return in->name[0] ? in->name : "default";
}
