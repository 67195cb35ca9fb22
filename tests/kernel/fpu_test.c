/*
 * Guest FPU state (asm/fpu.h): every CPU has the FPU set up the same way,
 * a fresh area loads the documented initial state, and a save/restore
 * round trip brings back a distinctive state (x87 stack and control word,
 * MXCSR, all sixteen XMM registers and, with AVX, the upper YMM halves),
 * also on another CPU. The hypervisor never touches these registers, so
 * what a case loads stays there between its own statements, interrupts
 * or not.
 *
 * The registers are reached from inline assembly text only: the kernel is
 * built with -mgeneral-regs-only, so the compiler itself never allocates
 * them and no clobbers are needed (or accepted) for them.
 */
#include <asm/boot.h>
#include <asm/cpu_protect.h>
#include <asm/fpu.h>
#include <asm/processor.h>
#include <asm/system.h>
#include <atomic.h>
#include <cpumask.h>
#include <ktest.h>

#include "every_cpu.h"
#include <percpu.h>
#include <smp.h>
#include <string.h>

#define AREA_MAX 4096
#define PI_BITS	 0x400921fb54442d18ULL /* the double nearest pi */

struct vregs {
	u8 lo[16][16]; /* XMM0-15 */
	u8 hi[16][16]; /* the upper halves of YMM0-15 (AVX only) */
	u16 fcw;
	u32 mxcsr;
	u64 st0; /* the x87 top of stack as a double, popped */
};

static u8 area_a[AREA_MAX] __aligned(FPU_STATE_ALIGN);
static u8 area_init[AREA_MAX] __aligned(FPU_STATE_ALIGN);
static struct vregs want, got, remote;

#define XMM_LOAD(n)  "movdqu " #n "*16(%0), %%xmm" #n "\n"
#define XMM_STORE(n) "movdqu %%xmm" #n ", " #n "*16(%0)\n"
#define YMM_HI_LOAD(n)                                               \
	"vmovdqu %%ymm" #n ", %%ymm" #n "\n" /* keep it VEX-clean */ \
	"vinsertf128 $1, " #n "*16(%0), %%ymm" #n ", %%ymm" #n "\n"
#define YMM_HI_STORE(n) "vextractf128 $1, %%ymm" #n ", " #n "*16(%0)\n"
#define ALL16(m)                                                            \
	m(0) m(1) m(2) m(3) m(4) m(5) m(6) m(7) m(8) m(9) m(10) m(11) m(12) \
		m(13) m(14) m(15)

static bool has_avx(void)
{
	return fpu_xfeatures() & XFEATURE_AVX;
}

/* Loads r into the registers: the x87 stack gets r->st0 pushed. */
static void load_vregs(const struct vregs *r)
{
	__asm__ __volatile__(ALL16(XMM_LOAD)::"r"(r->lo) : "memory");
	if (has_avx())
		__asm__ __volatile__(ALL16(YMM_HI_LOAD)::"r"(r->hi) : "memory");
	__asm__ __volatile__("fninit\n"
			     "fldl %0\n"
			     "fldcw %1\n"
			     "ldmxcsr %2\n" ::"m"(r->st0),
			     "m"(r->fcw), "m"(r->mxcsr)
			     : "memory");
}

/* The x87 tag word: 0xffff when every register is empty. */
static u16 x87_tag_word(void)
{
	u32 env[7];

	/* fnstenv masks all x87 exceptions: put the control word back. */
	__asm__ __volatile__("fnstenv %0\n"
			     "fldcw %0\n"
			     : "=m"(env)
			     :
			     : "memory");
	return (u16)env[2];
}

/* Reads the registers into r, popping the x87 top of stack. */
static void store_vregs(struct vregs *r)
{
	memset(r, 0, sizeof(*r));
	__asm__ __volatile__(ALL16(XMM_STORE)::"r"(r->lo) : "memory");
	if (has_avx())
		__asm__ __volatile__(ALL16(YMM_HI_STORE)::"r"(r->hi)
				     : "memory");
	__asm__ __volatile__("fnstcw %0\n"
			     "stmxcsr %1\n"
			     "fstpl %2\n"
			     : "=m"(r->fcw), "=m"(r->mxcsr), "=m"(r->st0)
			     :
			     : "memory");
}

static void make_distinctive(struct vregs *r)
{
	unsigned int i, j;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < 16; i++)
		for (j = 0; j < 16; j++) {
			r->lo[i][j] = (u8)(0x11 * i + j + 1);
			if (has_avx())
				r->hi[i][j] = (u8)(0xa5 ^ (i * 16 + j));
		}
	r->fcw = 0x27f;	   /* double precision, all masked */
	r->mxcsr = 0x3f80; /* round down, all masked */
	r->st0 = PI_BITS;
}

static bool same(struct ktest *t, const struct vregs *a, const struct vregs *b)
{
	bool ok = true;

	ok &= KT_EXPECT_TRUE(t, memcmp(a->lo, b->lo, sizeof(a->lo)) == 0);
	ok &= KT_EXPECT_TRUE(t, memcmp(a->hi, b->hi, sizeof(a->hi)) == 0);
	ok &= KT_EXPECT_EQ(t, a->fcw, b->fcw);
	ok &= KT_EXPECT_EQ(t, a->mxcsr, b->mxcsr);
	ok &= KT_EXPECT_EQ(t, a->st0, b->st0);
	return ok;
}

static u64 xgetbv0(void)
{
	u32 lo, hi;

	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((u64)hi << 32) | lo;
}

/* CR0 and CR4 as fpu_init_cpu() leaves them, XCR0 as fpu_xfeatures(). */
static bool fpu_set_up_here(void)
{
	unsigned long cr0 = read_cr0(), cr4 = read_cr4();
	bool ok = (cr0 & (X86_CR0_MP | X86_CR0_NE | X86_CR0_EM | X86_CR0_TS)) ==
			  (X86_CR0_MP | X86_CR0_NE) &&
		  (cr4 & X86_CR4_OSFXSR) && (cr4 & X86_CR4_OSXMMEXCPT);

	if (fpu_xfeatures())
		return ok && (cr4 & X86_CR4_OSXSAVE) &&
		       xgetbv0() == fpu_xfeatures();
	return ok && !(cr4 & X86_CR4_OSXSAVE);
}

static void every_cpu_set_up(struct ktest *t)
{
	KT_EXPECT_EQ(t, cpus_failing(fpu_set_up_here), 0);
}

static void state_size_fits_format(struct ktest *t)
{
	unsigned int size = fpu_state_size();
	u64 xf = fpu_xfeatures();

	KT_EXPECT_TRUE(t, IS_ALIGNED(size, FPU_STATE_ALIGN));
	KT_ASSERT_TRUE(t, size <= AREA_MAX);
	if (!xf) {
		KT_EXPECT_EQ(t, size, 512);
		return;
	}
	KT_EXPECT_EQ(t, xf & (XFEATURE_X87 | XFEATURE_SSE),
		     XFEATURE_X87 | XFEATURE_SSE);
	KT_EXPECT_EQ(t, xf & ~(XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX), 0);
	/* Legacy area and header; AVX's 256 bytes at offset 576. */
	KT_EXPECT_TRUE(t, size >= 576);
	if (xf & XFEATURE_AVX)
		KT_EXPECT_TRUE(t, size >= 832);
}

static void initial_state_loads(struct ktest *t)
{
	struct vregs zero = {.fcw = 0x37f, .mxcsr = 0x1f80};

	fpu_state_init(area_init);
	KT_EXPECT_EQ(t, *(u16 *)&area_init[0], 0x37f);
	KT_EXPECT_EQ(t, *(u32 *)&area_init[24], 0x1f80);
	make_distinctive(&want);
	load_vregs(&want);
	fpu_restore(area_init);
	/* The x87 stack is empty (what popping it gives is the emulator's). */
	KT_EXPECT_EQ(t, x87_tag_word(), 0xffff);
	store_vregs(&got);
	zero.st0 = got.st0;
	same(t, &got, &zero);
}

static void restore_elsewhere(void *unused)
{
	fpu_restore(area_a);
	store_vregs(&remote);
	fpu_restore(area_init);
}

static void round_trip_preserves_state(struct ktest *t)
{
	cpumask_t mask;
	unsigned int cpu;

	fpu_state_init(area_init);
	fpu_state_init(area_a);
	make_distinctive(&want);
	load_vregs(&want);
	fpu_save(area_a);

	/* The area holds it, in the documented layout. */
	KT_EXPECT_EQ(t, *(u16 *)&area_a[0], 0x27f);
	KT_EXPECT_EQ(t, *(u32 *)&area_a[24], 0x3f80);
	KT_EXPECT_TRUE(t, memcmp(&area_a[160], want.lo, 256) == 0);
	if (has_avx())
		KT_EXPECT_TRUE(t, memcmp(&area_a[576], want.hi, 256) == 0);

	/* Something else in between, then the saved state again. */
	fpu_restore(area_init);
	store_vregs(&got);
	KT_EXPECT_EQ(t, got.mxcsr, 0x1f80);
	KT_EXPECT_EQ(t, got.lo[7][3], 0);
	fpu_restore(area_a);
	store_vregs(&got);
	same(t, &got, &want);

	/* Twice: a restored state saves the same and restores the same. */
	fpu_restore(area_a);
	fpu_save(area_a);
	fpu_restore(area_init);
	fpu_restore(area_a);
	store_vregs(&got);
	same(t, &got, &want);
	fpu_restore(area_init);

	/* Areas move with their vCPUs: restore it on another CPU. */
	for_each_online_cpu (cpu)
		if (cpu != smp_processor_id())
			break;
	if (cpu >= NR_CPUS || !cpu_online(cpu))
		return;
	cpumask_clear(&mask);
	cpumask_set_cpu(cpu, &mask);
	memset(&remote, 0, sizeof(remote));
	on_selected_cpus(&mask, restore_elsewhere, NULL, true);
	same(t, &remote, &want);
}

KTEST_SUITE(fpu, KTEST_CASE(every_cpu_set_up),
	    KTEST_CASE(state_size_fits_format), KTEST_CASE(initial_state_loads),
	    KTEST_CASE(round_trip_preserves_state));
