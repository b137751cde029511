/* Unit tests for the parsers of a process's identity and size: the main class from
 * /proc/PID/cmdline, the innermost pid from status, the resident size from statm, the start time
 * from stat and the boot time from /proc/stat, on real captures and on breakage. maps:
 * test_procfs_maps.c; net/tcp and fd links: test_procfs_net.c. */
#include <errno.h>
#include "procfs_rows.h"

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
	{ "cmdline: --module=module/class", B("java\0--module=mod/com.x.Main\0a\0"), 0, 0, "Main" },
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

#define ST_HEAD(pid)                                                                               \
	"Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t" pid "\nNgid:\t0\nPid:\t" pid    \
	"\nPPid:\t1\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"                          \
	"FDSize:\t256\nGroups:\t \n"
/* The rest of the real status of the Sleepy JVM above, after its NS* lines. */
#define ST_TAIL                                                                                    \
	"Kthread:\t0\nVmPeak:\t 2463368 kB\nVmSize:\t 2463368 kB\nVmLck:\t       0 kB\n"           \
	"VmPin:\t       0 kB\nVmHWM:\t   35736 kB\nVmRSS:\t   35736 kB\nRssAnon:\t   15728 kB\n"   \
	"RssFile:\t   20008 kB\nRssShmem:\t       0 kB\nVmData:\t  103772 kB\n"                    \
	"VmStk:\t     132 kB\n"                                                                    \
	"VmExe:\t       4 kB\nVmLib:\t   17208 kB\nVmPTE:\t     252 kB\nVmSwap:\t       0 kB\n"    \
	"HugetlbPages:\t       0 kB\nCoreDumping:\t0\nTHP_enabled:\t1\n"                           \
	"untag_mask:\t0xffffffffffffffff\nThreads:\t14\nSigQ:\t0/96365\n"                          \
	"SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\n"        \
	"SigIgn:\t0000000000000002\nSigCgt:\t0000000101005ccd\nCapInh:\t0000000000000000\n"        \
	"CapPrm:\t000001fffeffffff\nCapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\n"        \
	"CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"            \
	"Speculation_Store_Bypass:\tvulnerable\nSpeculationIndirectBranch:\talways enabled\n"      \
	"Cpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed:\t00000000,00000001\n"            \
	"Mems_allowed_list:\t0\nvoluntary_ctxt_switches:\t1\nnonvoluntary_ctxt_switches:\t6\n"

static const struct num_row nspid_rows[] = {
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

/* status_nspid() through an int that starts at -42 and is left so on failure. */
static int nspid_num(const char *buf, size_t len, unsigned long long *out)
{
	int nspid = -42, ret = status_nspid(buf, len, &nspid);

	if (ret)
		assert_int_equal(nspid, -42);
	else
		*out = (unsigned long long)nspid;
	return ret;
}

static void test_nspid_row(void **state)
{
	check_num_row(*state, nspid_num);
}

/* ---------------------------------------------------------------------------------------------
 * /proc/PID/statm
 * ------------------------------------------------------------------------------------------- */

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

/* ---------------------------------------------------------------------------------------------
 * /proc/PID/stat
 * ------------------------------------------------------------------------------------------- */

#define STAT_JAVA                                                                                  \
	"16664 (java) S 1 16639 15965 0 -1 4194304 4369 0 0 0 6 4 0 0 20 0 14 0 350319 "           \
	"2522488832 8890 18446744073709551615 94046999977984 94046999978869 140723819689760 0 0 "  \
	"0 0 2 16800973 0 0 0 17 0 0 0 0 0 0 94046999989568 94046999990296 94047789469696 "        \
	"140723819694478 140723819694539 140723819694539 140723819696106 0\n"
#define STAT_WEIRD_COMM                                                                            \
	"16774 (a) b) c) S 1 16770 15965 0 -1 4194304 128 0 0 0 0 0 0 0 20 0 1 0 351971 2990080 "  \
	"417 18446744073709551615 94159986929664 94159986947593 140729347562512 0 0 0 0 6 0 1 0 "  \
	"0 17 0 0 0 0 0 0 94159986961680 94159986962944 94160862986240 140729347566021 "           \
	"140729347566035 140729347566035 140729347567598 0\n"

static const struct num_row stat_rows[] = {
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
	{ "stat: starttime not a number", "7 (x) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12a45 0\n",
	  0, -EINVAL, 0 },
	{ "stat: starttime negative", "7 (x) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 -5 0\n", 0,
	  -EINVAL, 0 },
	{ "stat: starttime empty", "7 (x) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0  0\n", 0, -EINVAL,
	  0 },
	/* truncations of the real line: inside comm, before field 22, inside it, right after it */
	{ "stat: truncated in comm", STAT_WEIRD_COMM, 8, -EINVAL, 0 },
	{ "stat: truncated before starttime", STAT_JAVA,
	  sizeof("16664 (java) S 1 16639 15965 0 -1 "
		 "4194304 4369 0 0 0 6 4 0 0 20 0 14 0 ") -
	      1,
	  -EINVAL, 0 },
	{ "stat: truncated inside starttime", STAT_JAVA,
	  sizeof("16664 (java) S 1 16639 15965 0 -1 4194304 4369 0 0 0 6 4 0 0 20 0 14 0 3503") - 1,
	  -EINVAL, 0 },
	{ "stat: truncated after starttime", STAT_JAVA,
	  sizeof("16664 (java) S 1 16639 15965 0 -1 4194304 4369 0 0 0 6 4 0 0 20 0 14 0 350319 ") -
	      1,
	  0, 350319 },
	{ "stat: no parenthesis",
	  "16664 java S 1 16639 15965 0 -1 4194304 4369 0 0 0 6 4 0 0 20 0 "
	  "14 0 350319 0\n",
	  0, -EINVAL, 0 },
	{ "stat: empty", "", 0, -EINVAL, 0 },
	{ "stat: ')' only", ")", 0, -EINVAL, 0 },
};

static void test_stat_row(void **state)
{
	check_num_row(*state, stat_starttime);
}

/* ---------------------------------------------------------------------------------------------
 * /proc/stat
 * ------------------------------------------------------------------------------------------- */

/* This machine's /proc/stat (2 CPUs, Linux 6.x), whole; the intr line's 380 last zeros as Z*. */
#define Z10  " 0 0 0 0 0 0 0 0 0 0"
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
	"processes 47183\nprocs_running 3\nprocs_blocked 0\n"                                      \
	"softirq 761267 0 90967 20 224961 64314 0 56 175246 3816 201887\n"
#define PSTAT PSTAT_HEAD PSTAT_BTIME PSTAT_TAIL

static const struct num_row btime_rows[] = {
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
	check_num_row(*state, stat_btime);
}

#define NSINGLE 2

int main(void)
{
	struct CMUnitTest tests[NSINGLE + NELEM(cmd_rows) + NELEM(nspid_rows) + NELEM(statm_rows) +
				NELEM(stat_rows) + NELEM(btime_rows)] = {
		cmocka_unit_test(test_cmd_outlen_zero),
		cmocka_unit_test(test_statm_every_prefix),
	};
	size_t n = NSINGLE;

	ADD_ROWS(tests, n, test_cmd_row, cmd_rows);
	ADD_ROWS(tests, n, test_nspid_row, nspid_rows);
	ADD_ROWS(tests, n, test_stat_row, stat_rows);
	ADD_ROWS(tests, n, test_btime_row, btime_rows);
	ADD_ROWS(tests, n, test_statm_row, statm_rows);
	return cmocka_run_group_tests_name("procfs", tests, NULL, NULL);
}
