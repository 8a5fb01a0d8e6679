/*
 * addr - a client address's text, as spamtop judges it: parsed into its 16
 * bytes, whether it is this machine's own loopback (the address local
 * processes connect from), and whether it is an address's characters only,
 * fit to be printed where log text must not go (a reason, a suggested
 * command). One place for what the parser, the model's rules, the plans and
 * the console each need to know of an address.
 */
#ifndef SPAMTOP_ADDR_H
#define SPAMTOP_ADDR_H

#include <stddef.h>
#include <stdint.h>

/* Parses an address ("192.0.2.1", "2001:db8::1", "[::1]") into 16 bytes; -1 if not one. */
int addr_parse(const char *s, size_t len, uint8_t out[16], int *is_v4);
/*
 * Is ip this machine's own loopback address as a local process connects from
 * it: 127.0.0.1, ::1 or ::ffff:127.0.0.1? (Other 127/8 addresses need an
 * explicit bind: they are taken as whatever the admin made them.)
 */
int addr_is_local_loopback(const char *ip);
/* Is s an IPv4 or IPv6 address's characters only (1 to 45 of 0-9, a-f, '.', ':')? */
int addr_text(const char *s, size_t len);

#endif
