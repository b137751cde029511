/* File reading (readfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "procfs.h"
#include "readfile.h"

int read_file(const char *path, char **buf, size_t *len, size_t max)
{
	return read_file_at(AT_FDCWD, path, buf, len, max);
}

int read_file_at(int dirfd, const char *path, char **buf, size_t *len, size_t max)
{
	size_t cap = 4096, n = 0;
	char *b = NULL, *nb;
	ssize_t r;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		if (!b || n == cap) {
			if (b)
				cap *= 2;
			if (cap > max)
				cap = max;
			if (n == cap) {
				err = -EFBIG;
				break;
			}
			nb = realloc(b, cap + 1);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	if (err) {
		free(b);
		return err;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

ssize_t read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if (!size)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0) {
		buf[0] = '\0';
		return n;
	}
	while (n && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return n;
}

int read_boot_time(unsigned long long *btime)
{
	char *buf;
	size_t len;
	int err;

	/* a few KiB; its intr line grows with the interrupts of a large machine */
	err = read_file("/proc/stat", &buf, &len, 16u << 20);
	if (err)
		return err;
	err = stat_btime(buf, len, btime);
	free(buf);
	return err;
}
