/* Shared between bpf/rocksdb.bpf.c and user/collectors/rocksdb.c: latency of state calls into
 * RocksJava's JNI library (FRocksDB in Flink's RocksDB backend, ForSt in its ForSt backend). */
#ifndef JVMTAP_ROCKSDB_H
#define JVMTAP_ROCKSDB_H

#include "jvm.h" /* JVM_HIST_SLOTS */

/* The operations, as the op label names them. Each is one or more exported JNI functions. */
enum rocksdb_op {
	ROCKSDB_OP_GET,
	ROCKSDB_OP_PUT,
	ROCKSDB_OP_MERGE,
	ROCKSDB_OP_DELETE,
	ROCKSDB_OP_SEEK,
	ROCKSDB_OP_WRITE,
	ROCKSDB_OP__N,
	/* Calls of jvmtap's own empty function at start: what the probes add to each call. */
	ROCKSDB_OP_CALIBRATE = ROCKSDB_OP__N,
};

struct rocksdb_key {
	__u32 tgid;
	__u32 op;
};

/* Calls that returned, their time inside the library in log2(ns) slots as jvm_hist's. */
struct rocksdb_hist {
	__u64 slots[JVM_HIST_SLOTS];
	__u64 sum_ns;
	__u64 count;
};

/* A call in flight, by thread id: entry time and operation. */
struct rocksdb_call {
	__u64 start_ns;
	__u32 op;
	__u32 pad;
};

#define ROCKSDB_MAX_KEYS (ROCKSDB_OP__N * 1024) /* 1024 JVMs with RocksDB per node */

#endif
