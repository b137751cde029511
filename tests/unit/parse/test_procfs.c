/* Unit tests for the /proc parsers: real maps, cmdline, status, stat, net/tcp{,6}, fd link and
 * /proc/stat captures, and breakage. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "procfs.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* a literal that may hold NULs, with its exact length (no terminating NUL counted) */
#define B(s) s, sizeof(s) - 1

/* Every input is copied into a malloc'd buffer of exactly len bytes, with no NUL after it, so
 * ASan catches a read past len. Plain malloc, not test_malloc: cmocka pads its blocks with guard
 * bytes, which would hide an over-read (it only checks them for writes, at free). */
static char *exact_copy(const char *s, size_t len)
{
	char *b = malloc(len ? len : 1);

	assert_non_null(b);

	memcpy(b, s, len);
	return b;
}

/* ---------------------------------------------------------------------------------------------
 * /proc/PID/maps
 * ------------------------------------------------------------------------------------------- */

#define JDK17 "/usr/lib/jvm/java-17-openjdk-amd64"
#define JVM17 JDK17 "/lib/server/libjvm.so"
#define JDK21 "/usr/lib/jvm/java-21-openjdk-amd64"
#define JVM21 JDK21 "/lib/server/libjvm.so"
#define PAD "                     "

/* Captured from `java -Xmx64m -XX:+UseSerialGC -cp /tmp Sleepy` (OpenJDK 17.0.15, Debian 12),
 * lines kept in order, the trailing space of anonymous mappings included. */
#define MAPS_HEAD                                                                                   \
	"fc000000-100000000 rw-p 00000000 00:00 0 \n"                                              \
	"558906069000-55890606a000 r--p 00000000 fe:00 317697" PAD JDK17 "/bin/java\n"             \
	"55890606a000-55890606b000 r-xp 00001000 fe:00 317697" PAD JDK17 "/bin/java\n"             \
	"7ff4208fa000-7ff4208fb000 r--p 00000000 fe:00 320480" PAD                                 \
	"/usr/lib/locale/C.utf8/LC_MONETARY\n"                                                     \
	"7ff4208fb000-7ff4208fc000 r--p 00000000 fe:00 320479" PAD                                 \
	"/usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES\n"                                     \
	"7ff420900000-7ff420904000 ---p 00000000 00:00 0 \n"                                       \
	"7ff420904000-7ff420a00000 rw-p 00000000 00:00 0 \n"
#define MAPS_JVM                                                                                    \
	"7ff420a00000-7ff420c51000 r--p 00000000 fe:00 318057" PAD JVM17 "\n"                      \
	"7ff420c51000-7ff4219a4000 r-xp 00251000 fe:00 318057" PAD JVM17 "\n"                      \
	"7ff4219a4000-7ff421c25000 r--p 00fa4000 fe:00 318057" PAD JVM17 "\n"                      \
	"7ff421c25000-7ff421cdd000 r--p 01225000 fe:00 318057" PAD JVM17 "\n"                      \
	"7ff421cdd000-7ff421d12000 rw-p 012dd000 fe:00 318057" PAD JVM17 "\n"
#define MAPS_TAIL                                                                                   \
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
#define MAPS_DEL_SPACE                                                                              \
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
	{ "maps: libjvm on fe:01, only line, no newline", JVM21_LINE,
	  sizeof(JVM21_LINE) - 2, "libjvm.so", 0, 0x7f3c4d000000, 0x7f3c4d2a1000, 0xfe, 0x01,
	  1054113, JVM21, 0 },
	{ "maps: overlayfs container root (00:2f)",
	  "7f0e1c000000-7f0e1c251000 r--p 00000000 00:2f 2365041" PAD JVM17 "\n", 0, "libjvm.so", 0,
	  0x7f0e1c000000, 0x7f0e1c251000, 0x00, 0x2f, 2365041, JVM17, 0 },
	{ "maps: largest dev numbers", "1000-2000 r-xp 00000000 fff:fffff 1 /x/libjvm.so\n", 0,
	  "libjvm.so", 0, 0x1000, 0x2000, 0xfff, 0xfffff, 1, "/x/libjvm.so", 0 },
	{ "maps: real deleted, path with spaces", MAPS_DEL_SPACE, 0, "libjvm.so", 0,
	  0x559d25207000, 0x559d25209000, 0xfe, 0x00, 10961770, DEL_SPACE_PATH, 1 },
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
	  "7f0000000000-7f0000001000 r-xp 00000000 fe:01 42" PAD "/opt/x/xlibjvm.so (deleted)\n",
	  0, "libjvm.so", -ENOENT, NO_LIB },
	{ "maps: libjvm.so.bak is not libjvm.so",
	  "7f0000000000-7f0000001000 r-xp 00000000 fe:01 42" PAD "/opt/x/libjvm.so.bak\n", 0,
	  "libjvm.so", -ENOENT, NO_LIB },
	{ "maps: libjvm.so at the root", "1000-2000 r--p 00000000 fe:01 7 /libjvm.so\n", 0,
	  "libjvm.so", 0, 0x1000, 0x2000, 0xfe, 0x01, 7, "/libjvm.so", 0 },
	{ "maps: name as a directory is not a match",
	  "1000-2000 r--p 00000000 fe:01 7 /opt/libjvm.so/other.so\n", 0, "libjvm.so", -ENOENT, NO_LIB },
	{ "maps: garbage lines without a path are skipped",
	  "hello world\n\n\n-\n" JVM21_LINE, 0, "libjvm.so", 0, 0x7f3c4d000000, 0x7f3c4d2a1000,
	  0xfe, 0x01, 1054113, JVM21, 0 },
	/* the buffer ends inside the first libjvm line: its path is cut, nothing matches */
	{ "maps: truncated inside the path", MAPS_HEAD MAPS_JVM,
	  sizeof(MAPS_HEAD) - 1 + 95, "libjvm.so", -ENOENT, NO_LIB },
	{ "maps: truncated inside the addresses", MAPS_HEAD MAPS_JVM, sizeof(MAPS_HEAD) - 1 + 17,
	  "libjvm.so", -ENOENT, NO_LIB },
	{ "maps: truncated line, fields gone", "7ff420a00000-7ff420c51000 r--p " JVM17 "\n", 0,
	  "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: truncated line, address only", "7ff420a00000 " JVM17 "\n", 0, "libjvm.so",
	  -EINVAL, NO_LIB },
	{ "maps: path only", JVM17 "\n", 0, "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: non-hex start",
	  "7ff42g000000-7ff420c51000 r--p 00000000 fe:00 318057" PAD JVM17 "\n", 0, "libjvm.so",
	  -EINVAL, NO_LIB },
	{ "maps: non-hex end", "7ff420a00000-7ff420c5z000 r--p 00000000 fe:00 318057" PAD JVM17 "\n",
	  0, "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: 0x prefix", "0x7ff420a00000-0x7ff420c51000 r--p 00000000 fe:00 1" PAD JVM17 "\n", 0,
	  "libjvm.so", -EINVAL, NO_LIB },
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
	  "7ff420a00000-7ff420c51000 r--p 00000000 fe:00 " JVM17 "\n", 0, "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: hex inode", "1000-2000 r--p 00000000 fe:00 4d2" PAD JVM17 "\n", 0, "libjvm.so",
	  -EINVAL, NO_LIB },
	{ "maps: inode glued to the path", "1000-2000 r--p 00000000 fe:00 1" JVM17 "\n", 0,
	  "libjvm.so", -EINVAL, NO_LIB },
	{ "maps: garbage between inode and path",
	  "1000-2000 r--p 00000000 fe:00 5 junk " JVM17 "\n", 0, "libjvm.so", -EINVAL, NO_LIB },
	/* fields that only parse by running into the path: "/b" as offset, "c:d 5" inside it */
	{ "maps: fields overlapping the path", "1-2 rw /b c:d 5 /libjvm.so\n", 0, "libjvm.so",
	  -EINVAL, NO_LIB },
	{ "maps: NUL inside the path",
	  "1000-2000 r--p 00000000 fe:00 5 /usr/lib\0/x/libjvm.so\n",
	  sizeof("1000-2000 r--p 00000000 fe:00 5 /usr/lib\0/x/libjvm.so\n") - 1, "libjvm.so",
	  -EINVAL, NO_LIB },
	{ "maps: empty buffer", "", 0, "libjvm.so", -ENOENT, NO_LIB },
	{ "maps: newlines only", "\n\n\n", 0, "libjvm.so", -ENOENT, NO_LIB },
};

static void test_maps_row(void **state)
{
	const struct maps_row *r = *state;
	size_t len = r->len ? r->len : strlen(r->buf);
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

/* ---------------------------------------------------------------------------------------------
 * /proc/PID/cmdline
 * ------------------------------------------------------------------------------------------- */

struct cmd_row {
	const char *name;
	const char *buf;
	size_t len;
	size_t outlen; /* 0: 256 */
	int ret;
	const char *out;
};

static const struct cmd_row cmd_rows[] = {
	{ "cmdline: real Sleepy",
	  B("java\0-Xmx64m\0-XX:+UseSerialGC\0-cp\0/tmp/procfs_jvm\0Sleepy\0x\0y\0"), 0, 0,
	  "Sleepy" },
	{ "cmdline: flink TaskManagerRunner",
	  B("java\0-cp\0a.jar:b\0org.apache.flink.runtime.taskexecutor.TaskManagerRunner\0"
	    "--configDir\0/opt\0"),
	  0, 0, "TaskManagerRunner" },
	{ "cmdline: -jar service.jar", B("java\0-Xmx1g\0-jar\0/opt/app/service.jar\0x\0"), 0, 0,
	  "service.jar" },
	{ "cmdline: -jar relative", B("java\0-jar\0app-1.2.3.jar\0"), 0, 0, "app-1.2.3.jar" },
	{ "cmdline: -m module/class", B("java\0-m\0mod/com.x.Main\0"), 0, 0, "Main" },
	{ "cmdline: --module module/class", B("java\0-p\0mods\0--module\0mod/com.x.Main\0a\0"), 0,
	  0, "Main" },
	{ "cmdline: --module=module/class", B("java\0--module=mod/com.x.Main\0a\0"), 0, 0,
	  "Main" },
	{ "cmdline: --add-opens takes a value",
	  B("java\0--add-opens\0java.base/java.lang=ALL-UNNAMED\0-cp\0x\0Main\0"), 0, 0, "Main" },
	{ "cmdline: --add-opens= carries its value",
	  B("java\0--add-opens=java.base/java.lang=ALL-UNNAMED\0-cp\0x\0Main\0"), 0, 0, "Main" },
	{ "cmdline: --enable-native-access takes a value",
	  B("java\0--enable-native-access\0ALL-UNNAMED\0-cp\0x\0Main\0"), 0, 0, "Main" },
	{ "cmdline: GC flags and -D", B("java\0-XX:+UseG1GC\0-Dfoo=bar\0GcWorkload\0001\0002\0"), 0,
	  0, "GcWorkload" },
	{ "cmdline: launcher by full path",
	  B(JDK17 "/bin/java\0-classpath\0/app/lib/*\0com.example.Server\0"), 0, 0, "Server" },
	{ "cmdline: --class-path, -p, --add-modules",
	  B("java\0-p\0/m\0--add-modules\0a,b\0--class-path\0/c\0com.x.App\0"), 0, 0, "App" },
	{ "cmdline: kafka",
	  B("java\0-Xmx1G\0-Xms1G\0-server\0-XX:+UseG1GC\0-XX:MaxGCPauseMillis=20\0"
	    "-Djava.awt.headless=true\0-cp\0/opt/kafka/libs/*\0kafka.Kafka\0"
	    "config/server.properties\0"),
	  0, 0, "Kafka" },
	{ "cmdline: tomcat",
	  B("/usr/lib/jvm/java-17-openjdk-amd64/bin/java\0"
	    "-Djava.util.logging.config.file=/usr/local/tomcat/conf/logging.properties\0"
	    "-javaagent:/otel/opentelemetry-javaagent.jar\0-classpath\0"
	    "/usr/local/tomcat/bin/bootstrap.jar:/usr/local/tomcat/bin/tomcat-juli.jar\0"
	    "-Dcatalina.base=/usr/local/tomcat\0org.apache.catalina.startup.Bootstrap\0start\0"),
	  0, 0, "Bootstrap" },
	{ "cmdline: nested class", B("java\0-cp\0.\0com.x.Outer$Main\0"), 0, 0, "Outer$Main" },
	{ "cmdline: empty arguments skipped", B("java\0\0\0Main\0"), 0, 0, "Main" },
	{ "cmdline: no trailing NUL", B("java\0-cp\0x\0Main"), 0, 0, "Main" },
	{ "cmdline: no trailing NUL, jar", B("java\0-jar\0/opt/app/service.jar"), 0, 0,
	  "service.jar" },
	{ "cmdline: no trailing NUL, module", B("java\0-m\0mod/com.x.Main"), 0, 0, "Main" },
	{ "cmdline: only options", B("java\0-Xmx1g\0-XX:+UseG1GC\0-version\0"), 0, -ENOENT, NULL },
	{ "cmdline: only options, no trailing NUL", B("java\0-Xmx1g\0-version"), 0, -ENOENT, NULL },
	{ "cmdline: -cp without value", B("java\0-cp\0"), 0, -ENOENT, NULL },
	{ "cmdline: -cp value is not the class", B("java\0-cp\0/app/classes\0"), 0, -ENOENT, NULL },
	{ "cmdline: -jar last", B("java\0-Xmx1g\0-jar\0"), 0, -ENOENT, NULL },
	{ "cmdline: -jar last, no NUL", B("java\0-jar"), 0, -ENOENT, NULL },
	{ "cmdline: -m last", B("java\0-m\0"), 0, -ENOENT, NULL },
	{ "cmdline: -m last, no NUL", B("java\0-m"), 0, -ENOENT, NULL },
	{ "cmdline: dash last, no NUL", B("java\0-"), 0, -ENOENT, NULL },
	{ "cmdline: -c last, no NUL", B("java\0-c"), 0, -ENOENT, NULL },
	{ "cmdline: -cp last, no NUL", B("java\0-cp"), 0, -ENOENT, NULL },
	{ "cmdline: --module= empty", B("java\0--module=\0"), 0, -ENOENT, NULL },
	{ "cmdline: jar path ends in a slash", B("java\0-jar\0/opt/app/\0"), 0, -ENOENT, NULL },
	{ "cmdline: class ends in a dot", B("java\0com.x.\0"), 0, -ENOENT, NULL },
	{ "cmdline: argv[0] only", B("java\0"), 0, -ENOENT, NULL },
	{ "cmdline: argv[0] only, no NUL", B("java"), 0, -ENOENT, NULL },
	{ "cmdline: empty buffer", B(""), 0, -ENOENT, NULL },
	{ "cmdline: NULs only", B("\0\0\0\0"), 0, -ENOENT, NULL },
	{ "cmdline: class truncated to outlen-1",
	  B("java\0-cp\0a.jar:b\0org.apache.flink.runtime.taskexecutor.TaskManagerRunner\0"), 8, 0,
	  "TaskMan" },
	{ "cmdline: jar truncated to outlen-1", B("java\0-jar\0/opt/app/service.jar\0"), 5, 0,
	  "serv" },
	{ "cmdline: exact fit", B("java\0Main\0"), 5, 0, "Main" },
	{ "cmdline: one short", B("java\0Main\0"), 4, 0, "Mai" },
	{ "cmdline: outlen 1 holds nothing", B("java\0Main\0"), 1, -ENOENT, "" },
};

static void test_cmd_row(void **state)
{
	const struct cmd_row *r = *state;
	size_t outlen = r->outlen ? r->outlen : 256;
	char *buf = exact_copy(r->buf, r->len);
	char *out = malloc(outlen); /* exactly outlen: ASan catches an overrun */
	int ret;

	memset(out, 'Z', outlen);
	ret = cmdline_main_class(buf, r->len, out, outlen);
	assert_int_equal(ret, r->ret);
	if (r->out)
		assert_string_equal(out, r->out);
	free(out);
	free(buf);
}

static void test_cmd_outlen_zero(void **state)
{
	static const char cmd[] = "java\0Main\0";
	char out[1] = { 'Z' };

	(void)state;
	assert_int_equal(cmdline_main_class(cmd, sizeof(cmd) - 1, out, 0), -EINVAL);
	assert_int_equal(out[0], 'Z');
}

/* ---------------------------------------------------------------------------------------------
 * /proc/PID/status
 * ------------------------------------------------------------------------------------------- */

#define ST_HEAD(pid)                                                                                \
	"Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t" pid "\nNgid:\t0\nPid:\t" pid    \
	"\nPPid:\t1\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t256\nGroups:\t \n"
/* The rest of the real status of the Sleepy JVM above, after its NS* lines. */
#define ST_TAIL                                                                                     \
	"Kthread:\t0\nVmPeak:\t 2463368 kB\nVmSize:\t 2463368 kB\nVmLck:\t       0 kB\n"             \
	"VmPin:\t       0 kB\nVmHWM:\t   35736 kB\nVmRSS:\t   35736 kB\nRssAnon:\t   15728 kB\n"     \
	"RssFile:\t   20008 kB\nRssShmem:\t       0 kB\nVmData:\t  103772 kB\nVmStk:\t     132 kB\n" \
	"VmExe:\t       4 kB\nVmLib:\t   17208 kB\nVmPTE:\t     252 kB\nVmSwap:\t       0 kB\n"     \
	"HugetlbPages:\t       0 kB\nCoreDumping:\t0\nTHP_enabled:\t1\n"                            \
	"untag_mask:\t0xffffffffffffffff\nThreads:\t14\nSigQ:\t0/96365\n"                          \
	"SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\n"        \
	"SigIgn:\t0000000000000002\nSigCgt:\t0000000101005ccd\nCapInh:\t0000000000000000\n"        \
	"CapPrm:\t000001fffeffffff\nCapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\n"        \
	"CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"            \
	"Speculation_Store_Bypass:\tvulnerable\nSpeculationIndirectBranch:\talways enabled\n"       \
	"Cpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed:\t00000000,00000001\n"            \
	"Mems_allowed_list:\t0\nvoluntary_ctxt_switches:\t1\nnonvoluntary_ctxt_switches:\t6\n"

struct nspid_row {
	const char *name;
	const char *buf;
	size_t len; /* 0: strlen(buf) */
	int ret;
	int nspid;
};

static const struct nspid_row nspid_rows[] = {
	{ "nspid: real JVM, host namespace",
	  ST_HEAD("16664") "NStgid:\t16664\nNSpid:\t16664\nNSpgid:\t16639\nNSsid:\t15965\n" ST_TAIL,
	  0, 0, 16664 },
	{ "nspid: real, one pid namespace down (unshare -p)",
	  ST_HEAD("16751") "NStgid:\t16751\t1\nNSpid:\t16751\t1\nNSpgid:\t16737\t0\n"
			   "NSsid:\t15965\t0\n" ST_TAIL,
	  0, 0, 1 },
	/* a thread's /proc/PID/task/TID/status: NStgid comes first and differs */
	{ "nspid: real JVM thread, NStgid is not NSpid",
	  "Name:\tVM Thread\nTgid:\t16664\nPid:\t16667\nNStgid:\t16664\nNSpid:\t16667\n", 0, 0,
	  16667 },
	{ "nspid: container thread, two levels",
	  "NStgid:\t4123\t1\nNSpid:\t4130\t8\nNSpgid:\t4123\t1\n", 0, 0, 8 },
	{ "nspid: several levels", "NSpid:\t4123\t1", 0, 0, 1 },
	{ "nspid: three levels", "Pid:\t91234\nNSpid:\t91234\t4123\t77\n", 0, 0, 77 },
	{ "nspid: trailing blanks", "NSpid:\t4123\t1 \t\n", 0, 0, 1 },
	{ "nspid: spaces instead of tabs", "NSpid: 4123 12\n", 0, 0, 12 },
	{ "nspid: pid_max", "NSpid:\t4194304\n", 0, 0, 4194304 },
	{ "nspid: no newline", "NSpid:\t16664", 0, 0, 16664 },
	{ "nspid: missing line (pre-4.1 kernel)", ST_HEAD("16664") ST_TAIL, 0, -ENOENT, 0 },
	{ "nspid: NSpid only inside a line", "Name:\tNSpid:\t5\nXNSpid:\t6\n", 0, -ENOENT, 0 },
	{ "nspid: NSpgid alone is not NSpid", "NSpgid:\t16639\nNSsid:\t15965\n", 0, -ENOENT, 0 },
	{ "nspid: empty buffer", "", 0, -ENOENT, 0 },
	{ "nspid: key without value", "NSpid:", 0, -ENOENT, 0 },
	{ "nspid: key with a tab only", "NSpid:\t\n", 0, -EINVAL, 0 },
	{ "nspid: letters", "NSpid:\tabc\n", 0, -EINVAL, 0 },
	{ "nspid: digits then letters", "NSpid:\t12x\n", 0, -EINVAL, 0 },
	{ "nspid: negative", "NSpid:\t-5\n", 0, -EINVAL, 0 },
	{ "nspid: zero", "NSpid:\t0\n", 0, -EINVAL, 0 },
	{ "nspid: overflow", "NSpid:\t4123\t99999999999999999999\n", 0, -EINVAL, 0 },
	{ "nspid: garbage level", "NSpid:\t4123\t?\n", 0, -EINVAL, 0 },
	/* cut mid-line in the real text: the key "NSpi" no longer matches */
	{ "nspid: truncated in the key", ST_HEAD("1") "NSpid:\t1\n", sizeof(ST_HEAD("1")) - 1 + 4,
	  -ENOENT, 0 },
};

struct statm_row {
	const char *name, *buf;
	uint64_t page;
	int ret;
	uint64_t bytes;
};

static const struct statm_row statm_rows[] = {
	/* /proc/PID/statm of the JVM whose status is ST_HEAD("16664"): VmRSS 35736 kB */
	{ "statm: real JVM", "677371 8934 4003 1 0 60930 0\n", 4096, 0, 8934ull * 4096 },
	{ "statm: 64 KiB pages", "10 3 1 1 0 2 0\n", 65536, 0, 3ull * 65536 },
	{ "statm: zero resident", "0 0 0 0 0 0 0\n", 4096, 0, 0 },
	{ "statm: only two fields", "5 4 ", 4096, 0, 4ull * 4096 },
	{ "statm: cut after resident", "5 4", 4096, -EINVAL, 0 },
	{ "statm: one field", "5\n", 4096, -EINVAL, 0 },
	{ "statm: empty", "", 4096, -EINVAL, 0 },
	{ "statm: not a number", "5 x4 1\n", 4096, -EINVAL, 0 },
	{ "statm: negative", "5 -4 1\n", 4096, -EINVAL, 0 },
	{ "statm: two spaces", "5  4 1\n", 4096, -EINVAL, 0 },
	{ "statm: no page size", "5 4 1\n", 0, -EINVAL, 0 },
	{ "statm: overflow in bytes", "5 4503599627370496 1\n", 4096, -EINVAL, 0 },
	{ "statm: largest that fits", "5 4503599627370495 1\n", 4096, 0,
	  4503599627370495ull * 4096 },
	{ "statm: overflow in pages", "5 18446744073709551616 1\n", 1, -EINVAL, 0 },
};

static void test_statm_row(void **state)
{
	const struct statm_row *r = *state;
	size_t len = strlen(r->buf);
	char *buf = exact_copy(r->buf, len);
	uint64_t b = 42;
	int ret = statm_resident(buf, len, r->page, &b);

	free(buf);
	assert_int_equal(ret, r->ret);
	assert_true(b == (ret ? 42 : r->bytes));
}

/* Every prefix of a real statm: refused until the resident field is whole. */
static void test_statm_every_prefix(void **state)
{
	static const char st[] = "677371 8934 4003 1 0 60930 0\n";
	size_t n = sizeof(st) - 1, l, whole = strlen("677371 8934 ");

	(void)state;
	for (l = 0; l <= n; l++) {
		char *buf = exact_copy(st, l);
		uint64_t b = 0;
		int ret = statm_resident(buf, l, 4096, &b);

		free(buf);
		if (l < whole)
			assert_int_equal(ret, -EINVAL);
		else {
			assert_int_equal(ret, 0);
			assert_true(b == 8934ull * 4096);
		}
	}
}

static void test_nspid_row(void **state)
{
	const struct nspid_row *r = *state;
	size_t len = r->len ? r->len : strlen(r->buf);
	char *buf = exact_copy(r->buf, len);
	int nspid = -42, ret;

	ret = status_nspid(buf, len, &nspid);
	assert_int_equal(ret, r->ret);
	if (!ret)
		assert_int_equal(nspid, r->nspid);
	else
		assert_int_equal(nspid, -42);
	free(buf);
}

/* ---------------------------------------------------------------------------------------------
 * /proc/PID/stat
 * ------------------------------------------------------------------------------------------- */

#define STAT_JAVA                                                                                   \
	"16664 (java) S 1 16639 15965 0 -1 4194304 4369 0 0 0 6 4 0 0 20 0 14 0 350319 2522488832 " \
	"8890 18446744073709551615 94046999977984 94046999978869 140723819689760 0 0 0 0 2 "        \
	"16800973 0 0 0 17 0 0 0 0 0 0 94046999989568 94046999990296 94047789469696 "               \
	"140723819694478 140723819694539 140723819694539 140723819696106 0\n"
#define STAT_WEIRD_COMM                                                                             \
	"16774 (a) b) c) S 1 16770 15965 0 -1 4194304 128 0 0 0 0 0 0 0 20 0 1 0 351971 2990080 "   \
	"417 18446744073709551615 94159986929664 94159986947593 140729347562512 0 0 0 0 6 0 1 0 0 " \
	"17 0 0 0 0 0 0 94159986961680 94159986962944 94160862986240 140729347566021 "              \
	"140729347566035 140729347566035 140729347567598 0\n"

struct stat_row {
	const char *name;
	const char *buf;
	size_t len; /* 0: strlen(buf) */
	int ret;
	unsigned long long start;
};

static const struct stat_row stat_rows[] = {
	{ "stat: real JVM", STAT_JAVA, 0, 0, 350319 },
	{ "stat: real, in a pid namespace",
	  "16751 (sleep) S 16749 16737 15965 0 -1 4194304 88 0 0 0 0 0 0 0 20 0 1 0 351674 "
	  "2990080 407 18446744073709551615 93855506817024 93855506834953 140734832628672 0 0 0 0 "
	  "6 0 1 0 0 17 0 0 0 0 0 0 93855506849040 93855506850304 93855823097856 140734832630205 "
	  "140734832630215 140734832630215 140734832631785 0\n",
	  0, 0, 351674 },
	{ "stat: real comm \"a) b) c\"", STAT_WEIRD_COMM, 0, 0, 351971 },
	{ "stat: real /proc/self/stat of cat",
	  "16781 (cat) R 16770 16770 15965 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 352004 3133440 "
	  "409 18446744073709551615 94529862303744 94529862323625 140729154279856 0 0 0 0 0 0 0 0 "
	  "0 17 1 0 0 0 0 0 94529862339632 94529862341248 94530051780608 140729154283961 "
	  "140729154283981 140729154283981 140729154285547 0\n",
	  0, 0, 352004 },
	{ "stat: comm with spaces and digits",
	  "7 (C2 CompilerThre 1 2) S 1 7 7 0 -1 4194368 0 0 0 0 0 0 0 0 20 0 1 0 123456789 0 0\n",
	  0, 0, 123456789 },
	{ "stat: comm is ')'", "7 ()) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0\n", 0, 0, 42 },
	{ "stat: empty comm", "7 () S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0\n", 0, 0, 42 },
	{ "stat: largest starttime",
	  "7 (x) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 18446744073709551615 0\n", 0, 0,
	  18446744073709551615ULL },
	{ "stat: starttime overflows",
	  "7 (x) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 18446744073709551616 0\n", 0, -EINVAL, 0 },
	{ "stat: starttime not a number",
	  "7 (x) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12a45 0\n", 0, -EINVAL, 0 },
	{ "stat: starttime negative", "7 (x) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 -5 0\n", 0,
	  -EINVAL, 0 },
	{ "stat: starttime empty", "7 (x) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0  0\n", 0,
	  -EINVAL, 0 },
	/* truncations of the real line: inside comm, before field 22, inside it, right after it */
	{ "stat: truncated in comm", STAT_WEIRD_COMM, 8, -EINVAL, 0 },
	{ "stat: truncated before starttime", STAT_JAVA, sizeof("16664 (java) S 1 16639 15965 0 -1 "
							       "4194304 4369 0 0 0 6 4 0 0 20 0 14 0 ") - 1,
	  -EINVAL, 0 },
	{ "stat: truncated inside starttime", STAT_JAVA,
	  sizeof("16664 (java) S 1 16639 15965 0 -1 4194304 4369 0 0 0 6 4 0 0 20 0 14 0 3503") - 1,
	  -EINVAL, 0 },
	{ "stat: truncated after starttime", STAT_JAVA,
	  sizeof("16664 (java) S 1 16639 15965 0 -1 4194304 4369 0 0 0 6 4 0 0 20 0 14 0 350319 ") -
		  1,
	  0, 350319 },
	{ "stat: no parenthesis", "16664 java S 1 16639 15965 0 -1 4194304 4369 0 0 0 6 4 0 0 20 0 "
				  "14 0 350319 0\n",
	  0, -EINVAL, 0 },
	{ "stat: empty", "", 0, -EINVAL, 0 },
	{ "stat: ')' only", ")", 0, -EINVAL, 0 },
};

static void test_stat_row(void **state)
{
	const struct stat_row *r = *state;
	size_t len = r->len ? r->len : strlen(r->buf);
	char *buf = exact_copy(r->buf, len);
	unsigned long long start = 4242;
	int ret;

	ret = stat_starttime(buf, len, &start);
	assert_int_equal(ret, r->ret);
	if (!ret)
		assert_int_equal(start, r->start);
	else
		assert_int_equal(start, 4242);
	free(buf);
}

/* ---------------------------------------------------------------------------------------------
 * /proc/PID/net/tcp and tcp6
 * ------------------------------------------------------------------------------------------- */

/* Lines of this machine's /proc/net/tcp and tcp6 (Linux 6.x, x86_64): python sockets listening
 * on 127.0.0.1, :: and ::1, and the test bed's own sockets. The kernel prints each 32-bit word of
 * an address as it lies in memory, so the expected bytes hold on a little-endian host (x86_64,
 * arm64) only, as the captures do. tcp pads its lines with spaces to 149 bytes, tcp6 does not. */
#define TCP_HEAD                                                                                    \
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  " \
	"timeout inode                                                     "
#define TCP_LISTEN_LO                                                                               \
	"   1: 0100007F:8A09 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        " \
	"0 100033 1 00000000b1f1fc44 100 0 0 10 0                    "
#define TCP_LISTEN_ANY                                                                              \
	"   1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        " \
	"0 635 1 00000000b11b8c68 100 0 0 10 0                       "
#define TCP_TIME_WAIT                                                                               \
	"   2: 0100007F:B1FD 0100007F:D348 06 00000000:00000000 03:00001002 00000000     0        " \
	"0 0 3 00000000c72f29d4                                      "
#define TCP6_HEAD                                                                                   \
	"  sl  local_address                         remote_address                        " \
	"st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
#define V6_ANY "00000000000000000000000000000000"
#define V6_MAPPED_LO "0000000000000000FFFF00000100007F"
#define TCP6_LISTEN_ANY                                                                             \
	"   6: " V6_ANY ":BA37 " V6_ANY ":0000 0A 00000000:00000000 00:00000000 00000000     0 "    \
	"       0 100034 1 0000000022247619 100 0 0 10 0"
#define TCP6_LISTEN_LO                                                                              \
	"   9: 00000000000000000000000001000000:827F " V6_ANY ":0000 0A 00000000:00000000 "         \
	"00:00000000 00000000     0        0 100032 1 0000000013c9f019 100 0 0 10 0"
#define TCP6_LISTEN_MAPPED                                                                          \
	"   7: " V6_MAPPED_LO ":8081 " V6_ANY ":0000 0A 00000000:00000000 00:00000000 "          \
	"00000000     0        0 96192 1 000000008242e6b3 100 0 0 10 0"
#define TCP6_ESTABLISHED                                                                            \
	" 233: " V6_MAPPED_LO ":8081 " V6_MAPPED_LO ":916C 01 00000000:00000000 02:000AEFF0 "       \
	"00000000     0        0 97801 2 000000002e67787f 21 4 27 18 -1"
#define TCP6_TIME_WAIT                                                                              \
	"  13: " V6_MAPPED_LO ":B4B7 " V6_MAPPED_LO ":9740 06 00000000:00000000 03:0000137A "       \
	"00000000     0        0 0 3 000000006fb02ec9"
/* TCP_LISTEN_LO with one field replaced: the parts around it */
#define TCP_SL "   1: "
#define TCP_LOCAL "0100007F:8A09"
#define TCP_REMOTE " 00000000:0000"
#define TCP_REST " 0A 00000000:00000000 00:00000000 00000000     0        0 100033 1 x"
/* a NUL inside a passed-over field ("0:0" made "0\0000"), given by length */
#define TCP_NUL TCP_SL TCP_LOCAL TCP_REMOTE " 0A 0\0000 0:0 0 0 0 100033 1 x"

#define A4_ANY 0, 0, 0, 0
#define A4_LO 127, 0, 0, 1
#define A6_ANY 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define A6_LO 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
#define A6_MAPPED_LO 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1

struct tcp_row {
	const char *name;
	const char *buf;
	size_t len; /* 0: strlen(buf) */
	int ret;
	int family;
	uint8_t addr[16];
	unsigned port, state;
	uint64_t inode;
};

#define TCP_BAD(name, line) { name, line, 0, -EINVAL, 0, { 0 }, 0, 0, 0 }

static const struct tcp_row tcp_rows[] = {
	{ "tcp: real listener on 127.0.0.1", TCP_LISTEN_LO, 0, 0, AF_INET, { A4_LO }, 35337, 0x0A,
	  100033 },
	{ "tcp: real listener on 0.0.0.0", TCP_LISTEN_ANY, 0, 0, AF_INET, { A4_ANY }, 2024, 0x0A,
	  635 },
	{ "tcp: real time-wait, inode 0", TCP_TIME_WAIT, 0, 0, AF_INET, { A4_LO }, 45565, 0x06, 0 },
	{ "tcp6: real listener on ::", TCP6_LISTEN_ANY, 0, 0, AF_INET6, { A6_ANY }, 47671, 0x0A,
	  100034 },
	{ "tcp6: real listener on ::1", TCP6_LISTEN_LO, 0, 0, AF_INET6, { A6_LO }, 33407, 0x0A,
	  100032 },
	{ "tcp6: real listener on ::ffff:127.0.0.1", TCP6_LISTEN_MAPPED, 0, 0, AF_INET6,
	  { A6_MAPPED_LO }, 32897, 0x0A, 96192 },
	{ "tcp6: real established", TCP6_ESTABLISHED, 0, 0, AF_INET6, { A6_MAPPED_LO }, 32897, 0x01,
	  97801 },
	{ "tcp6: real time-wait", TCP6_TIME_WAIT, 0, 0, AF_INET6, { A6_MAPPED_LO }, 46263, 0x06, 0 },
	{ "tcp: sl of five digits fills its width",
	  "10000: 0100007F:8A09 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 7 1 x",
	  0, 0, AF_INET, { A4_LO }, 35337, 0x0A, 7 },
	{ "tcp: lower-case hex", "0: 0100007f:8a09 00000000:0000 0a 0:0 0:0 0 0 0 7 1", 0, 0,
	  AF_INET, { A4_LO }, 35337, 0x0A, 7 },
	{ "tcp: largest inode",
	  "0: 0100007F:8A09 00000000:0000 0A 0:0 0:0 0 0 0 18446744073709551615 1", 0, 0, AF_INET,
	  { A4_LO }, 35337, 0x0A, 18446744073709551615ULL },
	{ "tcp: no newline needed, nor anything after the refcount",
	  "0: 0100007F:FFFF 00000000:0000 0A 0:0 0:0 0 0 0 5 1", 0, 0, AF_INET, { A4_LO }, 65535,
	  0x0A, 5 },
	TCP_BAD("tcp: real header line", TCP_HEAD),
	TCP_BAD("tcp6: real header line", TCP6_HEAD),
	TCP_BAD("tcp: empty", ""),
	TCP_BAD("tcp: spaces only", "      "),
	TCP_BAD("tcp: sl without its colon", "   1 " TCP_LOCAL TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: sl not a number", "   x: " TCP_LOCAL TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: sl empty", "   : " TCP_LOCAL TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: negative sl", "  -1: " TCP_LOCAL TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: address of 7 digits", TCP_SL "100007F:8A09" TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: address of 9 digits", TCP_SL "00100007F:8A09" TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: address of 16 digits", TCP_SL "000000000100007F:8A09" TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: address of 33 digits", TCP_SL "0" V6_ANY ":8A09 0" V6_ANY ":0000" TCP_REST),
	TCP_BAD("tcp: non-hex address", TCP_SL "0100007G:8A09" TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: 0x address", TCP_SL "0x00007F:8A09" TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: dotted address", TCP_SL "127.0.0.1:8A09" TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: port of 3 digits", TCP_SL "0100007F:A09" TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: port of 5 digits", TCP_SL "0100007F:08A09" TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: non-hex port", TCP_SL "0100007F:8A0G" TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: address without a port", TCP_SL "0100007F8A09" TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: port without an address", TCP_SL ":8A09" TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: remote missing", TCP_SL TCP_LOCAL TCP_REST),
	TCP_BAD("tcp: remote of another family", TCP_SL TCP_LOCAL " " V6_ANY ":0000" TCP_REST),
	TCP_BAD("tcp6: remote of another family", TCP_SL V6_ANY ":8A09" TCP_REMOTE TCP_REST),
	TCP_BAD("tcp: bad remote port", TCP_SL TCP_LOCAL " 00000000:00" TCP_REST),
	TCP_BAD("tcp: state of 1 digit",
		TCP_SL TCP_LOCAL TCP_REMOTE " A 0:0 0:0 0 0 0 100033 1 x"),
	TCP_BAD("tcp: state of 3 digits",
		TCP_SL TCP_LOCAL TCP_REMOTE " 00A 0:0 0:0 0 0 0 100033 1 x"),
	TCP_BAD("tcp: non-hex state",
		TCP_SL TCP_LOCAL TCP_REMOTE " 0Z 0:0 0:0 0 0 0 100033 1 x"),
	TCP_BAD("tcp: letters in the uid",
		TCP_SL TCP_LOCAL TCP_REMOTE " 0A 0:0 0:0 0 root 0 100033 1 x"),
	TCP_BAD("tcp: a field missing before the inode",
		TCP_SL TCP_LOCAL TCP_REMOTE " 0A 0:0 0:0 0 0 100033 1 x"),
	TCP_BAD("tcp: tabs are not separators",
		"0:\t0100007F:8A09\t00000000:0000\t0A\t0:0\t0:0\t0\t0\t0\t5\t1"),
	{ "tcp: NUL inside a field", TCP_NUL, sizeof(TCP_NUL) - 1, -EINVAL, 0, { 0 }, 0, 0, 0 },
	TCP_BAD("tcp: hex inode", TCP_SL TCP_LOCAL TCP_REMOTE " 0A 0:0 0:0 0 0 0 4d2 1 x"),
	TCP_BAD("tcp: negative inode", TCP_SL TCP_LOCAL TCP_REMOTE " 0A 0:0 0:0 0 0 0 -5 1 x"),
	TCP_BAD("tcp: inode overflows",
		TCP_SL TCP_LOCAL TCP_REMOTE " 0A 0:0 0:0 0 0 0 18446744073709551616 1 x"),
	TCP_BAD("tcp: line ends at the inode",
		TCP_SL TCP_LOCAL TCP_REMOTE " 0A 0:0 0:0 0 0 0 100033"),
	TCP_BAD("tcp: line ends after the inode's space",
		TCP_SL TCP_LOCAL TCP_REMOTE " 0A 0:0 0:0 0 0 0 100033 "),
	TCP_BAD("tcp: refcount not a number",
		TCP_SL TCP_LOCAL TCP_REMOTE " 0A 0:0 0:0 0 0 0 100033 x 1"),
};

static void tcp_check(const char *text, size_t len, const struct tcp_row *r)
{
	char *buf = exact_copy(text, len);
	struct net_tcp_sock s;
	int ret;

	memset(&s, 0xa5, sizeof(s));
	ret = net_tcp_line(buf, len, &s);
	assert_int_equal(ret, r->ret);
	if (!ret) {
		assert_int_equal(s.family, r->family);
		assert_memory_equal(s.addr, r->addr, 16);
		assert_int_equal(s.port, r->port);
		assert_int_equal(s.state, r->state);
		assert_int_equal(s.inode, r->inode);
	} else {
		/* untouched on failure */
		for (size_t i = 0; i < sizeof(s); i++)
			assert_int_equal(((unsigned char *)&s)[i], 0xa5);
	}
	free(buf);
}

static void test_tcp_row(void **state)
{
	const struct tcp_row *r = *state;

	tcp_check(r->buf, r->len ? r->len : strlen(r->buf), r);
}

/* Every prefix of real lines: refused until the refcount after the inode has begun (a line cut
 * inside the inode is not taken for a smaller inode), the full answer from there on. */
static void test_tcp_every_prefix(void **state)
{
	static const struct {
		const char *line, *upto; /* upto: the text up to and with the refcount's digit */
		const struct tcp_row *row;
	} cases[] = {
		{ TCP_LISTEN_LO, " 100033 1", &tcp_rows[0] },
		{ TCP_TIME_WAIT, "        0 0 3", &tcp_rows[2] },
		{ TCP6_LISTEN_LO, " 100032 1", &tcp_rows[4] },
		{ TCP6_ESTABLISHED, " 97801 2", &tcp_rows[6] },
	};
	static const struct tcp_row bad = { "", "", 0, -EINVAL, 0, { 0 }, 0, 0, 0 };
	size_t c, len, full;

	(void)state;
	for (c = 0; c < NELEM(cases); c++) {
		const char *at = strstr(cases[c].line, cases[c].upto);

		assert_non_null(at);
		full = at - cases[c].line + strlen(cases[c].upto);
		for (len = 0; len <= strlen(cases[c].line); len++)
			tcp_check(cases[c].line, len, len < full ? &bad : cases[c].row);
	}
}

/* A whole real /proc/net/tcp6 text, line by line as rest.c walks it: the header refused, each
 * socket line parsed. */
static void test_tcp_whole_file(void **state)
{
	static const char text[] = TCP6_HEAD "\n" TCP6_LISTEN_ANY "\n" TCP6_LISTEN_MAPPED "\n"
		TCP6_LISTEN_LO "\n" TCP6_ESTABLISHED "\n" TCP6_TIME_WAIT "\n";
	static const uint64_t inodes[] = { 100034, 96192, 100032, 97801, 0 };
	const char *p = text, *end = text + sizeof(text) - 1, *eol;
	struct net_tcp_sock s;
	int line = 0;

	(void)state;
	for (; p < end; p = eol + 1, line++) {
		eol = memchr(p, '\n', end - p);
		assert_non_null(eol);
		if (line == 0) {
			assert_int_equal(net_tcp_line(p, eol - p, &s), -EINVAL);
			continue;
		}
		assert_int_equal(net_tcp_line(p, eol - p, &s), 0);
		assert_int_equal(s.family, AF_INET6);
		assert_int_equal(s.inode, inodes[line - 1]);
	}
	assert_int_equal(line, 6);
}

/* ---------------------------------------------------------------------------------------------
 * /proc/PID/fd/N link targets
 * ------------------------------------------------------------------------------------------- */

struct link_row {
	const char *name;
	const char *buf;
	size_t len; /* 0: strlen(buf) */
	int ret;
	uint64_t inode;
};

static const struct link_row link_rows[] = {
	{ "link: real socket", "socket:[100032]", 0, 0, 100032 },
	{ "link: socket inode 1", "socket:[1]", 0, 0, 1 },
	{ "link: largest inode", "socket:[18446744073709551615]", 0, 0, 18446744073709551615ULL },
	{ "link: inode overflows", "socket:[18446744073709551616]", 0, -EINVAL, 0 },
	{ "link: real pipe", "pipe:[108056]", 0, -EINVAL, 0 },
	{ "link: real eventfd", "anon_inode:[eventfd]", 0, -EINVAL, 0 },
	{ "link: real file", "/dev/null", 0, -EINVAL, 0 },
	{ "link: empty", "", 0, -EINVAL, 0 },
	{ "link: prefix only", "socket:[", 0, -EINVAL, 0 },
	{ "link: empty inode", "socket:[]", 0, -EINVAL, 0 },
	{ "link: no closing bracket", "socket:[12", 0, -EINVAL, 0 },
	{ "link: cut before the bracket", "socket:[100032]", 14, -EINVAL, 0 },
	{ "link: text after the bracket", "socket:[12]x", 0, -EINVAL, 0 },
	{ "link: space before the inode", "socket:[ 12]", 0, -EINVAL, 0 },
	{ "link: negative", "socket:[-5]", 0, -EINVAL, 0 },
	{ "link: hex", "socket:[0x1f]", 0, -EINVAL, 0 },
	{ "link: no brackets", "socket:12", 0, -EINVAL, 0 },
	{ "link: capital S", "Socket:[12]", 0, -EINVAL, 0 },
	{ "link: a file named like a socket", "/tmp/socket:[12]", 0, -EINVAL, 0 },
};

static void test_link_row(void **state)
{
	const struct link_row *r = *state;
	size_t len = r->len ? r->len : strlen(r->buf);
	char *buf = exact_copy(r->buf, len);
	uint64_t inode = 4242;

	assert_int_equal(fd_socket_inode(buf, len, &inode), r->ret);
	assert_int_equal(inode, r->ret ? 4242 : r->inode);
	free(buf);
}

/* ---------------------------------------------------------------------------------------------
 * /proc/stat
 * ------------------------------------------------------------------------------------------- */

/* This machine's /proc/stat (2 CPUs, Linux 6.x), whole; the intr line's 380 last zeros as Z*. */
#define Z10 " 0 0 0 0 0 0 0 0 0 0"
#define Z100 Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10
#define PSTAT_HEAD                                                                                 \
	"cpu  85622 0 12267 151347 568 0 274 28 0 0\n"                                             \
	"cpu0 38079 0 5424 81299 79 0 115 10 0 0\n"                                                \
	"cpu1 47542 0 6843 70048 489 0 158 17 0 0\n"                                               \
	"intr 1425012 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 1 14 0 0 0 0 251 117 0 33" \
	" 1 64316 0 7871 7508 0 2112 4420 1" Z100 Z100 Z100 Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10 "\n"   \
	"ctxt 4091426\n"
#define PSTAT_BTIME "btime 1796186595\n"
#define PSTAT_TAIL                                                                                 \
	"processes 47183\nprocs_running 3\nprocs_blocked 0\n"                                     \
	"softirq 761267 0 90967 20 224961 64314 0 56 175246 3816 201887\n"
#define PSTAT PSTAT_HEAD PSTAT_BTIME PSTAT_TAIL

struct btime_row {
	const char *name;
	const char *buf;
	size_t len; /* 0: strlen(buf) */
	int ret;
	unsigned long long btime;
};

static const struct btime_row btime_rows[] = {
	{ "btime: real /proc/stat", PSTAT, 0, 0, 1796186595 },
	{ "btime: real, cut after the line's digits", PSTAT, sizeof(PSTAT_HEAD PSTAT_BTIME) - 2, 0,
	  1796186595 },
	{ "btime: first line", "btime 1\nctxt 5\n", 0, 0, 1 },
	{ "btime: no newline", "btime 1700000000", 0, 0, 1700000000 },
	{ "btime: largest", "btime 18446744073709551615\n", 0, 0, 18446744073709551615ULL },
	{ "btime: the first of two", "btime 5\nbtime 6\n", 0, 0, 5 },
	{ "btime: real, without the line", PSTAT_HEAD PSTAT_TAIL, 0, -ENOENT, 0 },
	{ "btime: real, cut before the line", PSTAT, sizeof(PSTAT_HEAD) - 1, -ENOENT, 0 },
	{ "btime: real, cut inside the key", PSTAT, sizeof(PSTAT_HEAD) - 1 + 4, -ENOENT, 0 },
	{ "btime: empty", "", 0, -ENOENT, 0 },
	{ "btime: not at a line start", "xbtime 5\nctxt btime 6\n", 0, -ENOENT, 0 },
	{ "btime: key without its space", "btime\n", 0, -ENOENT, 0 },
	{ "btime: btimes is another key", "btimes 5\n", 0, -ENOENT, 0 },
	{ "btime: real, cut after the space", PSTAT, sizeof(PSTAT_HEAD) - 1 + 6, -EINVAL, 0 },
	{ "btime: no value", "btime \n", 0, -EINVAL, 0 },
	{ "btime: two spaces", "btime  5\n", 0, -EINVAL, 0 },
	{ "btime: trailing space", "btime 5 \n", 0, -EINVAL, 0 },
	{ "btime: a fraction", "btime 1700000000.5\n", 0, -EINVAL, 0 },
	{ "btime: negative", "btime -5\n", 0, -EINVAL, 0 },
	{ "btime: letters", "btime 17x\n", 0, -EINVAL, 0 },
	{ "btime: overflow", "btime 18446744073709551616\n", 0, -EINVAL, 0 },
	{ "btime: CRLF", "btime 5\r\n", 0, -EINVAL, 0 },
	{ "btime: NUL inside", "btime 5\0006\n", sizeof("btime 5\0006\n") - 1, -EINVAL, 0 },
};

static void test_btime_row(void **state)
{
	const struct btime_row *r = *state;
	size_t len = r->len ? r->len : strlen(r->buf);
	char *buf = exact_copy(r->buf, len);
	unsigned long long bt = 4242;

	assert_int_equal(stat_btime(buf, len, &bt), r->ret);
	assert_int_equal(bt, r->ret ? 4242 : r->btime);
	free(buf);
}

/* ------------------------------------------------------------------------------------------- */

#define NSINGLE 6
#define NTESTS                                                                                      \
	(NSINGLE + NELEM(maps_rows) + NELEM(cmd_rows) + NELEM(nspid_rows) + NELEM(stat_rows) +      \
	 NELEM(tcp_rows) + NELEM(link_rows) + NELEM(btime_rows) + NELEM(statm_rows))

static struct CMUnitTest row_test(CMUnitTestFunction fn, const void *row, const char *name)
{
	struct CMUnitTest t = cmocka_unit_test_prestate(fn, (void *)row);

	t.name = name;
	return t;
}

int main(void)
{
	struct CMUnitTest tests[NTESTS] = {
		cmocka_unit_test(test_maps_long_path),
		cmocka_unit_test(test_maps_every_prefix),
		cmocka_unit_test(test_cmd_outlen_zero),
		cmocka_unit_test(test_tcp_every_prefix),
		cmocka_unit_test(test_tcp_whole_file),
		cmocka_unit_test(test_statm_every_prefix),
	};
	size_t i, n = NSINGLE;

	for (i = 0; i < NELEM(maps_rows); i++)
		tests[n++] = row_test(test_maps_row, &maps_rows[i], maps_rows[i].name);
	for (i = 0; i < NELEM(cmd_rows); i++)
		tests[n++] = row_test(test_cmd_row, &cmd_rows[i], cmd_rows[i].name);
	for (i = 0; i < NELEM(nspid_rows); i++)
		tests[n++] = row_test(test_nspid_row, &nspid_rows[i], nspid_rows[i].name);
	for (i = 0; i < NELEM(stat_rows); i++)
		tests[n++] = row_test(test_stat_row, &stat_rows[i], stat_rows[i].name);
	for (i = 0; i < NELEM(tcp_rows); i++)
		tests[n++] = row_test(test_tcp_row, &tcp_rows[i], tcp_rows[i].name);
	for (i = 0; i < NELEM(link_rows); i++)
		tests[n++] = row_test(test_link_row, &link_rows[i], link_rows[i].name);
	for (i = 0; i < NELEM(btime_rows); i++)
		tests[n++] = row_test(test_btime_row, &btime_rows[i], btime_rows[i].name);
	for (i = 0; i < NELEM(statm_rows); i++)
		tests[n++] = row_test(test_statm_row, &statm_rows[i], statm_rows[i].name);
	return cmocka_run_group_tests_name("procfs", tests, NULL, NULL);
}
