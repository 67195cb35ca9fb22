# Host tests of the trace frames' CRC-32 and base64 (common/crc32.c).
UNIT_TESTS += crc32
crc32_SRCS := tests/unit/test_crc32.c common/crc32.c
