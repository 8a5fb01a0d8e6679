/*
 * addr - a client address's text (see addr.h).
 */
#include "core/base/addr.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

int addr_parse(const char *s, size_t len, uint8_t out[16], int *is_v4)
{
	char tmp[64];
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	if (strncasecmp(tmp, "ipv6:", 5) == 0)	/* "[IPv6:...]" as smtpd logs it */
		memmove(tmp, tmp + 5, len - 4);
	struct in_addr a4;
	if (inet_pton(AF_INET, tmp, &a4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
		*is_v4 = 1;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, out) == 1) {
		*is_v4 = 0;
		return 0;
	}
	return -1;
}

int addr_is_local_loopback(const char *ip)
{
	static const uint8_t v4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
	static const uint8_t v6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	uint8_t a[16];
	int is_v4;
	if (ip == NULL || addr_parse(ip, strlen(ip), a, &is_v4) < 0)
		return 0;
	return memcmp(a, v4, 16) == 0 || memcmp(a, v6, 16) == 0;
}

int addr_text(const char *s, size_t len)
{
	if (s == NULL || len == 0 || len > 45)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':'))
			return 0;
	}
	return 1;
}
