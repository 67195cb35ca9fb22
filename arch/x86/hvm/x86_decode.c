/*
 * The instruction decoder of asm/hvm/x86_decode.h. One pass over the
 * bytes: prefixes, the opcode (one or two bytes), ModRM and what it
 * implies (SIB, displacement), then the immediate; every read checked
 * against what was given.
 *
 * Portable (the host unit tests and a fuzz target run it).
 */
#include <asm/hvm/x86_decode.h>
#include <errno.h>
#include <string.h>

#define REX_W 8
#define REX_R 4
#define REX_X 2
#define REX_B 1

/* Registers in encoding order. */
#define RAX 0
#define RBX 3
#define RSP 4
#define RBP 5
#define RSI 6
#define RDI 7

/* The bytes and where the decoder is in them. */
struct cursor {
	const u8 *bytes;
	unsigned int avail, at;
};

/* Takes n bytes, little-endian; false if they are not all there. */
static bool take(struct cursor *c, unsigned int n, u64 *val)
{
	unsigned int i;

	if (c->at + n > X86_INSN_MAX || c->at + n > c->avail)
		return false;
	*val = 0;
	for (i = 0; i < n; i++)
		*val |= (u64)c->bytes[c->at + i] << (8 * i);
	c->at += n;
	return true;
}

/* -EINVAL past 15 bytes, else -ENODATA: what running out of bytes means. */
static int short_of(const struct cursor *c, unsigned int n)
{
	return c->at + n > X86_INSN_MAX ? -EINVAL : -ENODATA;
}

static s64 sign_extend(u64 v, unsigned int bytes)
{
	unsigned int shift = 64 - 8 * bytes;

	return bytes >= 8 ? (s64)v : (s64)(v << shift) >> shift;
}

/* What the prefixes said. */
struct prefixes {
	bool opsize, addrsize, lock;
	int seg; /* -1: no override */
	u8 rex;
};

static bool is_legacy_prefix(u8 b)
{
	return b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 ||
	       b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
	       b == 0x65;
}

static int seg_of_prefix(u8 b)
{
	switch (b) {
	case 0x26:
		return X86_SEG_ES;
	case 0x2e:
		return X86_SEG_CS;
	case 0x36:
		return X86_SEG_SS;
	case 0x3e:
		return X86_SEG_DS;
	case 0x64:
		return X86_SEG_FS;
	default:
		return X86_SEG_GS;
	}
}

/* Reads the prefixes; a REX counts only right before the opcode. */
static int read_prefixes(struct cursor *c, enum x86_mode mode,
			 struct prefixes *p)
{
	memset(p, 0, sizeof(*p));
	p->seg = -1;
	for (;;) {
		u8 b;

		if (c->at >= X86_INSN_MAX)
			return -EINVAL;
		if (c->at >= c->avail)
			return -ENODATA;
		b = c->bytes[c->at];
		if (is_legacy_prefix(b)) {
			if (b == 0x66)
				p->opsize = true;
			else if (b == 0x67)
				p->addrsize = true;
			else if (b == 0xf0)
				p->lock = true;
			else if (b != 0xf2 && b != 0xf3)
				p->seg = seg_of_prefix(b);
			p->rex =
				0; /* a REX before a legacy prefix is ignored */
		} else if (mode == X86_MODE_64 && (b & 0xf0) == 0x40) {
			p->rex = b;
		} else {
			return 0;
		}
		c->at++;
	}
}

static unsigned int operand_size(enum x86_mode mode, const struct prefixes *p)
{
	if (p->rex & REX_W)
		return 8;
	if (mode == X86_MODE_16)
		return p->opsize ? 4 : 2;
	return p->opsize ? 2 : 4;
}

static unsigned int address_size(enum x86_mode mode, const struct prefixes *p)
{
	switch (mode) {
	case X86_MODE_16:
		return p->addrsize ? 4 : 2;
	case X86_MODE_32:
		return p->addrsize ? 2 : 4;
	default:
		return p->addrsize ? 4 : 8;
	}
}

/* The segment a memory operand uses: SS for stack bases, overrides win. */
static void choose_segment(struct x86_insn *in, enum x86_mode mode,
			   const struct prefixes *p)
{
	bool stack = in->base == RSP || in->base == RBP;

	in->seg = stack ? X86_SEG_SS : X86_SEG_DS;
	/* 64-bit mode ignores ES, CS, SS and DS overrides (SDM 3.3.7.1). */
	if (p->seg >= 0 && (mode != X86_MODE_64 || p->seg == X86_SEG_FS ||
			    p->seg == X86_SEG_GS))
		in->seg = (u8)p->seg;
}

/* ModRM with 16-bit addressing (SDM Vol. 2, table 2-1). */
static int modrm16(struct cursor *c, u8 modrm, struct x86_insn *in)
{
	static const s8 bases[8] = {RBX, RBX, RBP, RBP, RSI, RDI, RBP, RBX};
	static const s8 indexes[8] = {RSI, RDI, RSI, RDI, -1, -1, -1, -1};
	unsigned int mod = modrm >> 6, rm = modrm & 7;
	u64 disp = 0;

	in->base = bases[rm];
	in->index = indexes[rm];
	if (mod == 0 && rm == 6) {
		in->base = -1; /* disp16 alone */
		if (!take(c, 2, &disp))
			return short_of(c, 2);
		in->disp = (s64)disp;
		return 0;
	}
	if (mod == 1 || mod == 2) {
		unsigned int n = mod == 1 ? 1 : 2;

		if (!take(c, n, &disp))
			return short_of(c, n);
		in->disp = sign_extend(disp, n);
	}
	return 0;
}

/* ModRM with 32- or 64-bit addressing (SDM Vol. 2, tables 2-2 and 2-3). */
static int modrm32(struct cursor *c, u8 modrm, enum x86_mode mode,
		   const struct prefixes *p, struct x86_insn *in)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7;
	unsigned int disp_len = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	u64 v;

	if (rm == 4) {
		u8 sib, idx, base;

		if (!take(c, 1, &v))
			return short_of(c, 1);
		sib = (u8)v;
		in->scale = (u8)(1U << (sib >> 6));
		idx = ((sib >> 3) & 7) | (p->rex & REX_X ? 8 : 0);
		in->index = idx == RSP ? -1 : (s8)idx; /* 100b: no index */
		base = sib & 7;
		if (base == 5 && mod == 0) {
			in->base = -1;
			disp_len = 4;
		} else {
			in->base = (s8)(base | (p->rex & REX_B ? 8 : 0));
		}
	} else if (rm == 5 && mod == 0) {
		in->base = -1;
		in->rip_relative = mode == X86_MODE_64;
		disp_len = 4;
	} else {
		in->base = (s8)(rm | (p->rex & REX_B ? 8 : 0));
	}
	if (disp_len) {
		if (!take(c, disp_len, &v))
			return short_of(c, disp_len);
		in->disp = sign_extend(v, disp_len);
	}
	return 0;
}

/*
 * Reads ModRM and its memory operand; *reg_field gets ModRM.reg (with
 * REX.R). A register form leaves has_mem false.
 */
static int read_modrm(struct cursor *c, enum x86_mode mode,
		      const struct prefixes *p, struct x86_insn *in,
		      unsigned int *reg_field, unsigned int *rm_reg)
{
	u64 v;
	u8 modrm;
	int rc;

	if (!take(c, 1, &v))
		return short_of(c, 1);
	modrm = (u8)v;
	*reg_field = ((modrm >> 3) & 7) | (p->rex & REX_R ? 8 : 0);
	*rm_reg = (modrm & 7) | (p->rex & REX_B ? 8 : 0);
	in->addr_size = (u8)address_size(mode, p);
	in->scale = 1;
	in->base = in->index = -1;
	if (modrm >> 6 == 3)
		return 0;
	in->has_mem = true;
	rc = in->addr_size == 2 ? modrm16(c, modrm, in)
				: modrm32(c, modrm, mode, p, in);
	if (!rc)
		choose_segment(in, mode, p);
	return rc;
}

/* The register operand of a byte instruction: AH..BH without REX. */
static void set_byte_reg(struct x86_insn *in, unsigned int reg,
			 const struct prefixes *p)
{
	if (!p->rex && reg >= 4 && reg < 8) {
		in->reg = (s8)(reg - 4);
		in->reg_high8 = true;
	} else {
		in->reg = (s8)reg;
	}
}

/* 88/89/8A/8B/86/87: a register and r/m of the same width. */
static int decode_reg_rm(struct cursor *c, enum x86_mode mode,
			 const struct prefixes *p, u8 op, struct x86_insn *in)
{
	unsigned int reg, rm, size = (op & 1) ? operand_size(mode, p) : 1;
	int rc = read_modrm(c, mode, p, in, &reg, &rm);

	if (rc)
		return rc;
	in->mem_size = in->reg_size = (u8)size;
	in->op = (op & 0xfe) == 0x86   ? X86_OP_XCHG
		 : (op & 0xfe) == 0x88 ? X86_OP_MOV_STORE
				       : X86_OP_MOV_LOAD;
	if (size == 1)
		set_byte_reg(in, reg, p);
	else
		in->reg = (s8)reg;
	/* LOCK is allowed on XCHG with memory (and implied); nowhere else. */
	if (p->lock && !(in->op == X86_OP_XCHG && in->has_mem))
		return -EINVAL;
	return 0;
}

/* C6 /0 ib, C7 /0 iw/id: an immediate to r/m. */
static int decode_mov_imm(struct cursor *c, enum x86_mode mode,
			  const struct prefixes *p, u8 op, struct x86_insn *in)
{
	unsigned int reg, rm, size = op == 0xc7 ? operand_size(mode, p) : 1;
	unsigned int imm_len = size == 8 ? 4 : size;
	int rc = read_modrm(c, mode, p, in, &reg, &rm);
	u64 imm;

	if (rc)
		return rc;
	if ((reg & 7) != 0)
		return -EOPNOTSUPP; /* C6/C7 /1-/7 are other instructions */
	if (p->lock)
		return -EINVAL;
	if (!take(c, imm_len, &imm))
		return short_of(c, imm_len);
	in->op = X86_OP_MOV_STORE;
	in->mem_size = in->reg_size = (u8)size;
	in->reg = -1;
	in->imm = (u64)sign_extend(imm, imm_len);
	if (size < 8)
		in->imm &= (1ULL << (8 * size)) - 1;
	return 0;
}

/* A0-A3: AL/rAX and a memory offset of the address size. */
static int decode_moffs(struct cursor *c, enum x86_mode mode,
			const struct prefixes *p, u8 op, struct x86_insn *in)
{
	unsigned int asize = address_size(mode, p);
	u64 off;

	if (p->lock)
		return -EINVAL;
	if (!take(c, asize, &off))
		return short_of(c, asize);
	in->op = op >= 0xa2 ? X86_OP_MOV_STORE : X86_OP_MOV_LOAD;
	in->has_mem = true;
	in->mem_size = in->reg_size =
		(u8)((op & 1) ? operand_size(mode, p) : 1);
	in->reg = RAX;
	in->addr_size = (u8)asize;
	in->base = in->index = -1;
	in->scale = 1;
	in->disp = (s64)off;
	in->seg = p->seg >= 0 && (mode != X86_MODE_64 || p->seg >= X86_SEG_FS)
			  ? (u8)p->seg
			  : X86_SEG_DS;
	return 0;
}

/* 0F B6/B7/BE/BF and 63: a narrower r/m into a register. */
static int decode_extend(struct cursor *c, enum x86_mode mode,
			 const struct prefixes *p, unsigned int mem_size,
			 bool sign, struct x86_insn *in)
{
	unsigned int reg, rm;
	int rc = read_modrm(c, mode, p, in, &reg, &rm);

	if (rc)
		return rc;
	if (p->lock)
		return -EINVAL;
	in->op = X86_OP_MOV_LOAD;
	in->mem_size = (u8)mem_size;
	in->reg_size = (u8)operand_size(mode, p);
	in->sign_extend = sign;
	in->reg = (s8)reg;
	return 0;
}

/* 0F 20 and 0F 22: the ModRM.mod field is ignored (SDM MOV CR). */
static int decode_mov_cr(struct cursor *c, enum x86_mode mode,
			 const struct prefixes *p, u8 op, struct x86_insn *in)
{
	u64 v;
	unsigned int cr;

	if (!take(c, 1, &v))
		return short_of(c, 1);
	cr = (((u8)v >> 3) & 7) | (p->rex & REX_R ? 8 : 0);
	if (p->lock) {
		if (cr != 0)
			return -EINVAL;
		cr = 8; /* AMD's LOCK MOV CR0: CR8 outside 64-bit mode too */
	}
	if (cr != 0 && cr != 2 && cr != 3 && cr != 4 && cr != 8)
		return -EINVAL; /* #UD */
	in->op = op == 0x22 ? X86_OP_MOV_TO_CR : X86_OP_MOV_FROM_CR;
	in->cr = (u8)cr;
	in->reg = (s8)(((u8)v & 7) | (p->rex & REX_B ? 8 : 0));
	in->reg_size = mode == X86_MODE_64 ? 8 : 4;
	return 0;
}

/* 0F 01 /4 SMSW, /6 LMSW; other 0F 01 forms are other instructions. */
static int decode_msw(struct cursor *c, enum x86_mode mode,
		      const struct prefixes *p, struct x86_insn *in)
{
	unsigned int reg, rm, save = c->at;
	int rc = read_modrm(c, mode, p, in, &reg, &rm);

	if (rc)
		return rc;
	if ((reg & 7) != 4 && (reg & 7) != 6) {
		c->at = save;
		return -EOPNOTSUPP;
	}
	if (p->lock)
		return -EINVAL;
	in->op = (reg & 7) == 4 ? X86_OP_SMSW : X86_OP_LMSW;
	in->mem_size = 2;
	/* SMSW to a register writes the operand size; LMSW reads 16 bits. */
	in->reg_size = in->has_mem || in->op == X86_OP_LMSW
			       ? 2
			       : (u8)operand_size(mode, p);
	in->reg = (s8)rm;
	return 0;
}

static int decode_0f(struct cursor *c, enum x86_mode mode,
		     const struct prefixes *p, struct x86_insn *in)
{
	u64 v;

	if (!take(c, 1, &v))
		return short_of(c, 1);
	switch ((u8)v) {
	case 0x06:
		if (p->lock)
			return -EINVAL;
		in->op = X86_OP_CLTS;
		return 0;
	case 0x01:
		return decode_msw(c, mode, p, in);
	case 0x20:
	case 0x22:
		return decode_mov_cr(c, mode, p, (u8)v, in);
	case 0xb6:
	case 0xb7:
	case 0xbe:
	case 0xbf:
		return decode_extend(c, mode, p, (v & 1) ? 2 : 1, v >= 0xbe,
				     in);
	default:
		return -EOPNOTSUPP;
	}
}

int x86_decode(const u8 *bytes, unsigned int avail, enum x86_mode mode,
	       struct x86_insn *out)
{
	struct cursor c = {.bytes = bytes, .avail = avail};
	struct prefixes p;
	u64 op;
	int rc;

	memset(out, 0, sizeof(*out));
	out->reg = out->base = out->index = -1;
	out->scale = 1;
	rc = read_prefixes(&c, mode, &p);
	if (rc)
		return rc;
	if (!take(&c, 1, &op))
		return short_of(&c, 1);
	switch ((u8)op) {
	case 0x88:
	case 0x89:
	case 0x8a:
	case 0x8b:
	case 0x86:
	case 0x87:
		rc = decode_reg_rm(&c, mode, &p, (u8)op, out);
		break;
	case 0xc6:
	case 0xc7:
		rc = decode_mov_imm(&c, mode, &p, (u8)op, out);
		break;
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa3:
		rc = decode_moffs(&c, mode, &p, (u8)op, out);
		break;
	case 0x63:
		/* MOVSXD in 64-bit mode; ARPL elsewhere (not ours). */
		if (mode != X86_MODE_64)
			return -EOPNOTSUPP;
		rc = decode_extend(&c, mode, &p,
				   (p.rex & REX_W) ? 4 : operand_size(mode, &p),
				   p.rex & REX_W, out);
		break;
	case 0x0f:
		rc = decode_0f(&c, mode, &p, out);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (rc)
		return rc;
	if (c.at > X86_INSN_MAX)
		return -EINVAL;
	out->len = (u8)c.at;
	return 0;
}

u64 x86_insn_offset(const struct x86_insn *insn, const u64 gpr[16],
		    u64 next_rip)
{
	u64 off = (u64)insn->disp;

	if (insn->base >= 0)
		off += gpr[insn->base];
	if (insn->index >= 0)
		off += gpr[insn->index] * insn->scale;
	if (insn->rip_relative)
		off += next_rip;
	return insn->addr_size == 8
		       ? off
		       : off & ((1ULL << (8 * insn->addr_size)) - 1);
}

u64 x86_insn_store_value(const struct x86_insn *insn, const u64 gpr[16])
{
	u64 v;

	if (insn->reg < 0)
		v = insn->imm;
	else if (insn->reg_high8)
		v = gpr[insn->reg] >> 8;
	else
		v = gpr[insn->reg];
	return insn->mem_size == 8 ? v
				   : v & ((1ULL << (8 * insn->mem_size)) - 1);
}

void x86_insn_write_reg(const struct x86_insn *insn, u64 gpr[16], u64 value)
{
	u64 *r = &gpr[insn->reg];
	u64 v = insn->mem_size == 8
			? value
			: value & ((1ULL << (8 * insn->mem_size)) - 1);

	if (insn->sign_extend)
		v = (u64)sign_extend(v, insn->mem_size);
	switch (insn->reg_size) {
	case 8:
		*r = v;
		break;
	case 4:
		*r = (u32)v;
		break;
	case 2:
		*r = (*r & ~0xffffULL) | (v & 0xffff);
		break;
	default:
		if (insn->reg_high8)
			*r = (*r & ~0xff00ULL) | ((v & 0xff) << 8);
		else
			*r = (*r & ~0xffULL) | (v & 0xff);
		break;
	}
}
