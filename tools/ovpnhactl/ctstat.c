// SPDX-License-Identifier: GPL-2.0
/* nf_conntrack per-CPU statistics, summed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctstat.h"

static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static size_t word_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != '\n')
		n++;
	return n;
}

static int parse_hex(const char *s, size_t n, uint64_t *v)
{
	uint64_t r = 0;

	if (n == 0 || n > 16)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -1;
		r = r << 4 | d;
	}
	*v = r;
	return 0;
}

int ctstat_parse(const char *text, struct ctstat *st)
{
	const char *p = text;
	int gauge[CTSTAT_MAX_COLS] = { 0 };

	memset(st, 0, sizeof(*st));
	/* header */
	for (p = skip_blank(p); *p && *p != '\n'; p = skip_blank(p)) {
		size_t n = word_len(p);

		if (st->ncols == CTSTAT_MAX_COLS)
			return -1;
		if (n >= CTSTAT_NAME_LEN)
			n = CTSTAT_NAME_LEN - 1;
		memcpy(st->name[st->ncols], p, n);
		gauge[st->ncols] = !strcmp(st->name[st->ncols], "entries");
		st->ncols++;
		p += word_len(p);
	}
	if (!st->ncols)
		return -1;

	while (*p == '\n') {
		int col = 0;

		p = skip_blank(p + 1);
		if (!*p)
			break;
		if (*p == '\n')
			continue;	/* blank line */
		for (; *p && *p != '\n'; p = skip_blank(p)) {
			size_t n = word_len(p);
			uint64_t v;

			if (col == st->ncols || parse_hex(p, n, &v))
				return -1;
			if (!gauge[col])
				st->val[col] += v;
			else if (st->ncpus == 0)
				st->val[col] = v;
			col++;
			p += n;
		}
		st->ncpus++;
	}
	return st->ncpus ? 0 : -1;
}

int ctstat_read(const char *path, struct ctstat *st)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	int ret;

	if (!f)
		return -errno;
	do {
		if (cap - len < 4096) {
			char *bigger;

			cap = cap ? cap * 2 : 16384;
			bigger = realloc(text, cap + 1);
			if (!bigger) {
				free(text);
				fclose(f);
				return -ENOMEM;
			}
			text = bigger;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	text[len] = '\0';
	ret = ctstat_parse(text, st) ? -EINVAL : 0;
	free(text);
	return ret;
}
