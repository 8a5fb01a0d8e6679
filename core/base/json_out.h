/*
 * json_out - jansson's output with DEL escaped as well. jansson writes
 * U+007F raw (valid JSON, as the standard only asks controls below 0x20 to
 * be escaped), but it is a control character on the terminal of an admin
 * who runs cat on the report, the journal or the saved state. With
 * JSON_ENSURE_ASCII nothing else outside printable ASCII is left.
 */
#ifndef SPAMTOP_JSON_OUT_H
#define SPAMTOP_JSON_OUT_H

#include <stdio.h>

#include <jansson.h>

/* 0, or -1 when writing failed. */
int json_out_file(const json_t *j, size_t flags, FILE *f);
/* The text, malloc'd; NULL when out of memory. */
char *json_out_string(const json_t *j, size_t flags);

#endif
