/* CPU per Flink task inside a TaskManager (tasks.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "families.h"
#include "flinkthread.h"
#include "tasks.h"

struct jvm_tasks {
	int n;
	struct {
		char name[JVM_THREAD_NAME_LEN];
		uint64_t ns;
	} t[JVM_MAX_TASKS + 1]; /* the last one is "other" */
};

static int names_fd = -1;

void jvm_tasks_set_names_fd(int fd)
{
	names_fd = fd;
}

static bool is_taskmanager(const struct jvm *j)
{
	return j->flink_role && !strcmp(j->flink_role, "taskmanager");
}

int jvm_task_of(struct jvm *j, __u32 tid, const char *comm)
{
	struct jvm_thread_name v;
	char task[JVM_THREAD_NAME_LEN];
	const char *name = v.name;
	struct jvm_tasks *t;
	size_t len;
	int i;

	if (!is_taskmanager(j) || names_fd < 0)
		return TASK_NONE;
	if (bpf_map_lookup_elem(names_fd, &tid, &v) || v.tgid != (__u32)j->pid) {
		/* No long name kept (thread__start keeps those of 15 bytes and more): a name
		 * of up to 14 bytes is all in comm ("burn (1/2)#0"); one of 15 may be cut. */
		len = comm ? strnlen(comm, 16) : 16;
		if (len >= 15)
			return TASK_UNKNOWN;
		name = comm;
	} else {
		len = v.len < sizeof(v.name) ? v.len : sizeof(v.name);
	}
	if (flink_thread_task(name, len, task, sizeof(task)))
		return TASK_NONE;
	if (!j->tasks && !(j->tasks = calloc(1, sizeof(*j->tasks))))
		return TASK_UNKNOWN;
	t = j->tasks;
	for (i = 0; i < t->n; i++)
		if (!strcmp(t->t[i].name, task))
			return i;
	if (t->n == JVM_MAX_TASKS)
		return JVM_MAX_TASKS;
	snprintf(t->t[t->n].name, sizeof(t->t[t->n].name), "%s", task);
	return t->n++;
}

void jvm_task_charge(struct jvm *j, int slot, __u64 ns)
{
	if (j->tasks && slot >= 0 && slot <= JVM_MAX_TASKS)
		j->tasks->t[slot].ns += ns;
}

void jvm_task_forget_thread(__u32 tid)
{
	if (names_fd >= 0)
		bpf_map_delete_elem(names_fd, &tid);
}

/* A JVM that died (SIGKILL, exit) fires no thread__stop for its threads: their names go with
 * it. */
static void forget_names_of(pid_t pid)
{
	struct jvm_thread_name v;
	__u32 key, next, *prev = NULL;

	if (names_fd < 0)
		return;
	while (!bpf_map_get_next_key(names_fd, prev, &next)) {
		if (!bpf_map_lookup_elem(names_fd, &next, &v) && v.tgid == (__u32)pid) {
			bpf_map_delete_elem(names_fd, &next);
			continue; /* next's successor is found again from prev */
		}
		key = next;
		prev = &key;
	}
}

void jvm_tasks_free(struct jvm *j)
{
	forget_names_of(j->pid);
	free(j->tasks);
	j->tasks = NULL;
}

void jvm_tasks_collect(struct writer *w, const struct jvm_view *vs, int n)
{
	int i, k;

	w_fam(w, FAM_FLINK_TASK_CPU_SECONDS_TOTAL);
	for (i = 0; i < n; i++) {
		const struct jvm_view *v = &vs[i];
		const struct jvm_tasks *t = v->j->tasks;

		if (v->skip || !t)
			continue;
		for (k = 0; k <= JVM_MAX_TASKS; k++) {
			struct label a[] = { { "pid", v->pid },
					     { "task", k < t->n ? t->t[k].name : "other" } };

			if (k < t->n || (k == JVM_MAX_TASKS && t->t[k].ns))
				w_sample(w, fam_name(FAM_FLINK_TASK_CPU_SECONDS_TOTAL), a, 2, v->id,
					 IDENTITY_NLABELS, t->t[k].ns / 1e9);
		}
	}
}
