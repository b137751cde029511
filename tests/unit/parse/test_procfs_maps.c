/* Unit tests for maps_find_lib(), the /proc/PID/maps parser: real maps of JVMs (a JDK upgraded,
 * deleted or in a container, paths with spaces), near-miss file names, and broken or cut lines. */
// UNIT-SOURCES: user/parse/procfs.c
#include <errno.h>
#include "procfs_rows.h"

#define JVM17 JDK17 "/lib/server/libjvm.so"
#define JDK21 "/usr/lib/jvm/java-21-openjdk-amd64"
#define JVM21 JDK21 "/lib/server/libjvm.so"
#define PAD   "                     "

/* Captured from `java -Xmx64m -XX:+UseSerialGC -cp /tmp Sleepy` (OpenJDK 17.0.15, Debian 12),
 * lines kept in order, the trailing space of anonymous mappings included. */
#define MAPS_HEAD                                                                                  \
	"fc000000-100000000 rw-p 00000000 00:00 0 \n"                                              \
	"558906069000-55890606a000 r--p 00000000 fe:00 317697" PAD JDK17 "/bin/java\n"             \
	"55890606a000-55890606b000 r-xp 00001000 fe:00 317697" PAD JDK17 "/bin/java\n"             \
	"7ff4208fa000-7ff4208fb000 r--p 00000000 fe:00 320480" PAD                                 \
	"/usr/lib/locale/C.utf8/LC_MONETARY\n"                                                     \
	"7ff4208fb000-7ff4208fc000 r--p 00000000 fe:00 320479" PAD                                 \
	"/usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES\n"                                     \
	"7ff420900000-7ff420904000 ---p 00000000 00:00 0 \n"                                       \
	"7ff420904000-7ff420a00000 rw-p 00000000 00:00 0 \n"
#define MAPS_JVM                                                                                   \
	"7ff420a00000-7ff420c51000 r--p 00000000 fe:00 318057" PAD JVM17 "\n"                      \
	"7ff420c51000-7ff4219a4000 r-xp 00251000 fe:00 318057" PAD JVM17 "\n"                      \
	"7ff4219a4000-7ff421c25000 r--p 00fa4000 fe:00 318057" PAD JVM17 "\n"                      \
	"7ff421c25000-7ff421cdd000 r--p 01225000 fe:00 318057" PAD JVM17 "\n"                      \
	"7ff421cdd000-7ff421d12000 rw-p 012dd000 fe:00 318057" PAD JVM17 "\n"
#define MAPS_TAIL                                                                                  \
	"7ff421d12000-7ff421d6c000 rw-p 00000000 00:00 0 \n"                                       \
	"7ff421d6d000-7ff421d74000 r--s 00000000 fe:00 332280" PAD                                 \
	"/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache\n"                                    \
	"7ff421db8000-7ff421dc4000 r--p 00000000 fe:00 318021" PAD JDK17 "/lib/libjava.so\n"       \
	"7ff421dc4000-7ff421dd5000 r-xp 0000c000 fe:00 318021" PAD JDK17 "/lib/libjava.so\n"       \
	"7ff421ee8000-7ff421f0e000 r--p 00000000 fe:00 332835" PAD                                 \
	"/usr/lib/x86_64-linux-gnu/libc.so.6\n"                                                    \
	"7ff42210c000-7ff42210e000 r-xp 00000000 00:00 0                          [vdso]\n"        \
	"7ff42213f000-7ff422141000 r--p 00031000 fe:00 332383" PAD                                 \
	"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"                                         \
	"7ffcd146c000-7ffcd148d000 rw-p 00000000 00:00 0                          [stack]\n"       \
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n"
#define MAPS_REAL MAPS_HEAD MAPS_JVM MAPS_TAIL

/* The same JVM on a host whose root is on fe:01 (JDK 21 in a VM with a second virtio disk). */
#define JVM21_LINE "7f3c4d000000-7f3c4d2a1000 r--p 00000000 fe:01 1054113" PAD JVM21 "\n"

/* Captured: a copy of /bin/sleep named libjvm.so in a directory with spaces, run, then removed. */
#define DEL_SPACE_PATH "/tmp/procfs_jvm/dir with space/libjvm.so"
#define MAPS_DEL_SPACE                                                                             \
	"559d25207000-559d25209000 r--p 00000000 fe:00 10961770                   " DEL_SPACE_PATH \
	" (deleted)\n"                                                                             \
	"559d25209000-559d2520e000 r-xp 00002000 fe:00 10961770                   " DEL_SPACE_PATH \
	" (deleted)\n"

struct maps_row {
	const char *name;
	const char *buf;
	size_t len; /* 0: strlen(buf) */
	const char *lib;
	int ret;
	uint64_t start, end;
	unsigned maj, min;
	uint64_t inode;
	const char *path;
	int deleted;
};

/* the expected mapping of an error row: none */
#define NO_LIB 0, 0, 0, 0, 0, NULL, 0

static const struct maps_row maps_rows[] = {
	{ "maps: real jdk17, first libjvm mapping", MAPS_REAL, 0, "libjvm.so", 0, 0x7ff420a00000,
	  0x7ff420c51000, 0xfe, 0x00, 318057, JVM17, 0 },
	{ "maps: real jdk17, libjava.so", MAPS_REAL, 0, "libjava.so", 0, 0x7ff421db8000,
	  0x7ff421dc4000, 0xfe, 0x00, 318021, JDK17 "/lib/libjava.so", 0 },
	{ "maps: real jdk17, libc.so.6", MAPS_REAL, 0, "libc.so.6", 0, 0x7ff421ee8000,
	  0x7ff421f0e000, 0xfe, 0x00, 332835, "/usr/lib/x86_64-linux-gnu/libc.so.6", 0 },
	{ "maps: real jdk17, the launcher binary", MAPS_REAL, 0, "java", 0, 0x558906069000,
	  0x55890606a000, 0xfe, 0x00, 317697, JDK17 "/bin/java", 0 },
	{ "maps: real jdk17, absent lib", MAPS_REAL, 0, "libnet.so", -ENOENT, NO_LIB },
	{ "maps: real jdk17 without libjvm", MAPS_HEAD MAPS_TAIL, 0, "libjvm.so", -ENOENT, NO_LIB },
	{ "maps: [vdso] is not a file", MAPS_REAL, 0, "[vdso]", -ENOENT, NO_LIB },
	{ "maps: libjvm on fe:01", MAPS_HEAD JVM21_LINE MAPS_TAIL, 0, "libjvm.so", 0,
	  0x7f3c4d000000, 0x7f3c4d2a1000, 0xfe, 0x01, 1054113, JVM21, 0 },
	{ "maps: libjvm on fe:01, only line, no newline", JVM21_LINE, sizeof(JVM21_LINE) - 2,
	  "libjvm.so", 0, 0x7f3c4d000000, 0x7f3c4d2a1000, 0xfe, 0x01, 1054113, JVM21, 0 },
	{ "maps: overlayfs container root (00:2f)",
	  "7f0e1c000000-7f0e1c251000 r--p 00000000 00:2f 2365041" PAD JVM17 "\n", 0, "libjvm.so", 0,
	  0x7f0e1c000000, 0x7f0e1c251000, 0x00, 0x2f, 2365041, JVM17, 0 },
	{ "maps: largest dev numbers", "1000-2000 r-xp 00000000 fff:fffff 1 /x/libjvm.so\n", 0,
	  "libjvm.so", 0, 0x1000, 0x2000, 0xfff, 0xfffff, 1, "/x/libjvm.so", 0 },
	{ "maps: real deleted, path with spaces", MAPS_DEL_SPACE, 0, "libjvm.so", 0, 0x559d25207000,
	  0x559d25209000, 0xfe, 0x00, 10961770, DEL_SPACE_PATH, 1 },
	{ "maps: deleted libjvm after package upgrade",
	  MAPS_HEAD "7ff420a00000-7ff420c51000 r--p 00000000 fe:01 318057" PAD JVM17
		    " (deleted)\n" MAPS_TAIL,
	  0, "libjvm.so", 0, 0x7ff420a00000, 0x7ff420c51000, 0xfe, 0x01, 318057, JVM17, 1 },
	{ "maps: deleted, no newline",
	  "7ff420a00000-7ff420c51000 r--p 00000000 fe:01 318057" PAD JVM17 " (deleted)", 0,
	  "libjvm.so", 0, 0x7ff420a00000, 0x7ff420c51000, 0xfe, 0x01, 318057, JVM17, 1 },
	{ "maps: path with spaces, not deleted",
	  "7f0000000000-7f0000001000 r-xp 00000000 fe:01 42" PAD "/opt/My Apps/jdk 17/lib/server/"
	  "libjvm.so\n",
	  0, "libjvm.so", 0, 0x7f0000000000, 0x7f0000001000, 0xfe, 0x01, 42,
	  "/opt/My Apps/jdk 17/lib/server/libjvm.so", 0 },
	{ "maps: xlibjvm.so is not libjvm.so",
	  "7f0000000000-7f0000001000 r-xp 00000000 fe:01 42" PAD "/opt/x/xlibjvm.so\n", 0,
	  "libjvm.so", -ENOENT, NO_LIB },
	{ "maps: xlibjvm.so skipped, libjvm.so found",
	  "7f0000000000-7f0000001000 r-xp 00000000 fe:01 42" PAD "/opt/x/xlibjvm.so\n" JVM21_LINE,
	  0, "libjvm.so", 0, 0x7f3c4d000000, 0x7f3c4d2a1000, 0xfe, 0x01, 1054113, JVM21, 0 },
	{ "maps: deleted xlibjvm.so is not libjvm.so",
	  "7f0000000000-7f0000001000 r-xp 00000000 fe:01 42" PAD "/opt/x/xlibjvm.so (deleted)\n", 0,
	  "libjvm.so", -ENOENT, NO_LIB },
	{ "maps: libjvm.so.bak is not libjvm.so",
	  "7f0000000000-7f0000001000 r-xp 00000000 fe:01 42" PAD "/opt/x/libjvm.so.bak\n", 0,
	  "libjvm.so", -ENOENT, NO_LIB },
	{ "maps: libjvm.so at the root", "1000-2000 r--p 00000000 fe:01 7 /libjvm.so\n", 0,
	  "libjvm.so", 0, 0x1000, 0x2000, 0xfe, 0x01, 7, "/libjvm.so", 0 },
	{ "maps: name as a directory is not a match",
	  "1000-2000 r--p 00000000 fe:01 7 /opt/libjvm.so/other.so\n", 0, "libjvm.so", -ENOENT,
	  NO_LIB },
	{ "maps: garbage lines without a path are skipped", "hello world\n\n\n-\n" JVM21_LINE, 0,
	  "libjvm.so", 0, 0x7f3c4d000000, 0x7f3c4d2a1000, 0xfe, 0x01, 1054113, JVM21, 0 },
	/* the buffer ends inside the first libjvm line: its path is cut, nothing matches */
	{ "maps: truncated inside the path", MAPS_HEAD MAPS_JVM, sizeof(MAPS_HEAD) - 1 + 95,
	  "libjvm.so", -ENOENT, NO_LIB },
	{ "maps: truncated inside the addresses", MAPS_HEAD MAPS_JVM, sizeof(MAPS_HEAD) - 1 + 17,
	  "libjvm.so", -ENOENT, NO_LIB },
	{ "maps: truncated line, fields gone", "7ff420a00000-7ff420c51000 r--p " JVM17 "\n", 0,
	  "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: truncated line, address only", "7ff420a00000 " JVM17 "\n", 0, "libjvm.so", -EINVAL,
	  NO_LIB },
	{ "maps: path only", JVM17 "\n", 0, "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: non-hex start",
	  "7ff42g000000-7ff420c51000 r--p 00000000 fe:00 318057" PAD JVM17 "\n", 0, "libjvm.so",
	  -EINVAL, NO_LIB },
	{ "maps: non-hex end",
	  "7ff420a00000-7ff420c5z000 r--p 00000000 fe:00 318057" PAD JVM17 "\n", 0, "libjvm.so",
	  -EINVAL, NO_LIB },
	{ "maps: 0x prefix", "0x7ff420a00000-0x7ff420c51000 r--p 00000000 fe:00 1" PAD JVM17 "\n",
	  0, "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: empty start", "-7ff420c51000 r--p 00000000 fe:00 318057" PAD JVM17 "\n", 0,
	  "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: 17-digit address overflows",
	  "10000000000000000-7ff420c51000 r--p 00000000 fe:00 1" PAD JVM17 "\n", 0, "libjvm.so",
	  -EINVAL, NO_LIB },
	{ "maps: non-hex dev", "1000-2000 r--p 00000000 fg:00 318057" PAD JVM17 "\n", 0,
	  "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: dev without colon", "1000-2000 r--p 00000000 fe00 318057" PAD JVM17 "\n", 0,
	  "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: dev major over 12 bits", "1000-2000 r--p 00000000 1000:00 1" PAD JVM17 "\n", 0,
	  "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: dev minor over 20 bits", "1000-2000 r--p 00000000 fe:100000 1" PAD JVM17 "\n", 0,
	  "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: missing inode", "7ff420a00000-7ff420c51000 r--p 00000000 fe:00" PAD JVM17 "\n", 0,
	  "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: missing inode, single space",
	  "7ff420a00000-7ff420c51000 r--p 00000000 fe:00 " JVM17 "\n", 0, "libjvm.so", -EINVAL,
	  NO_LIB },
	{ "maps: hex inode", "1000-2000 r--p 00000000 fe:00 4d2" PAD JVM17 "\n", 0, "libjvm.so",
	  -EINVAL, NO_LIB },
	{ "maps: inode glued to the path", "1000-2000 r--p 00000000 fe:00 1" JVM17 "\n", 0,
	  "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: garbage between inode and path",
	  "1000-2000 r--p 00000000 fe:00 5 junk " JVM17 "\n", 0, "libjvm.so", -EINVAL, NO_LIB },
	/* fields that only parse by running into the path: "/b" as offset, "c:d 5" inside it */
	{ "maps: fields overlapping the path", "1-2 rw /b c:d 5 /libjvm.so\n", 0, "libjvm.so",
	  -EINVAL, NO_LIB },
	{ "maps: NUL inside the path", "1000-2000 r--p 00000000 fe:00 5 /usr/lib\0/x/libjvm.so\n",
	  sizeof("1000-2000 r--p 00000000 fe:00 5 /usr/lib\0/x/libjvm.so\n") - 1, "libjvm.so",
	  -EINVAL, NO_LIB },
	{ "maps: empty buffer", "", 0, "libjvm.so", -ENOENT, NO_LIB },
	{ "maps: newlines only", "\n\n\n", 0, "libjvm.so", -ENOENT, NO_LIB },
};

static void test_maps_row(void **state)
{
	const struct maps_row *r = *state;
	size_t len = row_len(r->buf, r->len);
	char *buf = exact_copy(r->buf, len);
	struct maps_lib *lib = test_malloc(sizeof(*lib));
	int deleted = -1, ret;

	memset(lib, 0xa5, sizeof(*lib));
	ret = maps_find_lib(buf, len, r->lib, lib, &deleted);
	assert_int_equal(ret, r->ret);
	if (!ret) {
		assert_int_equal(lib->start, r->start);
		assert_int_equal(lib->end, r->end);
		assert_int_equal(lib->dev_major, r->maj);
		assert_int_equal(lib->dev_minor, r->min);
		assert_int_equal(lib->inode, r->inode);
		assert_string_equal(lib->path, r->path);
		assert_int_equal(deleted, r->deleted);
	}
	test_free(lib);
	free(buf);
}

/* The path must fit struct maps_lib.path with its NUL: 4095 bytes do, 4096 are passed over. */
static void test_maps_long_path(void **state)
{
	static const char pre[] = "1000-2000 r-xp 00000000 fe:01 99 ";
	size_t plen, len, pl = strlen(pre);
	struct maps_lib lib;
	int deleted;
	char *buf;

	(void)state;
	for (plen = sizeof(lib.path) - 2; plen <= sizeof(lib.path) + 1; plen++) {
		len = pl + plen + strlen(" (deleted)");
		buf = malloc(len);
		assert_non_null(buf);
		memcpy(buf, pre, pl);
		memset(buf + pl, 'd', plen);
		buf[pl] = '/';
		memcpy(buf + pl + plen - 10, "/libjvm.so", 10);
		memcpy(buf + pl + plen, " (deleted)", 10);
		/* without the suffix, then with it: the suffix does not count against the limit */
		assert_int_equal(maps_find_lib(buf, pl + plen, "libjvm.so", &lib, &deleted),
				 plen < sizeof(lib.path) ? 0 : -ENOENT);
		if (plen < sizeof(lib.path)) {
			assert_int_equal(strlen(lib.path), plen);
			assert_int_equal(deleted, 0);
		}
		assert_int_equal(maps_find_lib(buf, len, "libjvm.so", &lib, &deleted),
				 plen < sizeof(lib.path) ? 0 : -ENOENT);
		if (plen < sizeof(lib.path)) {
			assert_int_equal(strlen(lib.path), plen);
			assert_int_equal(deleted, 1);
			assert_int_equal(lib.inode, 99);
		}
		free(buf);
	}
}

/* Every prefix of a real maps text: never a read past len, and the answer only ever improves
 * to the full one once the first libjvm line is complete. */
static void test_maps_every_prefix(void **state)
{
	static const char text[] = MAPS_HEAD JVM21_LINE MAPS_TAIL;
	size_t len, full = sizeof(MAPS_HEAD) - 1 + sizeof(JVM21_LINE) - 2;
	struct maps_lib lib;
	int deleted, ret;
	char *buf;

	(void)state;
	for (len = 0; len < sizeof(text); len++) {
		buf = exact_copy(text, len);
		ret = maps_find_lib(buf, len, "libjvm.so", &lib, &deleted);
		if (len < full) {
			assert_int_equal(ret, -ENOENT);
		} else {
			assert_int_equal(ret, 0);
			assert_string_equal(lib.path, JVM21);
			assert_int_equal(lib.inode, 1054113);
		}
		free(buf);
	}
}

#define NSINGLE 2

int main(void)
{
	struct CMUnitTest tests[NSINGLE + NELEM(maps_rows)] = {
		cmocka_unit_test(test_maps_long_path),
		cmocka_unit_test(test_maps_every_prefix),
	};
	size_t n = NSINGLE;

	ADD_ROWS(tests, n, test_maps_row, maps_rows);
	return cmocka_run_group_tests_name("procfs_maps", tests, NULL, NULL);
}
