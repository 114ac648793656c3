// SPDX-License-Identifier: GPL-2.0
/*
 * Batch mode (-b FILE), like `ip -batch`: one command per line, run over a
 * single netlink socket, so thousands of changes cost one process start.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovpnhactl.h"

#define BATCH_MAX_ARGS 64

/*
 * Split @line in place into words separated by blanks; "double quotes"
 * group a word.  Returns the number of words, or -1 on an unterminated
 * quote or too many words.  A '#' starting a word begins a comment.
 */
int batch_split(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		char *w;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			return argc;
		if (argc == max)
			return -1;
		if (*p == '"') {
			w = ++p;
			p = strchr(p, '"');
			if (!p)
				return -1;
		} else {
			w = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\n' &&
			       *p != '\r')
				p++;
		}
		argv[argc++] = w;
		if (!*p)
			return argc;
		*p++ = '\0';
	}
}

int run_batch(const char *path, bool force)
{
	char *argv[BATCH_MAX_ARGS + 1];
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	int ret = EXIT_OK;
	FILE *f;

	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		fprintf(stderr, "ovpnhactl: cannot open batch file \"%s\": %s\n",
			path, strerror(errno));
		return EXIT_FAIL;
	}
	while (getline(&line, &cap, f) >= 0) {
		int argc, r;

		lineno++;
		argc = batch_split(line, argv, BATCH_MAX_ARGS);
		if (argc == 0)
			continue;
		if (argc < 0)
			r = usage_error("unterminated quote or more than %d words",
					BATCH_MAX_ARGS);
		else
			r = run_object(argc, argv);
		if (r != EXIT_OK) {
			fprintf(stderr, "ovpnhactl: %s:%lu: command failed\n",
				path, lineno);
			ret = r;
			if (!force)
				break;
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}
