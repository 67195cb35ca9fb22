/*
 * libFuzzer target for the HVM instruction decoder
 * (arch/x86/hvm/x86_decode.c). Input: a mode byte (its value mod 3: 16-,
 * 32- or 64-bit), then the instruction bytes, decoded from libFuzzer's
 * exact-size buffer so that AddressSanitizer catches any read past them.
 * The invariants below hold for every input: a result is either a
 * decoded instruction of 1 to 15 bytes within what was given, which
 * decodes the same from exactly its own bytes, or one of three errors.
 *
 *   make fuzz && build/fuzz/fuzz_x86_decode build/fuzz/corpus/fuzz_x86_decode
 */
#include <asm/hvm/x86_decode.h>
#include <errno.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "invariant broken: %s\n", #cond); \
			abort();                                          \
		}                                                         \
	} while (0)

static bool size_ok(unsigned int s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static void check_decoded(const struct x86_insn *in, const u8 *bytes,
			  unsigned int avail, enum x86_mode mode)
{
	struct x86_insn again, shorter;
	u64 gpr[16];
	unsigned int i;
	u8 *exact;

	CHECK(in->len >= 1 && in->len <= X86_INSN_MAX && in->len <= avail);
	CHECK(in->reg >= -1 && in->reg <= 15);
	CHECK(in->base >= -1 && in->base <= 15);
	CHECK(in->index >= -1 && in->index <= 15 && in->index != 4);
	CHECK(size_ok(in->scale));
	if (in->op <= X86_OP_XCHG) {
		CHECK(size_ok(in->mem_size) && size_ok(in->reg_size));
		CHECK(in->reg >= 0 || in->op == X86_OP_MOV_STORE);
		CHECK(!in->reg_high8 || in->reg < 4);
	}
	if (in->has_mem)
		CHECK(in->addr_size == 2 || in->addr_size == 4 ||
		      in->addr_size == 8);
	/* Exactly its own bytes decode the same; one fewer is not enough. */
	exact = malloc(in->len);
	CHECK(exact != NULL);
	memcpy(exact, bytes, in->len);
	CHECK(x86_decode(exact, in->len, mode, &again) == 0);
	CHECK(memcmp(&again, in, sizeof(again)) == 0);
	CHECK(x86_decode(exact, in->len - 1, mode, &shorter) == -ENODATA);
	free(exact);
	/* The helpers on any registers: no trap, stays in range. */
	for (i = 0; i < 16; i++)
		gpr[i] = 0x0123456789abcdefULL * (i + 1);
	if (in->has_mem) {
		u64 off = x86_insn_offset(in, gpr, 0x1000);

		CHECK(in->addr_size == 8 || off >> (8 * in->addr_size) == 0);
	}
	if (in->op <= X86_OP_XCHG) {
		u64 v = x86_insn_store_value(in, gpr);

		CHECK(in->mem_size == 8 || v >> (8 * in->mem_size) == 0);
		if (in->reg >= 0)
			x86_insn_write_reg(in, gpr, v);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct x86_insn in;
	enum x86_mode mode;
	int rc;

	if (size < 1)
		return 0;
	mode = (enum x86_mode)(data[0] % 3);
	rc = x86_decode(data + 1, (unsigned int)(size - 1), mode, &in);
	CHECK(rc == 0 || rc == -ENODATA || rc == -EOPNOTSUPP || rc == -EINVAL);
	if (rc == 0)
		check_decoded(&in, data + 1, (unsigned int)(size - 1), mode);
	/* More than 15 bytes of input never makes a -ENODATA. */
	if (size - 1 > X86_INSN_MAX)
		CHECK(rc != -ENODATA);
	return 0;
}
