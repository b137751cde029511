/* JVM exits by container, reason and code (exits.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "families.h"
#include "exits.h"
#include "identity.h"
#include "log.h"
#include "registry.h"

struct exit_count {
	uint64_t cgroup_id;
	char id[IDENTITY_NLABELS][256];
	char reason[8], code[12];
	uint64_t n;
	struct exit_count *next;
};
static struct exit_count *exits;

void jvm_exit_record(pid_t pid, unsigned status)
{
	struct label id[IDENTITY_NLABELS];
	struct exit_count *x;
	struct jvm *j = jvm_find(pid);
	char reason[8], code[12];
	int i;

	if (!j || j->gone_at)
		return;
	j->gone_at = time(NULL);
	if (status & 0x7f)
		snprintf(reason, sizeof(reason), "signal"), snprintf(code, sizeof(code), "%u", status & 0x7f);
	else
		snprintf(reason, sizeof(reason), "exit"), snprintf(code, sizeof(code), "%u", (status >> 8) & 0xff);
	log_info("jvm: pid %d (%s) ended: %s %s", pid, j->main_class, reason, code);
	if (identity_labels(j->cgroup_id, id, time(NULL)) != IDENTITY_OK)
		return;
	for (x = exits; x; x = x->next)
		if (x->cgroup_id == j->cgroup_id && !strcmp(x->reason, reason) && !strcmp(x->code, code))
			break;
	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x)
			return;
		x->cgroup_id = j->cgroup_id;
		for (i = 0; i < IDENTITY_NLABELS; i++)
			snprintf(x->id[i], sizeof(x->id[i]), "%s", id[i].value);
		snprintf(x->reason, sizeof(x->reason), "%s", reason);
		snprintf(x->code, sizeof(x->code), "%s", code);
		x->next = exits;
		exits = x;
	}
	x->n++;
}

void jvm_exits_collect(struct writer *w)
{
	static const char *const names[IDENTITY_NLABELS] = { "container_id", "namespace", "pod",
							      "container" };
	struct exit_count *x;
	int i;

	w_fam(w, FAM_JVM_EXITS_TOTAL);
	for (x = exits; x; x = x->next) {
		struct label a[] = { { "reason", x->reason }, { "code", x->code } };
		struct label id[IDENTITY_NLABELS];

		for (i = 0; i < IDENTITY_NLABELS; i++)
			id[i] = (struct label){ names[i], x->id[i] };
		w_sample(w, fam_name(FAM_JVM_EXITS_TOTAL), a, 2, id, IDENTITY_NLABELS, x->n);
	}
}

void jvm_exits_maintain(time_t now)
{
	struct exit_count **pp = &exits, *x;

	while ((x = *pp)) {
		if (identity_labels(x->cgroup_id, NULL, now) == IDENTITY_STALE) {
			*pp = x->next;
			free(x);
			continue;
		}
		pp = &x->next;
	}
}

void jvm_exits_clear(void)
{
	struct exit_count *x;

	while ((x = exits)) {
		exits = x->next;
		free(x);
	}
}
