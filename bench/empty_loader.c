/* Bench helper: loads and attaches bench/empty.bpf.o, prints the program id, holds it until
 * SIGTERM/SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;

	if (argc != 2) {
		fprintf(stderr, "usage: %s empty.bpf.o\n", argv[0]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj))
		return 1;
	prog = bpf_object__next_program(obj, NULL);
	link = bpf_program__attach(prog);
	if (!link || bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return 1;
	printf("%u\n", info.id);
	fflush(stdout);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop)
		pause();
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
