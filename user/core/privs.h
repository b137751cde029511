/* Least privilege after attaching: drop the capabilities jvmtap no longer needs, set
 * NO_NEW_PRIVS, optionally switch to --run-as-user. */
#ifndef JVMTAP_PRIVS_H
#define JVMTAP_PRIVS_H

#include <stdint.h>

/* Before anything: root, or CAP_BPF + CAP_PERFMON (Linux 5.8+), or CAP_SYS_ADMIN (older
 * kernels); 0 or -EPERM (logged). */
int privs_check_start(void);

/* The capabilities kept after attaching (those of them the process has), as a CapEff mask. */
uint64_t privs_kept_mask(void);

/* Applies to the calling thread and everything it starts later: call it with no other thread
 * running (the HTTP server is restarted after it). 0 or -errno (logged). */
int privs_drop(void);

/* 0 if name is a user name or a numeric uid that exists (for flag checking). */
int privs_check_user(const char *name);

#endif
