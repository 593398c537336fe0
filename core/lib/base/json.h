/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small streaming JSON writer (conf --json, status --json). */
#ifndef DKMS_JSON_H
#define DKMS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *out;
	int depth;
	bool pretty;
	bool after_key;
	bool has_items[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *out, bool pretty);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);
/* Strings are written as UTF-8; invalid bytes become U+FFFD. */
void json_string(struct json *j, const char *s);
void json_string_len(struct json *j, const char *s, size_t len);
void json_null(struct json *j);
void json_bool(struct json *j, bool v);
void json_int(struct json *j, long long v);
/* 0, or -EIO when the stream failed. */
int json_finish(struct json *j);

#endif
