/* CRC-32 and base64 (common/crc32.c) against known vectors and a bitwise CRC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <crc32.h>
#include <string.h>

static void test_crc32_check_value(void **state)
{
	(void)state;
	assert_int_equal(crc32(0, "123456789", 9), 0xcbf43926U);
	assert_int_equal(crc32(0, "", 0), 0);
}

/* The reference: bit by bit, no table (what the table is built from). */
static uint32_t crc32_bitwise(const unsigned char *p, size_t len)
{
	uint32_t c = 0xffffffffu;

	while (len--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void test_crc32_matches_bitwise(void **state)
{
	unsigned char buf[1000];
	uint32_t seed = 1;

	(void)state;
	for (size_t len = 0; len < sizeof(buf); len += 37) {
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (unsigned char)(seed >> 16);
		}
		assert_int_equal(crc32(0, buf, len), crc32_bitwise(buf, len));
		/* Incremental: two halves give the whole. */
		assert_int_equal(crc32(crc32(0, buf, len / 2), buf + len / 2,
				       len - len / 2),
				 crc32(0, buf, len));
	}
}

static void expect_b64(const char *in, const char *want)
{
	char out[64];
	size_t n = base64_encode(in, strlen(in), out);

	assert_int_equal(n, strlen(want));
	assert_int_equal(n, BASE64_LEN(strlen(in)));
	assert_memory_equal(out, want, n);
}

static void test_base64_rfc4648_vectors(void **state)
{
	(void)state;
	expect_b64("", "");
	expect_b64("f", "Zg==");
	expect_b64("fo", "Zm8=");
	expect_b64("foo", "Zm9v");
	expect_b64("foob", "Zm9vYg==");
	expect_b64("fooba", "Zm9vYmE=");
	expect_b64("foobar", "Zm9vYmFy");
}

static void test_base64_all_bytes(void **state)
{
	static const char want[] = "AP8Afw==";
	unsigned char in[4] = {0x00, 0xff, 0x00, 0x7f};
	char out[8];

	(void)state;
	assert_int_equal(base64_encode(in, 4, out), 8);
	assert_memory_equal(out, want, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_check_value),
		cmocka_unit_test(test_crc32_matches_bitwise),
		cmocka_unit_test(test_base64_rfc4648_vectors),
		cmocka_unit_test(test_base64_all_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
