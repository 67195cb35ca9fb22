/*
 * A decoder of the x86 instructions whose exits need decoding when the
 * CPU gives no decode assists (arch/x86/hvm/x86_decode.c): the MOV forms
 * compilers emit for memory-mapped I/O (MOV, MOVZX, MOVSX, MOVSXD, XCHG
 * with a memory operand) and the control-register moves (MOV to and from
 * CRn, CLTS, LMSW, SMSW). Intel SDM Vol. 2, chapter 2 "Instruction
 * Format" and the instructions' pages; AMD APM Vol. 3, 1.
 *
 * It decodes the prefixes (operand and address size, LOCK, REP (ignored),
 * segment overrides, REX), ModRM, SIB, displacements (RIP-relative in
 * 64-bit mode) and immediates, and says what the instruction does to
 * memory and to which register. It does not fetch (the caller gives the
 * bytes), translate addresses or check privilege.
 *
 * Concurrency: pure functions; any context.
 */
#ifndef ASM_X86_HVM_X86_DECODE_H
#define ASM_X86_HVM_X86_DECODE_H

#include <types.h>

#define X86_INSN_MAX 15 /* bytes in the longest instruction */

/* The default operand and address size, from CS.D and EFER.LMA/CS.L. */
enum x86_mode { X86_MODE_16, X86_MODE_32, X86_MODE_64 };

enum x86_op {
	X86_OP_MOV_STORE, /* 88/89, C6/C7, A2/A3: the memory operand is written */
	X86_OP_MOV_LOAD, /* 8A/8B, A0/A1, 0F B6/B7/BE/BF, 63: memory is read */
	X86_OP_XCHG, /* 86/87: read, then the register's old value written */
	X86_OP_MOV_FROM_CR, /* 0F 20 */
	X86_OP_MOV_TO_CR,   /* 0F 22 (AMD: LOCK 0F 20/22 is CR8) */
	X86_OP_CLTS,	    /* 0F 06 */
	X86_OP_LMSW,	    /* 0F 01 /6: CR0[3:0] from r/m16 */
	X86_OP_SMSW,	    /* 0F 01 /4: CR0's low bits to r/m */
};

/* Segment registers in encoding order (the seg field). */
enum x86_seg {
	X86_SEG_ES,
	X86_SEG_CS,
	X86_SEG_SS,
	X86_SEG_DS,
	X86_SEG_FS,
	X86_SEG_GS
};

struct x86_insn {
	u8 len; /* total length in bytes, 1..15 */
	enum x86_op op;
	bool has_mem; /* the r/m operand is memory (ModRM.mod != 3, or moffs) */
	u8 mem_size;  /* the memory operand's width: 1, 2, 4 or 8 */
	u8 reg_size; /* the register operand's width (loads: after extension) */
	s8 reg;	     /* the register operand, 0..15 in encoding order
			    (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15);
			    -1 when the source is an immediate; for CR moves the
			    general register; for a register r/m (mod 3) the
			    ModRM.reg register */
	bool reg_high8; /* AH, CH, DH or BH: a byte register 4..7 without REX */
	bool sign_extend; /* loads: MOVSX, MOVSXD (MOVZX and MOV zero-extend) */
	u64 imm;	  /* a store's immediate, sign-extended to mem_size */
	u8 cr;		  /* CR moves: the control register, 0..15 */

	/* The memory operand's address, for callers that need it. */
	u8 seg;		/* enum x86_seg: the default or the override */
	u8 addr_size;	/* 2, 4 or 8 */
	s8 base, index; /* registers, -1 if absent */
	u8 scale;	/* 1, 2, 4 or 8 */
	s64 disp;	/* displacement, sign-extended; a moffs zero-extended */
	bool rip_relative; /* 64-bit mode's disp32(%rip) */
};

/*
 * Decodes the instruction at bytes[0..avail). Returns 0 and fills *out;
 * -ENODATA if it continues past avail (fetch more); -EOPNOTSUPP for a
 * valid instruction outside the forms above; -EINVAL if none can be
 * decoded: longer than 15 bytes, LOCK where it is not allowed, a control
 * register that does not exist, MOVSXD outside 64-bit mode's encoding.
 * Register forms (ModRM.mod 3) of the MOVs decode with has_mem false.
 */
int x86_decode(const u8 *bytes, unsigned int avail, enum x86_mode mode,
	       struct x86_insn *out);

/*
 * The memory operand's offset in its segment (before the segment base),
 * truncated to addr_size; gpr[] in encoding order, next_rip the RIP after
 * the instruction (for RIP-relative operands).
 */
u64 x86_insn_offset(const struct x86_insn *insn, const u64 gpr[16],
		    u64 next_rip);

/* What a store writes: the register (AH..BH too) or the immediate, mem_size wide. */
u64 x86_insn_store_value(const struct x86_insn *insn, const u64 gpr[16]);

/*
 * Writes value (read from memory, mem_size wide) to the destination
 * register as the CPU does: zero- or sign-extended to reg_size; a 32-bit
 * destination clears bits 63:32, 8- and 16-bit ones keep the rest, AH..BH
 * are bits 15:8.
 */
void x86_insn_write_reg(const struct x86_insn *insn, u64 gpr[16], u64 value);

#endif /* ASM_X86_HVM_X86_DECODE_H */
