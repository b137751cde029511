/* Pure parser: a Flink TaskManager thread's Java name -> its task (flinkthread.h). */
#include <errno.h>
#include <string.h>
#include "flinkthread.h"

static const char *const helpers[] = {
	"OutputFlusher for ",	    "Source Data Fetcher for ", "Legacy Source Thread - ",
	"System Time Trigger for ", "Time Trigger for ",
};

/* Digits s[*i..] backwards to a number; false unless at least one digit and below 2^31. */
static int back_number(const char *s, size_t *end, unsigned long *v)
{
	size_t e = *end, b = e;
	unsigned long x = 0, m = 1;

	while (b > 0 && s[b - 1] >= '0' && s[b - 1] <= '9' && e - b < 9) {
		x += (unsigned long)(s[b - 1] - '0') * m;
		m *= 10;
		b--;
	}
	if (b == e || (b > 0 && s[b - 1] >= '0' && s[b - 1] <= '9'))
		return 0;
	*end = b;
	*v = x;
	return 1;
}

/* The length of name without a " (i/n)" or " (i/n)#a" suffix; 0 when it has none. */
static size_t strip_subtask(const char *s, size_t n)
{
	unsigned long i, tot, att;
	size_t e = n;

	if (e && s[e - 1] != ')') {
		if (!back_number(s, &e, &att) || !e || s[e - 1] != '#')
			return 0;
		e--;
	}
	if (!e || s[e - 1] != ')')
		return 0;
	e--;
	if (!back_number(s, &e, &tot) || !e || s[e - 1] != '/')
		return 0;
	e--;
	if (!back_number(s, &e, &i) || e < 2 || s[e - 1] != '(' || s[e - 2] != ' ')
		return 0;
	if (!i || i > tot)
		return 0;
	return e - 2;
}

int flink_thread_task(const char *name, size_t len, char *task, size_t tasksz)
{
	size_t k, n;

	if (!task || !tasksz)
		return -EINVAL;
	task[0] = '\0';
	if (!name)
		return -EINVAL;
	if (memchr(name, '\0', len))
		len = strlen(name);
	for (k = 0; k < sizeof(helpers) / sizeof(helpers[0]); k++) {
		size_t hl = strlen(helpers[k]);

		if (len > hl && !memcmp(name, helpers[k], hl)) {
			name += hl;
			len -= hl;
			break;
		}
	}
	n = strip_subtask(name, len);
	if (!n)
		return -ENOENT;
	if (n > tasksz - 1) {
		n = tasksz - 1;
		while (n && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(task, name, n);
	task[n] = '\0';
	return 0;
}
