/*
 * CRC-32 (IEEE 802.3, reflected polynomial 0xedb88320, as zlib.crc32) and
 * base64 (RFC 4648, standard alphabet, padded): the trace frames' checksum
 * and encoding (common/crc32.c). Pure functions, any context.
 */
#ifndef KAIROS_CRC32_H
#define KAIROS_CRC32_H

#include <types.h>

/* The CRC-32 of len bytes; crc32(0, "123456789", 9) == 0xcbf43926. */
u32 crc32(u32 crc, const void *data, size_t len);

/* Bytes base64_encode() writes for len input bytes (no terminator). */
#define BASE64_LEN(len) ((((len) + 2) / 3) * 4)

/* Encodes len bytes into out (BASE64_LEN(len) bytes); returns that length. */
size_t base64_encode(const void *data, size_t len, char *out);

#endif /* KAIROS_CRC32_H */
