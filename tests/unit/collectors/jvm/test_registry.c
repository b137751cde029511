/* Unit tests for the JVM registry: jvm_refs() and jvm_lookup() give readers outside the module the
 * same view of each JVM (flink.c compares the refs with memcmp, so their padding is zeroed), in
 * list order and cut at max; add, unlink and count. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "registry.h"

#define N 5

static struct jvm jvms[N];

/* N JVMs; the latest added comes first in the list. */
static int setup(void **state)
{
	static const char *const roles[] = { "none", "jobmanager", "taskmanager" };
	int i;

	(void)state;
	memset(jvms, 0, sizeof(jvms));
	for (i = 0; i < N; i++) {
		jvms[i].pid = 1000 + i;
		jvms[i].start = 5000000000ULL + i;
		jvms[i].cgroup_id = 0x100000000ULL * (i + 1);
		jvms[i].flink_role = roles[i % 3];
		jvms[i].gone_at = i == 2 ? 1700000000 : 0;
		jvm_add(&jvms[i]);
	}
	return 0;
}

static int teardown(void **state)
{
	struct jvm *j;

	(void)state;
	while ((j = jvm_next(NULL)))
		jvm_unlink(j);
	return 0;
}

static void assert_ref(const struct jvm_ref *r, const struct jvm *j)
{
	struct jvm_ref want;

	memset(&want, 0, sizeof(want));
	want.pid = j->pid;
	want.start = j->start;
	want.cgroup_id = j->cgroup_id;
	want.flink_role = j->flink_role;
	want.gone = j->gone_at != 0;
	/* every byte, padding included */
	assert_memory_equal(r, &want, sizeof(want));
}

static void test_refs_in_list_order(void **state)
{
	struct jvm_ref refs[N + 2], one;
	int i;

	(void)state;
	assert_int_equal(jvm_count(), N);
	memset(refs, 0xa5, sizeof(refs));
	assert_int_equal(jvm_refs(refs, N + 2), N);
	for (i = 0; i < N; i++) {
		assert_ref(&refs[i], &jvms[N - 1 - i]);
		/* the same as a lookup by pid */
		memset(&one, 0x5a, sizeof(one));
		assert_int_equal(jvm_lookup(refs[i].pid, &one), 0);
		assert_memory_equal(&one, &refs[i], sizeof(one));
	}
	assert_true(refs[2].gone);
	assert_false(refs[1].gone);
	/* nothing written past the JVMs */
	for (i = 0; i < (int)sizeof(refs[0]) * 2; i++)
		assert_int_equal(((unsigned char *)&refs[N])[i], 0xa5);
}

static void test_refs_cut_at_max(void **state)
{
	struct jvm_ref refs[N];
	int i;

	(void)state;
	memset(refs, 0xa5, sizeof(refs));
	assert_int_equal(jvm_refs(refs, 2), 2);
	assert_ref(&refs[0], &jvms[N - 1]);
	assert_ref(&refs[1], &jvms[N - 2]);
	for (i = 0; i < (int)sizeof(refs[0]) * (N - 2); i++)
		assert_int_equal(((unsigned char *)&refs[2])[i], 0xa5);
	assert_int_equal(jvm_refs(refs, 0), 0);
	assert_int_equal(jvm_refs(NULL, 0), 0);
}

static void test_unlink_and_lookup(void **state)
{
	struct jvm_ref refs[N], one;

	(void)state;
	jvm_unlink(&jvms[3]);
	jvm_unlink(&jvms[3]); /* not in the list any more: nothing */
	assert_int_equal(jvm_count(), N - 1);
	assert_int_equal(jvm_lookup(jvms[3].pid, &one), -ENOENT);
	assert_null(jvm_find(jvms[3].pid));
	assert_ptr_equal(jvm_find(jvms[0].pid), &jvms[0]);
	assert_int_equal(jvm_refs(refs, N), N - 1);
	assert_ref(&refs[0], &jvms[4]);
	assert_ref(&refs[1], &jvms[2]);
	assert_ref(&refs[3], &jvms[0]);
}

static void test_empty(void **state)
{
	struct jvm_ref one;

	(void)state;
	teardown(NULL);
	assert_int_equal(jvm_count(), 0);
	assert_int_equal(jvm_refs(&one, 1), 0);
	assert_int_equal(jvm_lookup(1000, &one), -ENOENT);
	assert_null(jvm_next(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refs_in_list_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refs_cut_at_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlink_and_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
	};

	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
