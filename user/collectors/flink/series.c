/* The series of one JobManager's last poll, one family at a time (series.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "families.h"
#include "identity.h"
#include "series.h"

static const char *position(const struct flink_vertex *v)
{
	return v->source == 1 && v->sink == 1 ? "source_sink" :
	       v->source == 1		   ? "source" :
	       v->sink == 1		   ? "sink" :
						     "inner";
}

/* The identity labels of a TaskManager on this node, named apart from the JobManager's. */
static const char *const tm_label_names[IDENTITY_NLABELS] = { "tm_container_id", "tm_namespace",
								"tm_pod", "tm_container" };

void flink_write_jm(struct writer *w, enum fam_id fam, const struct jm_result *r,
		    struct label *id)
{
	const struct flink_poll *p = &r->poll;
	char pid[16], port[8];
	int j, k;

	snprintf(pid, sizeof(pid), "%d", r->jm.pid);
	snprintf(port, sizeof(port), "%u", r->ep.port);
	switch (fam) {
	case FAM_FLINK_JOBMANAGER_INFO: {
		struct label a[] = { { "pid", pid }, { "flink_version", r->ep.version },
				     { "rest_port", r->ep.found ? port : "" },
				     { "ha", !r->ep.found ? "" : !r->ep.ha ? "none" :
					     r->poll.standby ? "standby" : "leader" } };

		w_sample(w, fam_name(fam), a, 4, id, IDENTITY_NLABELS, 1);
		return;
	}
	default:
		break;
	}
	if (!p->ok)
		return;
	switch (fam) {
	case FAM_FLINK_TASKMANAGERS:
		if (p->overview.taskmanagers >= 0)
			w_sample(w, fam_name(fam), NULL, 0, id, IDENTITY_NLABELS, p->overview.taskmanagers);
		return;
	case FAM_FLINK_TASK_SLOTS:
		if (p->overview.slots_total >= 0)
			w_sample(w, fam_name(fam), NULL, 0, id, IDENTITY_NLABELS, p->overview.slots_total);
		return;
	case FAM_FLINK_TASK_SLOTS_AVAILABLE:
		if (p->overview.slots_available >= 0)
			w_sample(w, fam_name(fam), NULL, 0, id, IDENTITY_NLABELS,
				 p->overview.slots_available);
		return;
	case FAM_FLINK_BUFFER_POOL_BUFFERS:
	case FAM_FLINK_BUFFER_POOL_USED_BYTES:
	case FAM_FLINK_BUFFER_POOL_CAPACITY_BYTES: {
		int what = fam == FAM_FLINK_BUFFER_POOL_BUFFERS ? 0 : fam == FAM_FLINK_BUFFER_POOL_USED_BYTES ? 1 : 2;
		struct label a[] = { { "component", "jobmanager" }, { "tm_id", "" }, { "pool", "direct" } };

		for (k = 0; k < 2; k++) {
			a[2].value = k ? "mapped" : "direct";
			if (p->jm_pools[3 * k + what] >= 0)
				w_sample(w, fam_name(fam), a, 3, id, IDENTITY_NLABELS, p->jm_pools[3 * k + what]);
		}
		a[0].value = "taskmanager";
		for (j = 0; j < p->ntms; j++) {
			const struct flink_tm_state *t = &p->tms[j];
			long long v[2][3] = { { t->d.direct_count, t->d.direct_used, t->d.direct_capacity },
					      { t->d.mapped_count, t->d.mapped_used, t->d.mapped_capacity } };

			a[1].value = t->tm.id;
			for (k = 0; t->have_detail && k < 2; k++) {
				a[2].value = k ? "mapped" : "direct";
				if (v[k][what] >= 0)
					w_sample(w, fam_name(fam), a, 3, id, IDENTITY_NLABELS, v[k][what]);
			}
		}
		return;
	}
	case FAM_FLINK_TASKMANAGER_INFO:
		for (j = 0; j < p->ntms; j++) {
			const struct flink_tm_state *t = &p->tms[j];
			struct label tl[IDENTITY_NLABELS], a[3 + IDENTITY_NLABELS];
			char tpid[16] = "";
			int q;

			a[0] = (struct label){ "tm_id", t->tm.id };
			a[1] = (struct label){ "tm_path", t->tm.path };
			for (q = 0; q < IDENTITY_NLABELS; q++)
				tl[q] = (struct label){ tm_label_names[q], "" };
			/* on this node: the TaskManager JVM's pid and its container's identity */
			if (t->local_pid) {
				snprintf(tpid, sizeof(tpid), "%d", t->local_pid);
				if (identity_labels(t->local_cgroup, tl, time(NULL)) == IDENTITY_OK)
					for (q = 0; q < IDENTITY_NLABELS; q++)
						tl[q].name = tm_label_names[q];
			}
			a[2] = (struct label){ "tm_pid", tpid };
			for (q = 0; q < IDENTITY_NLABELS; q++)
				a[3 + q] = tl[q];
			w_sample(w, fam_name(fam), a, 3 + IDENTITY_NLABELS, id, IDENTITY_NLABELS, 1);
		}
		return;
	case FAM_FLINK_NETWORK_MEMORY_SEGMENTS:
	case FAM_FLINK_NETWORK_MEMORY_SEGMENTS_MAX:
		for (j = 0; j < p->ntms; j++) {
			const struct flink_tm_state *t = &p->tms[j];
			struct label a[] = { { "tm_id", t->tm.id }, { "state", "available" } };

			if (!t->have_detail)
				continue;
			if (fam == FAM_FLINK_NETWORK_MEMORY_SEGMENTS_MAX) {
				if (t->d.segments_total >= 0)
					w_sample(w, fam_name(fam), a, 1, id, IDENTITY_NLABELS, t->d.segments_total);
				continue;
			}
			if (t->d.segments_available >= 0)
				w_sample(w, fam_name(fam), a, 2, id, IDENTITY_NLABELS, t->d.segments_available);
			a[1].value = "used";
			if (t->d.segments_used >= 0)
				w_sample(w, fam_name(fam), a, 2, id, IDENTITY_NLABELS, t->d.segments_used);
		}
		return;
	case FAM_FLINK_JOBS: {
		const char *st[4] = { "running", "finished", "cancelled", "failed" };
		long long v[4] = { p->overview.jobs_running, p->overview.jobs_finished,
				   p->overview.jobs_cancelled, p->overview.jobs_failed };

		for (k = 0; k < 4; k++) {
			struct label a[] = { { "state", st[k] } };

			if (v[k] >= 0)
				w_sample(w, fam_name(fam), a, 1, id, IDENTITY_NLABELS, v[k]);
		}
		return;
	}
	default:
		break;
	}
	for (j = 0; j < p->njobs; j++) {
		const struct flink_job_state *s = &p->jobs[j];
		const struct flink_checkpoints *c = &s->cp;
		struct label a[6] = { { "job_id", s->job.id }, { "job_name", s->job.name } };

		if (!s->job.id[0])
			continue;
		switch (fam) {
		case FAM_FLINK_JOB_INFO:
			a[2] = (struct label){ "state", s->job.state };
			w_sample(w, fam_name(fam), a, 3, id, IDENTITY_NLABELS, 1);
			break;
		case FAM_FLINK_JOB_START_TIME_SECONDS:
			if (s->job.start_ms > 0)
				w_sample(w, fam_name(fam), a, 2, id, IDENTITY_NLABELS,
					 s->job.start_ms / 1000.0);
			break;
		case FAM_FLINK_JOB_UPTIME_SECONDS:
			if (s->uptime_ms >= 0)
				w_sample(w, fam_name(fam), a, 2, id, IDENTITY_NLABELS, s->uptime_ms / 1000.0);
			break;
		case FAM_FLINK_JOB_DOWNTIME_SECONDS:
			if (s->downtime_ms >= 0)
				w_sample(w, fam_name(fam), a, 2, id, IDENTITY_NLABELS,
					 s->downtime_ms / 1000.0);
			break;
		case FAM_FLINK_JOB_LAST_RESTART_DURATION_SECONDS: {
			long long ms = s->have_detail ? flinkrest_last_restart_ms(&s->detail, s->job.state) : -1;

			if (ms >= 0)
				w_sample(w, fam_name(fam), a, 2, id, IDENTITY_NLABELS, ms / 1000.0);
			break;
		}
		case FAM_FLINK_JOB_RESTARTS_TOTAL:
			if (s->restarts >= 0)
				w_sample(w, fam_name(fam), a, 2, id, IDENTITY_NLABELS, s->restarts);
			break;
		case FAM_FLINK_CHECKPOINTS_TOTAL:
			if (!s->have_checkpoints)
				break;
			a[2] = (struct label){ "result", "completed" };
			if (c->completed >= 0)
				w_sample(w, fam_name(fam), a, 3, id, IDENTITY_NLABELS, c->completed);
			a[2].value = "failed";
			if (c->failed >= 0)
				w_sample(w, fam_name(fam), a, 3, id, IDENTITY_NLABELS, c->failed);
			break;
		case FAM_FLINK_CHECKPOINTS_IN_PROGRESS:
			if (s->have_checkpoints && c->in_progress >= 0)
				w_sample(w, fam_name(fam), a, 2, id, IDENTITY_NLABELS, c->in_progress);
			break;
		case FAM_FLINK_CHECKPOINTS_RESTORED_TOTAL:
			if (s->have_checkpoints && c->restored >= 0)
				w_sample(w, fam_name(fam), a, 2, id, IDENTITY_NLABELS, c->restored);
			break;
		case FAM_FLINK_LAST_CHECKPOINT_DURATION_SECONDS:
			if (s->have_checkpoints && c->last_duration_ms >= 0)
				w_sample(w, fam_name(fam), a, 2, id, IDENTITY_NLABELS,
					 c->last_duration_ms / 1000.0);
			break;
		case FAM_FLINK_LAST_CHECKPOINT_SIZE_BYTES:
			if (!s->have_checkpoints)
				break;
			a[2] = (struct label){ "kind", "checkpointed" };
			if (c->last_checkpointed_size >= 0)
				w_sample(w, fam_name(fam), a, 3, id, IDENTITY_NLABELS,
					 c->last_checkpointed_size);
			a[2].value = "full";
			if (c->last_state_size >= 0)
				w_sample(w, fam_name(fam), a, 3, id, IDENTITY_NLABELS, c->last_state_size);
			break;
		case FAM_FLINK_LAST_CHECKPOINT_COMPLETION_TIMESTAMP_SECONDS:
			if (s->have_checkpoints && c->last_ack_ms > 0)
				w_sample(w, fam_name(fam), a, 2, id, IDENTITY_NLABELS, c->last_ack_ms / 1000.0);
			break;
		case FAM_FLINK_LAST_RESTORE_TIMESTAMP_SECONDS:
			if (s->have_checkpoints && c->last_restore_ms > 0)
				w_sample(w, fam_name(fam), a, 2, id, IDENTITY_NLABELS,
					 c->last_restore_ms / 1000.0);
			break;
		case FAM_FLINK_VERTEX_RECORDS_TOTAL:
		case FAM_FLINK_VERTEX_BYTES_TOTAL:
		case FAM_FLINK_VERTEX_TIME_SECONDS_TOTAL:
		case FAM_FLINK_VERTEX_INPUT_WATERMARK_TIMESTAMP_SECONDS:
			for (k = 0; s->have_detail && k < s->detail.nvertices; k++) {
				const struct flink_vertex *v = &s->detail.vertices[k];
				long long in = fam == FAM_FLINK_VERTEX_RECORDS_TOTAL ? v->read_records : v->read_bytes;
				long long out = fam == FAM_FLINK_VERTEX_RECORDS_TOTAL ? v->write_records : v->write_bytes;

				a[2] = (struct label){ "vertex_id", v->id };
				a[3] = (struct label){ "vertex", v->name };
				a[4] = (struct label){ "position", position(v) };
				if (fam == FAM_FLINK_VERTEX_INPUT_WATERMARK_TIMESTAMP_SECONDS) {
					if (!isnan(s->watermark_ms[k]))
						w_sample(w, fam_name(fam), a, 5, id, IDENTITY_NLABELS,
							 s->watermark_ms[k] / 1000.0);
					continue;
				}
				if (fam == FAM_FLINK_VERTEX_TIME_SECONDS_TOTAL) {
					const char *st[3] = { "busy", "idle", "backpressured" };
					long long t[3] = { v->busy_ms, v->idle_ms, v->backpressured_ms };
					int q;

					for (q = 0; q < 3; q++) {
						a[5] = (struct label){ "state", st[q] };
						if (t[q] >= 0)
							w_sample(w, fam_name(fam), a, 6, id, IDENTITY_NLABELS,
								 t[q] / 1000.0);
					}
					continue;
				}
				a[5] = (struct label){ "direction", "in" };
				if (in >= 0)
					w_sample(w, fam_name(fam), a, 6, id, IDENTITY_NLABELS, in);
				a[5].value = "out";
				if (out >= 0)
					w_sample(w, fam_name(fam), a, 6, id, IDENTITY_NLABELS, out);
			}
			break;
		default:
			break;
		}
	}
}
