/*
 * CRC-32 and base64 for the trace frames (include/crc32.h). Table-driven
 * CRC with the table built on first use: 1 KiB, and the drain is not a
 * hot path.
 */
#include <crc32.h>

static u32 crc_table[256];
static bool crc_table_ready;

/* The byte-at-a-time table of the reflected IEEE polynomial. */
static void crc_table_init(void)
{
	for (u32 n = 0; n < 256; n++) {
		u32 c = n;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320U ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
	__atomic_store_n(&crc_table_ready, true, __ATOMIC_RELEASE);
}

u32 crc32(u32 crc, const void *data, size_t len)
{
	const u8 *p = data;

	/* Two CPUs building it at once write the same values: harmless. */
	if (!__atomic_load_n(&crc_table_ready, __ATOMIC_ACQUIRE))
		crc_table_init();
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

size_t base64_encode(const void *data, size_t len, char *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const u8 *p = data;
	size_t o = 0;

	while (len >= 3) {
		u32 v = (u32)p[0] << 16 | (u32)p[1] << 8 | p[2];

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
		p += 3;
		len -= 3;
	}
	if (len) {
		u32 v = (u32)p[0] << 16 | (len == 2 ? (u32)p[1] << 8 : 0);

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = len == 2 ? alphabet[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	return o;
}
