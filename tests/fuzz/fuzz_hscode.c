/* libFuzzer target for what jvmtap reads from a libjvm file before attaching to it: any bytes as
 * constructor code (hotspot_name_offset: -1 or a pointer slot that a store in the bytes names),
 * and any bytes as the file itself (elfsym_lookup through libelf: a container can put any file
 * at a path a JVM maps). */
// FUZZ-SOURCES: user/parse/hscode.c user/bpf/elfsym.c
// FUZZ-LIBS: -lelf
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "elfsym.h"
#include "hscode.h"

static int stored_at(const uint8_t *d, size_t n, int off)
{
	size_t i;

	for (i = 0; i + 4 <= n; i++)
		if (d[i] == 0x48 && d[i + 1] == 0x89 &&
		    ((d[i + 2] == 0x77 && (int8_t)d[i + 3] == off) ||
		     (d[i + 2] == 0xb7 && i + 7 <= n &&
		      (int)(d[i + 3] | d[i + 4] << 8 | d[i + 5] << 16 | (uint32_t)d[i + 6] << 24) == off)))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elfsym s[] = { { .name = "_ZN13MemoryManagerC2EPKc" }, { .name = "main" } };
	int off = hotspot_name_offset(data, size), fd, i, n;

	if (off != -1 && (off < 8 || off % 8 || off > 4096 || !stored_at(data, size, off)))
		abort();
	fd = memfd_create("fuzz_elf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		/* a count, or -ENOEXEC; every symbol found is counted once */
		n = elfsym_lookup(fd, s, 2);
		for (i = 0; n >= 0 && i < 2; i++)
			n -= s[i].found;
		if (n != 0 && n != -ENOEXEC)
			abort();
	}
	close(fd);
	return 0;
}
