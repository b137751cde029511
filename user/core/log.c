/* One logger: single-line messages on stderr, debug lines only with -v. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "log.h"

enum log_level log_max_level = LOG_INFO;

static const char *const level_names[] = { "error", "warning", "info", "debug" };
static void (*hook)(enum log_level lvl, const char *line);

void log_set_hook(void (*fn)(enum log_level lvl, const char *line))
{
	hook = fn;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	size_t n;

	if (lvl > log_max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One event, one line: libbpf and callers may end their messages with a newline. */
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	if (hook)
		hook(lvl, line);
	else
		fprintf(stderr, "jvmtap: %s: %s\n", level_names[lvl], line);
}
