/* Pure parsers of a Flink JobManager's REST answers (1.20 and 2.x field names), json-c based.
 * Every answer is untrusted: a missing or mistyped field leaves its value at -1 (strings ""),
 * arrays are cut at their caps (the rest counted in *dropped), strings are cut at their fields'
 * sizes. Each returns 0, or -EBADMSG when the text is not the JSON object expected. */
#ifndef JVMTAP_FLINKREST_H
#define JVMTAP_FLINKREST_H

#include <stddef.h>

#define FLINK_ID_LEN 33        /* job and vertex ids: 32 hex digits */
#define FLINK_NAME_LEN 128     /* names are user text: cut here */
#define FLINK_MAX_JOBS 64      /* per JobManager */
#define FLINK_MAX_VERTICES 64  /* per job */
#define FLINK_MAX_TMS 256      /* per cluster */
#define FLINK_MAX_METRICS 16   /* per /metrics?get= query */

/* GET /config: {"flink-version": "1.20.5", ...}. */
int flinkrest_config(const char *json, size_t len, char *version, size_t vlen);

/* GET /jobmanager/config: [{"key": "rest.port", "value": "8081"}, ...], the configuration of
 * the JobManager that answers (not the leader's). The value of key into value (cut to vlen);
 * 0, -ENOENT when the key is not there, or -errno as the other parsers. */
int flinkrest_jm_config(const char *json, size_t len, const char *key, char *value, size_t vlen);

/* GET /overview. */
struct flink_overview {
	long long taskmanagers, slots_total, slots_available;
	long long jobs_running, jobs_finished, jobs_cancelled, jobs_failed;
	char version[32];
};
int flinkrest_overview(const char *json, size_t len, struct flink_overview *out);

/* GET /jobs/overview: {"jobs": [{"jid", "name", "state", "start-time", "end-time",
 * "duration", "last-modification"}, ...]}. Times in ms since the epoch (-1: none). */
struct flink_job {
	char id[FLINK_ID_LEN];
	char name[FLINK_NAME_LEN];
	char state[24];  /* RUNNING, FINISHED, FAILED, CANCELED, RESTARTING, ... */
	long long start_ms, end_ms, duration_ms, last_modification_ms;
};
int flinkrest_jobs(const char *json, size_t len, struct flink_job *jobs, int max, int *n,
		   int *dropped);

/* GET /jobs/:jid: "now", "timestamps" {"RESTARTING", "RUNNING", ...}, "vertices": [{"id",
 * "name", "parallelism", "status", "metrics":
 * {"read-records", "write-records", "read-bytes", "write-bytes", "accumulated-busy-time",
 * "accumulated-idle-time", "accumulated-backpressured-time"}}], and "plan": {"nodes":
 * [{"id", "inputs": [...]}]}: a vertex no node lists as input is a sink, one without inputs a
 * source (a vertex may be both). */
struct flink_vertex {
	char id[FLINK_ID_LEN];
	char name[FLINK_NAME_LEN];
	long long parallelism;
	long long read_records, write_records, read_bytes, write_bytes;
	long long busy_ms, idle_ms, backpressured_ms; /* accumulated over the subtasks */
	int source, sink; /* 1 or 0; -1 when the plan does not say */
};
struct flink_job_detail {
	long long now_ms;
	/* "timestamps": when the job last entered RESTARTING and RUNNING (0: never), -1: absent */
	long long restarting_ms, running_ms;
	int nvertices, dropped;
	struct flink_vertex vertices[FLINK_MAX_VERTICES];
};
int flinkrest_job(const char *json, size_t len, struct flink_job_detail *out);

/* How long the job's last restart took, in ms, as Flink's restartingTime gauge measured it
 * before 1.16 (from entering RESTARTING to RUNNING; while state is RESTARTING, until now):
 * -1 when it never restarted or the timestamps do not say. */
long long flinkrest_last_restart_ms(const struct flink_job_detail *d, const char *state);

/* GET /jobs/:jid/checkpoints: "counts" {"completed", "failed", "in_progress", "restored",
 * "total"}, "latest" {"completed": {"end_to_end_duration", "checkpointed_size", "state_size",
 * "latest_ack_timestamp"}, "restored": {"restore_timestamp"}}. */
struct flink_checkpoints {
	long long completed, failed, in_progress, restored, total;
	long long last_duration_ms, last_checkpointed_size, last_state_size, last_ack_ms;
	long long last_restore_ms;
};
int flinkrest_checkpoints(const char *json, size_t len, struct flink_checkpoints *out);

/* A metrics query (GET .../metrics?get=a,b): [{"id": "a", "value": "12"}, ...]. For each of
 * the n ids, its value (parsed as a number; NAN when absent or not a number). Aggregated
 * queries (&agg=sum) answer {"id", "sum"}: the value is then that field ("sum", "max", ...). */
int flinkrest_metrics(const char *json, size_t len, const char *const *ids, int n,
		      const char *field, double *out);

/* GET /taskmanagers: {"taskmanagers": [{"id", "path", "slotsNumber", "freeSlots", ...}]}. */
struct flink_tm {
	char id[96];    /* "172.18.0.3:33783-3e38f6" in standalone */
	char path[160]; /* its RPC address: pekko.tcp://flink@host:port/user/rpc/taskmanager_0 */
	long long slots, free_slots;
};
int flinkrest_taskmanagers(const char *json, size_t len, struct flink_tm *tms, int max, int *n,
			   int *dropped);

/* The host and port of a TaskManager's RPC path ("pekko.tcp://flink@10.0.3.7:6122/user/rpc/
 * taskmanager_0", "akka.tcp://flink@[fd00::7]:6122/...", "pekko://flink@tm-0.svc:6122/..."):
 * host without brackets, NUL-terminated; 0, or -EINVAL (no "://", no '@' before the host, no
 * port, a port outside 1..65535, a host empty or longer than hostsz - 1). */
int flinkrest_rpc_address(const char *path, char *host, size_t hostsz, unsigned *port);

/* GET /taskmanagers/:tmid: "metrics" {"directCount", "directUsed", "directMax",
 * "mappedCount", "mappedUsed", "mappedMax" (BufferPoolMXBean "direct" and "mapped": count,
 * MemoryUsed, TotalCapacity), "nettyShuffleMemorySegmentsAvailable", "...Used", "...Total"}. */
struct flink_tm_detail {
	long long direct_count, direct_used, direct_capacity;
	long long mapped_count, mapped_used, mapped_capacity;
	long long segments_available, segments_used, segments_total;
};
int flinkrest_taskmanager(const char *json, size_t len, struct flink_tm_detail *out);

#endif
