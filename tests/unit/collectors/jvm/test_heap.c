/* Golden test of the hsperfdata families, root-free, from a --path.procfs fixture built here:
 * three JVMs as /proc shows them (one in its own pid namespace, one whose file is corrupt), read
 * by the collector's own jvm_read_hsperf() and written by jvm_heap_collect() through the real
 * writer. The page must equal tests/unit/golden/heap.prom byte for byte (names, label order and
 * escaping, number format, HELP and TYPE); the integration suite runs promtool on the same
 * file. JVMTAP_UPDATE_GOLDEN=1 rewrites it (then review the diff). */
// UNIT-SOURCES: user/collectors/jvm/hotspot.c user/parse/hsperf.c user/parse/procfs.c user/core/readfile.c user/core/config.c user/expo/writer.c user/expo/numfmt.c user/expo/families.c
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "config.h"
#include "fixture.h"
#include "heap.h"
#include "writer.h"

#define G1 "tests/unit/data/hsperfdata_g1.bin"
#define GOLDEN "tests/unit/golden/heap.prom"

static void put(const char *root, const char *rel, const void *data, size_t len)
{
	char path[PATH_MAX], dir[PATH_MAX], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (p = dir + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void test_golden_page(void **state)
{
	char root[] = "/tmp/jvmtap-golden-XXXXXX", cmd[PATH_MAX + 16];
	static const char s100[] = "Name:\tjava\nPid:\t100\nNSpid:\t100\n";
	static const char s200[] = "Name:\tjava\nPid:\t200\nNSpid:\t200\t1\n";
	static const char s300[] = "Name:\tjava\nPid:\t300\nNSpid:\t300\n";
	struct jvm_view v[4];
	struct jvm j[4];
	struct writer *w;
	size_t len, glen;
	char *g1, *golden;
	const char *page;
	int i;

	(void)state;
	g1 = slurp(G1, &len);
	assert_non_null(mkdtemp(root));
	put(root, "100/status", s100, sizeof(s100) - 1);
	put(root, "100/root/tmp/hsperfdata_flink/100", g1, len);
	/* in its own pid namespace: the file is named after the pid it sees, 1 */
	put(root, "200/status", s200, sizeof(s200) - 1);
	put(root, "200/root/tmp/other_dir/200", "x", 1);
	put(root, "200/root/tmp/hsperfdata_1001/1", g1, len);
	/* corrupt: counted in jvmtap_hsperfdata_errors_total, the JVM's families left out */
	put(root, "300/status", s300, sizeof(s300) - 1);
	put(root, "300/root/tmp/hsperfdata_flink/300", g1 + 64, 4000);
	cfg.procfs = root;

	memset(v, 0, sizeof(v));
	memset(j, 0, sizeof(j));
	for (i = 0; i < 4; i++) {
		j[i].pid = 100 * (i + 1);
		v[i].j = &j[i];
		snprintf(v[i].pid, sizeof(v[i].pid), "%d", j[i].pid);
		v[i].id[0] = (struct label){ "container_id", i == 1 ? "4f2c\"quoted\\" : "/kubepods/pod-a/ctr" };
		v[i].id[1] = (struct label){ "namespace", "flink" };
		v[i].id[2] = (struct label){ "pod", i == 1 ? "tm-\n1" : "jm-0" };
		v[i].id[3] = (struct label){ "container", "flink-main-container" };
		v[i].have_hsperf = i < 3 && jvm_read_hsperf(j[i].pid, &v[i].hs) == 0;
	}
	v[3].skip = true; /* no labels: never written */
	assert_true(v[0].have_hsperf && v[1].have_hsperf && !v[2].have_hsperf);

	w = writer_new();
	jvm_heap_collect(w, v, 4);
	assert_false(writer_failed(w));
	page = writer_data(w, &len);
	if (getenv("JVMTAP_UPDATE_GOLDEN")) {
		FILE *f = fopen(GOLDEN, "wb");

		assert_non_null(f);
		fwrite(page, 1, len, f);
		fclose(f);
	}
	golden = slurp(GOLDEN, &glen);
	if (glen != len || memcmp(golden, page, len)) {
		FILE *f = fopen("build/heap.prom.got", "wb");

		if (f) {
			fwrite(page, 1, len, f);
			fclose(f);
		}
		fail_msg("the page differs from " GOLDEN ": diff " GOLDEN " build/heap.prom.got");
	}
	writer_free(w);
	free(golden);
	free(g1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
