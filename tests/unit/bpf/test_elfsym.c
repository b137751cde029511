/* Unit tests for elfsym_lookup() on a real file, this test binary: a local function found in
 * .symtab with the file offset of its code (the bytes at that offset are the bytes the CPU
 * runs), an exported one, a name that is not there, and a file that is not ELF. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "elfsym.h"

__attribute__((noinline, used)) static int elfsym_probe_target(int x)
{
	return x * 7 + 3;
}

static void test_symbols_of_this_binary(void **state)
{
	struct elfsym s[] = { { .name = "elfsym_probe_target" },
			      { .name = "main" },
			      { .name = "no_such_symbol_here" } };
	uint8_t file[16];
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(elfsym_lookup(fd, s, 3), 2);
	assert_true(s[0].found && s[1].found && !s[2].found);
	assert_true(s[0].size > 0 && s[0].file_off > 0);
	assert_int_equal(pread(fd, file, sizeof(file), s[0].file_off), sizeof(file));
	assert_memory_equal(file, (const void *)elfsym_probe_target, sizeof(file));
	assert_int_equal(elfsym_probe_target(1), 10);
	close(fd);
}

static void test_not_elf(void **state)
{
	struct elfsym s[] = { { .name = "main" } };
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(elfsym_lookup(fd, s, 1), -ENOEXEC);
	assert_false(s[0].found);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_symbols_of_this_binary),
		cmocka_unit_test(test_not_elf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
