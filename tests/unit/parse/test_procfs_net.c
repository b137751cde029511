/* Unit tests for the parsers of a process's sockets: net_tcp_line() on real lines of
 * /proc/PID/net/tcp and tcp6 (listeners, established, time-wait; IPv4, IPv6, mapped) and broken
 * ones, and fd_socket_inode() on /proc/PID/fd/N link targets. */
// UNIT-SOURCES: user/parse/procfs.c
#include <errno.h>
#include <sys/socket.h>
#include "procfs_rows.h"

/* ---------------------------------------------------------------------------------------------
 * /proc/PID/net/tcp and tcp6
 * ------------------------------------------------------------------------------------------- */

/* Lines of this machine's /proc/net/tcp and tcp6 (Linux 6.x, x86_64): python sockets listening
 * on 127.0.0.1, :: and ::1, and the test bed's own sockets. The kernel prints each 32-bit word of
 * an address as it lies in memory, so the expected bytes hold on a little-endian host (x86_64,
 * arm64) only, as the captures do. tcp pads its lines with spaces to 149 bytes, tcp6 does not. */
#define TCP_HEAD                                                                                   \
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "      \
	"timeout inode                                                     "
#define TCP_LISTEN_LO                                                                              \
	"   1: 0100007F:8A09 00000000:0000 0A 00000000:00000000 00:00000000 00000000 "             \
	"    0        0 100033 1 00000000b1f1fc44 100 0 0 10 0                    "
#define TCP_LISTEN_ANY                                                                             \
	"   1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000 "             \
	"    0        0 635 1 00000000b11b8c68 100 0 0 10 0                       "
#define TCP_TIME_WAIT                                                                              \
	"   2: 0100007F:B1FD 0100007F:D348 06 00000000:00000000 03:00001002 00000000 "             \
	"    0        0 0 3 00000000c72f29d4                                      "
#define TCP6_HEAD                                                                                  \
	"  sl  local_address                         remote_address                        "       \
	"st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
#define V6_ANY	     "00000000000000000000000000000000"
#define V6_MAPPED_LO "0000000000000000FFFF00000100007F"
#define TCP6_LISTEN_ANY                                                                            \
	"   6: " V6_ANY ":BA37 " V6_ANY ":0000 0A 00000000:00000000 00:00000000 00000000     0 "   \
	"       0 100034 1 0000000022247619 100 0 0 10 0"
#define TCP6_LISTEN_LO                                                                             \
	"   9: 00000000000000000000000001000000:827F " V6_ANY ":0000 0A 00000000:00000000 "        \
	"00:00000000 00000000     0        0 100032 1 0000000013c9f019 100 0 0 10 0"
#define TCP6_LISTEN_MAPPED                                                                         \
	"   7: " V6_MAPPED_LO ":8081 " V6_ANY ":0000 0A 00000000:00000000 00:00000000 "            \
	"00000000     0        0 96192 1 000000008242e6b3 100 0 0 10 0"
#define TCP6_ESTABLISHED                                                                           \
	" 233: " V6_MAPPED_LO ":8081 " V6_MAPPED_LO ":916C 01 00000000:00000000 02:000AEFF0 "      \
	"00000000     0        0 97801 2 000000002e67787f 21 4 27 18 -1"
#define TCP6_TIME_WAIT                                                                             \
	"  13: " V6_MAPPED_LO ":B4B7 " V6_MAPPED_LO ":9740 06 00000000:00000000 03:0000137A "      \
	"00000000     0        0 0 3 000000006fb02ec9"
/* TCP_LISTEN_LO with one field replaced: the parts around it */
#define TCP_SL	   "   1: "
#define TCP_LOCAL  "0100007F:8A09"
#define TCP_REMOTE " 00000000:0000"
#define TCP_REST   " 0A 00000000:00000000 00:00000000 00000000     0        0 100033 1 x"
/* a NUL inside a passed-over field ("0:0" made "0\0000"), given by length */
#define TCP_NUL TCP_SL TCP_LOCAL TCP_REMOTE " 0A 0\0000 0:0 0 0 0 100033 1 x"

#define A4_ANY	     0, 0, 0, 0
#define A4_LO	     127, 0, 0, 1
#define A6_ANY	     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define A6_LO	     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
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

/* a line parsed (its family, local address bytes, port, state and inode), and one refused */
#define TCP_OK(name, line, family, addr, port, state, inode)                                       \
	{                                                                                          \
		name, line, 0, 0, family, { addr }, port, state, inode                             \
	}
#define TCP_BAD(name, line)                                                                        \
	{                                                                                          \
		name, line, 0, -EINVAL, 0, { 0 }, 0, 0, 0                                          \
	}

static const struct tcp_row tcp_rows[] = {
	TCP_OK("tcp: real listener on 127.0.0.1", TCP_LISTEN_LO, AF_INET, A4_LO, 35337, 0x0A,
	       100033),
	TCP_OK("tcp: real listener on 0.0.0.0", TCP_LISTEN_ANY, AF_INET, A4_ANY, 2024, 0x0A, 635),
	TCP_OK("tcp: real time-wait, inode 0", TCP_TIME_WAIT, AF_INET, A4_LO, 45565, 0x06, 0),
	TCP_OK("tcp6: real listener on ::", TCP6_LISTEN_ANY, AF_INET6, A6_ANY, 47671, 0x0A, 100034),
	TCP_OK("tcp6: real listener on ::1", TCP6_LISTEN_LO, AF_INET6, A6_LO, 33407, 0x0A, 100032),
	TCP_OK("tcp6: real listener on ::ffff:127.0.0.1", TCP6_LISTEN_MAPPED, AF_INET6,
	       A6_MAPPED_LO, 32897, 0x0A, 96192),
	TCP_OK("tcp6: real established", TCP6_ESTABLISHED, AF_INET6, A6_MAPPED_LO, 32897, 0x01,
	       97801),
	TCP_OK("tcp6: real time-wait", TCP6_TIME_WAIT, AF_INET6, A6_MAPPED_LO, 46263, 0x06, 0),
	TCP_OK("tcp: sl of five digits fills its width",
	       "10000: 0100007F:8A09 00000000:0000 0A 00000000:00000000 00:00000000 00000000 "
	       "0 0 7 1 x",
	       AF_INET, A4_LO, 35337, 0x0A, 7),
	TCP_OK("tcp: lower-case hex", "0: 0100007f:8a09 00000000:0000 0a 0:0 0:0 0 0 0 7 1",
	       AF_INET, A4_LO, 35337, 0x0A, 7),
	TCP_OK("tcp: largest inode",
	       "0: 0100007F:8A09 00000000:0000 0A 0:0 0:0 0 0 0 18446744073709551615 1", AF_INET,
	       A4_LO, 35337, 0x0A, 18446744073709551615ULL),
	TCP_OK("tcp: no newline needed, nor anything after the refcount",
	       "0: 0100007F:FFFF 00000000:0000 0A 0:0 0:0 0 0 0 5 1", AF_INET, A4_LO, 65535, 0x0A,
	       5),
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
	TCP_BAD("tcp: state of 1 digit", TCP_SL TCP_LOCAL TCP_REMOTE " A 0:0 0:0 0 0 0 100033 1 x"),
	TCP_BAD("tcp: state of 3 digits",
		TCP_SL TCP_LOCAL TCP_REMOTE " 00A 0:0 0:0 0 0 0 100033 1 x"),
	TCP_BAD("tcp: non-hex state", TCP_SL TCP_LOCAL TCP_REMOTE " 0Z 0:0 0:0 0 0 0 100033 1 x"),
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

	tcp_check(r->buf, row_len(r->buf, r->len), r);
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
	static const struct tcp_row bad = TCP_BAD("", "");
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
	static const char text[] =
	    TCP6_HEAD "\n" TCP6_LISTEN_ANY "\n" TCP6_LISTEN_MAPPED "\n" TCP6_LISTEN_LO
		      "\n" TCP6_ESTABLISHED "\n" TCP6_TIME_WAIT "\n";
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

static const struct num_row link_rows[] = {
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

/* fd_socket_inode() through a uint64_t that starts at *out's value and goes back to it. */
static int link_num(const char *buf, size_t len, unsigned long long *out)
{
	uint64_t inode = *out;
	int ret = fd_socket_inode(buf, len, &inode);

	*out = inode;
	return ret;
}

static void test_link_row(void **state)
{
	check_num_row(*state, link_num);
}

#define NSINGLE 2

int main(void)
{
	struct CMUnitTest tests[NSINGLE + NELEM(tcp_rows) + NELEM(link_rows)] = {
		cmocka_unit_test(test_tcp_every_prefix),
		cmocka_unit_test(test_tcp_whole_file),
	};
	size_t n = NSINGLE;

	ADD_ROWS(tests, n, test_tcp_row, tcp_rows);
	ADD_ROWS(tests, n, test_link_row, link_rows);
	return cmocka_run_group_tests_name("procfs_net", tests, NULL, NULL);
}
