/* The JVM registry (registry.h). */
#include <errno.h>
#include <stddef.h>
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

int jvm_lookup(pid_t pid, struct jvm_ref *out)
{
	const struct jvm *j = jvm_find(pid);

	if (!j)
		return -ENOENT;
	*out = (struct jvm_ref){ .pid = j->pid, .start = j->start, .cgroup_id = j->cgroup_id,
				 .flink_role = j->flink_role, .gone = j->gone_at != 0 };
	return 0;
}

int jvm_refs(struct jvm_ref *out, int max)
{
	const struct jvm *j;
	int n = 0;

	for (j = jvms; j && n < max; j = j->next)
		jvm_lookup(j->pid, &out[n++]);
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
