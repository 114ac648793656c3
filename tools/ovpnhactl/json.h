/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny streaming JSON writer: compact by default, indented with -p.
 * Strings are escaped per RFC 8259; valid UTF-8 passes through, a byte
 * that is not part of valid UTF-8 becomes U+FFFD, so the output is always
 * valid JSON whatever the kernel holds.
 */
#ifndef OVPNHACTL_JSON_H
#define OVPNHACTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json *j, FILE *f, bool pretty);
/* Ends the document with a newline. */
void json_finish(struct json *j);

void json_open_array(struct json *j);
void json_close_array(struct json *j);
void json_open_object(struct json *j);
void json_close_object(struct json *j);
void json_key(struct json *j, const char *key);

void json_str(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* A value that is already JSON text (trailing whitespace dropped). */
void json_raw(struct json *j, const char *text);

/* key + value in one call */
void json_kv_str(struct json *j, const char *k, const char *v);
void json_kv_u64(struct json *j, const char *k, uint64_t v);
void json_kv_bool(struct json *j, const char *k, bool v);

/* The escaped string, quotes included. */
void json_write_string(FILE *f, const char *s, size_t len);

#endif
