/* Test helper: runs a command with one system call failing with a chosen errno (seccomp), to
 * show how jvmtap reports a kernel that refuses bpf() or perf_event_open().
 * Usage: deny_syscall NAME ERRNO CMD [ARG...]   NAME: bpf | perf_event_open */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

int main(int argc, char **argv)
{
	long nr;

	if (argc < 4) {
		fprintf(stderr, "usage: %s bpf|perf_event_open ERRNO CMD [ARG...]\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "bpf"))
		nr = SYS_bpf;
	else if (!strcmp(argv[1], "perf_event_open"))
		nr = SYS_perf_event_open;
	else
		return 2;
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (atoi(argv[2]) & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("seccomp");
		return 1;
	}
	execvp(argv[3], argv + 3);
	perror(argv[3]);
	return 127;
}
