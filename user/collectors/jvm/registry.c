/* The JVM registry (registry.h). */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "registry.h"

static struct jvm *jvms;
static int njvms;
static uint64_t errors[JVM_ERR__N];

struct jvm *jvm_find(pid_t pid)
{
	struct jvm *j;

	for (j = jvms; j; j = j->next)
		if (j->pid == pid)
			return j;
	return NULL;
}

/* Padding included: a reader compares refs with memcmp (flink.c's targets). */
static void ref_of(const struct jvm *j, struct jvm_ref *out)
{
	memset(out, 0, sizeof(*out));
	out->pid = j->pid;
	out->start = j->start;
	out->cgroup_id = j->cgroup_id;
	out->flink_role = j->flink_role;
	out->gone = j->gone_at != 0;
}

int jvm_lookup(pid_t pid, struct jvm_ref *out)
{
	const struct jvm *j = jvm_find(pid);

	if (!j)
		return -ENOENT;
	ref_of(j, out);
	return 0;
}

/* One pass: a pid is in the list once (check_pid removes a reused pid's old JVM first). */
int jvm_refs(struct jvm_ref *out, int max)
{
	const struct jvm *j;
	int n = 0;

	for (j = jvms; j && n < max; j = j->next)
		ref_of(j, &out[n++]);
	return n;
}

struct jvm *jvm_next(const struct jvm *prev)
{
	return prev ? prev->next : jvms;
}

int jvm_count(void)
{
	return njvms;
}

void jvm_add(struct jvm *j)
{
	j->next = jvms;
	jvms = j;
	njvms++;
}

void jvm_unlink(struct jvm *j)
{
	struct jvm **pp;

	for (pp = &jvms; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			njvms--;
			return;
		}
}

void jvm_count_error(enum jvm_error e)
{
	if (e < JVM_ERR__N)
		errors[e]++;
}

uint64_t jvm_errors(enum jvm_error e)
{
	return e < JVM_ERR__N ? errors[e] : 0;
}

const char *jvm_error_name(enum jvm_error e)
{
	static const char *const names[JVM_ERR__N] = { "attach", "pending_full" };

	return e < JVM_ERR__N ? names[e] : "unknown";
}
