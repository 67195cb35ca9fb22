/*
 * The HVM instruction decoder (arch/x86/hvm/x86_decode.c): every form it
 * knows, in 64-, 32- and 16-bit modes, against encodings GNU as produced
 * (the table below, with objdump's reading of each: as's output, not
 * hand-made bytes), every truncation of each, and detailed checks of the
 * fields the MMIO and CR emulation use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <asm/hvm/x86_decode.h>
#include <errno.h>
#include <string.h>

struct encoding {
	enum x86_mode mode;
	const char *bytes;
	unsigned int len;
	const char *objdump; /* objdump's disassembly, AT&T syntax */
};

/* Written by `as` (.code64/.code32/.code16) and read back by objdump. */
static const struct encoding table[] = {
	{X86_MODE_64, "\x48\x89\x28", 3, "mov    %rbp,(%rax)"},
	{X86_MODE_64, "\x48\x8b\x28", 3, "mov    (%rax),%rbp"},
	{X86_MODE_64, "\x48\x89\x10", 3, "mov    %rdx,(%rax)"},
	{X86_MODE_64, "\x48\x8b\x10", 3, "mov    (%rax),%rdx"},
	{X86_MODE_64, "\x89\x30", 2, "mov    %esi,(%rax)"},
	{X86_MODE_64, "\x8b\x30", 2, "mov    (%rax),%esi"},
	{X86_MODE_64, "\x89\x00", 2, "mov    %eax,(%rax)"},
	{X86_MODE_64, "\x8b\x00", 2, "mov    (%rax),%eax"},
	{X86_MODE_64, "\x66\x89\x00", 3, "mov    %ax,(%rax)"},
	{X86_MODE_64, "\x66\x8b\x00", 3, "mov    (%rax),%ax"},
	{X86_MODE_64, "\x40\x88\x30", 3, "mov    %sil,(%rax)"},
	{X86_MODE_64, "\x40\x8a\x30", 3, "mov    (%rax),%sil"},
	{X86_MODE_64, "\x88\x00", 2, "mov    %al,(%rax)"},
	{X86_MODE_64, "\x8a\x00", 2, "mov    (%rax),%al"},
	{X86_MODE_64, "\xc7\x00\x78\x56\x34\x12", 6,
	 "movl   $0x12345678,(%rax)"},
	{X86_MODE_64, "\x48\xc7\x00\xfb\xff\xff\xff", 7,
	 "movq   $0xfffffffffffffffb,(%rax)"},
	{X86_MODE_64, "\x66\xc7\x00\x34\x12", 5, "movw   $0x1234,(%rax)"},
	{X86_MODE_64, "\xc6\x00\x7f", 3, "movb   $0x7f,(%rax)"},
	{X86_MODE_64, "\x0f\xb6\x00", 3, "movzbl (%rax),%eax"},
	{X86_MODE_64, "\x44\x0f\xb7\x08", 4, "movzwl (%rax),%r9d"},
	{X86_MODE_64, "\x48\x0f\xbe\x10", 4, "movsbq (%rax),%rdx"},
	{X86_MODE_64, "\x0f\xbf\x08", 3, "movswl (%rax),%ecx"},
	{X86_MODE_64, "\x4c\x63\x10", 3, "movslq (%rax),%r10"},
	{X86_MODE_64, "\x87\x00", 2, "xchg   %eax,(%rax)"},
	{X86_MODE_64, "\x48\x87\x18", 3, "xchg   %rbx,(%rax)"},
	{X86_MODE_64, "\xf0\x86\x08", 3, "lock xchg %cl,(%rax)"},
	{X86_MODE_64, "\x48\x89\x6b\x10", 4, "mov    %rbp,0x10(%rbx)"},
	{X86_MODE_64, "\x48\x8b\x6b\x10", 4, "mov    0x10(%rbx),%rbp"},
	{X86_MODE_64, "\x4c\x89\x4b\x10", 4, "mov    %r9,0x10(%rbx)"},
	{X86_MODE_64, "\x4c\x8b\x4b\x10", 4, "mov    0x10(%rbx),%r9"},
	{X86_MODE_64, "\x89\x43\x10", 3, "mov    %eax,0x10(%rbx)"},
	{X86_MODE_64, "\x8b\x43\x10", 3, "mov    0x10(%rbx),%eax"},
	{X86_MODE_64, "\x44\x89\x43\x10", 4, "mov    %r8d,0x10(%rbx)"},
	{X86_MODE_64, "\x44\x8b\x43\x10", 4, "mov    0x10(%rbx),%r8d"},
	{X86_MODE_64, "\x66\x89\x4b\x10", 4, "mov    %cx,0x10(%rbx)"},
	{X86_MODE_64, "\x66\x8b\x4b\x10", 4, "mov    0x10(%rbx),%cx"},
	{X86_MODE_64, "\x88\x43\x10", 3, "mov    %al,0x10(%rbx)"},
	{X86_MODE_64, "\x8a\x43\x10", 3, "mov    0x10(%rbx),%al"},
	{X86_MODE_64, "\x44\x88\x53\x10", 4, "mov    %r10b,0x10(%rbx)"},
	{X86_MODE_64, "\x44\x8a\x53\x10", 4, "mov    0x10(%rbx),%r10b"},
	{X86_MODE_64, "\xc7\x43\x10\x78\x56\x34\x12", 7,
	 "movl   $0x12345678,0x10(%rbx)"},
	{X86_MODE_64, "\x48\xc7\x43\x10\xfb\xff\xff\xff", 8,
	 "movq   $0xfffffffffffffffb,0x10(%rbx)"},
	{X86_MODE_64, "\x66\xc7\x43\x10\x34\x12", 6,
	 "movw   $0x1234,0x10(%rbx)"},
	{X86_MODE_64, "\xc6\x43\x10\x7f", 4, "movb   $0x7f,0x10(%rbx)"},
	{X86_MODE_64, "\x0f\xb6\x43\x10", 4, "movzbl 0x10(%rbx),%eax"},
	{X86_MODE_64, "\x44\x0f\xb7\x4b\x10", 5, "movzwl 0x10(%rbx),%r9d"},
	{X86_MODE_64, "\x48\x0f\xbe\x53\x10", 5, "movsbq 0x10(%rbx),%rdx"},
	{X86_MODE_64, "\x0f\xbf\x4b\x10", 4, "movswl 0x10(%rbx),%ecx"},
	{X86_MODE_64, "\x4c\x63\x53\x10", 4, "movslq 0x10(%rbx),%r10"},
	{X86_MODE_64, "\x87\x43\x10", 3, "xchg   %eax,0x10(%rbx)"},
	{X86_MODE_64, "\x48\x87\x5b\x10", 4, "xchg   %rbx,0x10(%rbx)"},
	{X86_MODE_64, "\xf0\x86\x4b\x10", 4, "lock xchg %cl,0x10(%rbx)"},
	{X86_MODE_64, "\x48\x89\x75\x80", 4, "mov    %rsi,-0x80(%rbp)"},
	{X86_MODE_64, "\x48\x8b\x75\x80", 4, "mov    -0x80(%rbp),%rsi"},
	{X86_MODE_64, "\x4c\x89\x7d\x80", 4, "mov    %r15,-0x80(%rbp)"},
	{X86_MODE_64, "\x4c\x8b\x7d\x80", 4, "mov    -0x80(%rbp),%r15"},
	{X86_MODE_64, "\x89\x4d\x80", 3, "mov    %ecx,-0x80(%rbp)"},
	{X86_MODE_64, "\x8b\x4d\x80", 3, "mov    -0x80(%rbp),%ecx"},
	{X86_MODE_64, "\x89\x5d\x80", 3, "mov    %ebx,-0x80(%rbp)"},
	{X86_MODE_64, "\x8b\x5d\x80", 3, "mov    -0x80(%rbp),%ebx"},
	{X86_MODE_64, "\x66\x89\x45\x80", 4, "mov    %ax,-0x80(%rbp)"},
	{X86_MODE_64, "\x66\x8b\x45\x80", 4, "mov    -0x80(%rbp),%ax"},
	{X86_MODE_64, "\x40\x88\x75\x80", 4, "mov    %sil,-0x80(%rbp)"},
	{X86_MODE_64, "\x40\x8a\x75\x80", 4, "mov    -0x80(%rbp),%sil"},
	{X86_MODE_64, "\x88\x7d\x80", 3, "mov    %bh,-0x80(%rbp)"},
	{X86_MODE_64, "\x8a\x7d\x80", 3, "mov    -0x80(%rbp),%bh"},
	{X86_MODE_64, "\xc7\x45\x80\x78\x56\x34\x12", 7,
	 "movl   $0x12345678,-0x80(%rbp)"},
	{X86_MODE_64, "\x48\xc7\x45\x80\xfb\xff\xff\xff", 8,
	 "movq   $0xfffffffffffffffb,-0x80(%rbp)"},
	{X86_MODE_64, "\x66\xc7\x45\x80\x34\x12", 6,
	 "movw   $0x1234,-0x80(%rbp)"},
	{X86_MODE_64, "\xc6\x45\x80\x7f", 4, "movb   $0x7f,-0x80(%rbp)"},
	{X86_MODE_64, "\x0f\xb6\x45\x80", 4, "movzbl -0x80(%rbp),%eax"},
	{X86_MODE_64, "\x44\x0f\xb7\x4d\x80", 5, "movzwl -0x80(%rbp),%r9d"},
	{X86_MODE_64, "\x48\x0f\xbe\x55\x80", 5, "movsbq -0x80(%rbp),%rdx"},
	{X86_MODE_64, "\x0f\xbf\x4d\x80", 4, "movswl -0x80(%rbp),%ecx"},
	{X86_MODE_64, "\x4c\x63\x55\x80", 4, "movslq -0x80(%rbp),%r10"},
	{X86_MODE_64, "\x87\x45\x80", 3, "xchg   %eax,-0x80(%rbp)"},
	{X86_MODE_64, "\x48\x87\x5d\x80", 4, "xchg   %rbx,-0x80(%rbp)"},
	{X86_MODE_64, "\xf0\x86\x4d\x80", 4, "lock xchg %cl,-0x80(%rbp)"},
	{X86_MODE_64, "\x48\x89\x84\x24\x00\x10\x00\x00", 8,
	 "mov    %rax,0x1000(%rsp)"},
	{X86_MODE_64, "\x48\x8b\x84\x24\x00\x10\x00\x00", 8,
	 "mov    0x1000(%rsp),%rax"},
	{X86_MODE_64, "\x4c\x89\x8c\x24\x00\x10\x00\x00", 8,
	 "mov    %r9,0x1000(%rsp)"},
	{X86_MODE_64, "\x4c\x8b\x8c\x24\x00\x10\x00\x00", 8,
	 "mov    0x1000(%rsp),%r9"},
	{X86_MODE_64, "\x89\x8c\x24\x00\x10\x00\x00", 7,
	 "mov    %ecx,0x1000(%rsp)"},
	{X86_MODE_64, "\x8b\x8c\x24\x00\x10\x00\x00", 7,
	 "mov    0x1000(%rsp),%ecx"},
	{X86_MODE_64, "\x89\x9c\x24\x00\x10\x00\x00", 7,
	 "mov    %ebx,0x1000(%rsp)"},
	{X86_MODE_64, "\x8b\x9c\x24\x00\x10\x00\x00", 7,
	 "mov    0x1000(%rsp),%ebx"},
	{X86_MODE_64, "\x66\x44\x89\x8c\x24\x00\x10\x00\x00", 9,
	 "mov    %r9w,0x1000(%rsp)"},
	{X86_MODE_64, "\x66\x44\x8b\x8c\x24\x00\x10\x00\x00", 9,
	 "mov    0x1000(%rsp),%r9w"},
	{X86_MODE_64, "\x88\x84\x24\x00\x10\x00\x00", 7,
	 "mov    %al,0x1000(%rsp)"},
	{X86_MODE_64, "\x8a\x84\x24\x00\x10\x00\x00", 7,
	 "mov    0x1000(%rsp),%al"},
	{X86_MODE_64, "\x40\x88\xb4\x24\x00\x10\x00\x00", 8,
	 "mov    %sil,0x1000(%rsp)"},
	{X86_MODE_64, "\x40\x8a\xb4\x24\x00\x10\x00\x00", 8,
	 "mov    0x1000(%rsp),%sil"},
	{X86_MODE_64, "\xc7\x84\x24\x00\x10\x00\x00\x78\x56\x34\x12", 11,
	 "movl   $0x12345678,0x1000(%rsp)"},
	{X86_MODE_64, "\x48\xc7\x84\x24\x00\x10\x00\x00\xfb\xff\xff\xff", 12,
	 "movq   $0xfffffffffffffffb,0x1000(%rsp)"},
	{X86_MODE_64, "\x66\xc7\x84\x24\x00\x10\x00\x00\x34\x12", 10,
	 "movw   $0x1234,0x1000(%rsp)"},
	{X86_MODE_64, "\xc6\x84\x24\x00\x10\x00\x00\x7f", 8,
	 "movb   $0x7f,0x1000(%rsp)"},
	{X86_MODE_64, "\x0f\xb6\x84\x24\x00\x10\x00\x00", 8,
	 "movzbl 0x1000(%rsp),%eax"},
	{X86_MODE_64, "\x44\x0f\xb7\x8c\x24\x00\x10\x00\x00", 9,
	 "movzwl 0x1000(%rsp),%r9d"},
	{X86_MODE_64, "\x48\x0f\xbe\x94\x24\x00\x10\x00\x00", 9,
	 "movsbq 0x1000(%rsp),%rdx"},
	{X86_MODE_64, "\x0f\xbf\x8c\x24\x00\x10\x00\x00", 8,
	 "movswl 0x1000(%rsp),%ecx"},
	{X86_MODE_64, "\x4c\x63\x94\x24\x00\x10\x00\x00", 8,
	 "movslq 0x1000(%rsp),%r10"},
	{X86_MODE_64, "\x87\x84\x24\x00\x10\x00\x00", 7,
	 "xchg   %eax,0x1000(%rsp)"},
	{X86_MODE_64, "\x48\x87\x9c\x24\x00\x10\x00\x00", 8,
	 "xchg   %rbx,0x1000(%rsp)"},
	{X86_MODE_64, "\xf0\x86\x8c\x24\x00\x10\x00\x00", 8,
	 "lock xchg %cl,0x1000(%rsp)"},
	{X86_MODE_64, "\x4d\x89\x0c\x24", 4, "mov    %r9,(%r12)"},
	{X86_MODE_64, "\x4d\x8b\x0c\x24", 4, "mov    (%r12),%r9"},
	{X86_MODE_64, "\x49\x89\x34\x24", 4, "mov    %rsi,(%r12)"},
	{X86_MODE_64, "\x49\x8b\x34\x24", 4, "mov    (%r12),%rsi"},
	{X86_MODE_64, "\x41\x89\x04\x24", 4, "mov    %eax,(%r12)"},
	{X86_MODE_64, "\x41\x8b\x04\x24", 4, "mov    (%r12),%eax"},
	{X86_MODE_64, "\x41\x89\x1c\x24", 4, "mov    %ebx,(%r12)"},
	{X86_MODE_64, "\x41\x8b\x1c\x24", 4, "mov    (%r12),%ebx"},
	{X86_MODE_64, "\x66\x41\x89\x04\x24", 5, "mov    %ax,(%r12)"},
	{X86_MODE_64, "\x66\x41\x8b\x04\x24", 5, "mov    (%r12),%ax"},
	{X86_MODE_64, "\x41\x88\x34\x24", 4, "mov    %sil,(%r12)"},
	{X86_MODE_64, "\x41\x8a\x34\x24", 4, "mov    (%r12),%sil"},
	{X86_MODE_64, "\x41\x88\x0c\x24", 4, "mov    %cl,(%r12)"},
	{X86_MODE_64, "\x41\x8a\x0c\x24", 4, "mov    (%r12),%cl"},
	{X86_MODE_64, "\x41\xc7\x04\x24\x78\x56\x34\x12", 8,
	 "movl   $0x12345678,(%r12)"},
	{X86_MODE_64, "\x49\xc7\x04\x24\xfb\xff\xff\xff", 8,
	 "movq   $0xfffffffffffffffb,(%r12)"},
	{X86_MODE_64, "\x66\x41\xc7\x04\x24\x34\x12", 7,
	 "movw   $0x1234,(%r12)"},
	{X86_MODE_64, "\x41\xc6\x04\x24\x7f", 5, "movb   $0x7f,(%r12)"},
	{X86_MODE_64, "\x41\x0f\xb6\x04\x24", 5, "movzbl (%r12),%eax"},
	{X86_MODE_64, "\x45\x0f\xb7\x0c\x24", 5, "movzwl (%r12),%r9d"},
	{X86_MODE_64, "\x49\x0f\xbe\x14\x24", 5, "movsbq (%r12),%rdx"},
	{X86_MODE_64, "\x41\x0f\xbf\x0c\x24", 5, "movswl (%r12),%ecx"},
	{X86_MODE_64, "\x4d\x63\x14\x24", 4, "movslq (%r12),%r10"},
	{X86_MODE_64, "\x41\x87\x04\x24", 4, "xchg   %eax,(%r12)"},
	{X86_MODE_64, "\x49\x87\x1c\x24", 4, "xchg   %rbx,(%r12)"},
	{X86_MODE_64, "\xf0\x41\x86\x0c\x24", 5, "lock xchg %cl,(%r12)"},
	{X86_MODE_64, "\x49\x89\x65\x7f", 4, "mov    %rsp,0x7f(%r13)"},
	{X86_MODE_64, "\x49\x8b\x65\x7f", 4, "mov    0x7f(%r13),%rsp"},
	{X86_MODE_64, "\x49\x89\x75\x7f", 4, "mov    %rsi,0x7f(%r13)"},
	{X86_MODE_64, "\x49\x8b\x75\x7f", 4, "mov    0x7f(%r13),%rsi"},
	{X86_MODE_64, "\x41\x89\x55\x7f", 4, "mov    %edx,0x7f(%r13)"},
	{X86_MODE_64, "\x41\x8b\x55\x7f", 4, "mov    0x7f(%r13),%edx"},
	{X86_MODE_64, "\x45\x89\x45\x7f", 4, "mov    %r8d,0x7f(%r13)"},
	{X86_MODE_64, "\x45\x8b\x45\x7f", 4, "mov    0x7f(%r13),%r8d"},
	{X86_MODE_64, "\x66\x41\x89\x45\x7f", 5, "mov    %ax,0x7f(%r13)"},
	{X86_MODE_64, "\x66\x41\x8b\x45\x7f", 5, "mov    0x7f(%r13),%ax"},
	{X86_MODE_64, "\x41\x88\x75\x7f", 4, "mov    %sil,0x7f(%r13)"},
	{X86_MODE_64, "\x41\x8a\x75\x7f", 4, "mov    0x7f(%r13),%sil"},
	{X86_MODE_64, "\x41\xc7\x45\x7f\x78\x56\x34\x12", 8,
	 "movl   $0x12345678,0x7f(%r13)"},
	{X86_MODE_64, "\x49\xc7\x45\x7f\xfb\xff\xff\xff", 8,
	 "movq   $0xfffffffffffffffb,0x7f(%r13)"},
	{X86_MODE_64, "\x66\x41\xc7\x45\x7f\x34\x12", 7,
	 "movw   $0x1234,0x7f(%r13)"},
	{X86_MODE_64, "\x41\xc6\x45\x7f\x7f", 5, "movb   $0x7f,0x7f(%r13)"},
	{X86_MODE_64, "\x41\x0f\xb6\x45\x7f", 5, "movzbl 0x7f(%r13),%eax"},
	{X86_MODE_64, "\x45\x0f\xb7\x4d\x7f", 5, "movzwl 0x7f(%r13),%r9d"},
	{X86_MODE_64, "\x49\x0f\xbe\x55\x7f", 5, "movsbq 0x7f(%r13),%rdx"},
	{X86_MODE_64, "\x41\x0f\xbf\x4d\x7f", 5, "movswl 0x7f(%r13),%ecx"},
	{X86_MODE_64, "\x4d\x63\x55\x7f", 4, "movslq 0x7f(%r13),%r10"},
	{X86_MODE_64, "\x41\x87\x45\x7f", 4, "xchg   %eax,0x7f(%r13)"},
	{X86_MODE_64, "\x49\x87\x5d\x7f", 4, "xchg   %rbx,0x7f(%r13)"},
	{X86_MODE_64, "\xf0\x41\x86\x4d\x7f", 5, "lock xchg %cl,0x7f(%r13)"},
	{X86_MODE_64, "\x4c\x89\x04\x88", 4, "mov    %r8,(%rax,%rcx,4)"},
	{X86_MODE_64, "\x4c\x8b\x04\x88", 4, "mov    (%rax,%rcx,4),%r8"},
	{X86_MODE_64, "\x4c\x89\x24\x88", 4, "mov    %r12,(%rax,%rcx,4)"},
	{X86_MODE_64, "\x4c\x8b\x24\x88", 4, "mov    (%rax,%rcx,4),%r12"},
	{X86_MODE_64, "\x89\x14\x88", 3, "mov    %edx,(%rax,%rcx,4)"},
	{X86_MODE_64, "\x8b\x14\x88", 3, "mov    (%rax,%rcx,4),%edx"},
	{X86_MODE_64, "\x89\x0c\x88", 3, "mov    %ecx,(%rax,%rcx,4)"},
	{X86_MODE_64, "\x8b\x0c\x88", 3, "mov    (%rax,%rcx,4),%ecx"},
	{X86_MODE_64, "\x66\x44\x89\x0c\x88", 5, "mov    %r9w,(%rax,%rcx,4)"},
	{X86_MODE_64, "\x66\x44\x8b\x0c\x88", 5, "mov    (%rax,%rcx,4),%r9w"},
	{X86_MODE_64, "\x40\x88\x34\x88", 4, "mov    %sil,(%rax,%rcx,4)"},
	{X86_MODE_64, "\x40\x8a\x34\x88", 4, "mov    (%rax,%rcx,4),%sil"},
	{X86_MODE_64, "\x88\x0c\x88", 3, "mov    %cl,(%rax,%rcx,4)"},
	{X86_MODE_64, "\x8a\x0c\x88", 3, "mov    (%rax,%rcx,4),%cl"},
	{X86_MODE_64, "\xc7\x04\x88\x78\x56\x34\x12", 7,
	 "movl   $0x12345678,(%rax,%rcx,4)"},
	{X86_MODE_64, "\x48\xc7\x04\x88\xfb\xff\xff\xff", 8,
	 "movq   $0xfffffffffffffffb,(%rax,%rcx,4)"},
	{X86_MODE_64, "\x66\xc7\x04\x88\x34\x12", 6,
	 "movw   $0x1234,(%rax,%rcx,4)"},
	{X86_MODE_64, "\xc6\x04\x88\x7f", 4, "movb   $0x7f,(%rax,%rcx,4)"},
	{X86_MODE_64, "\x0f\xb6\x04\x88", 4, "movzbl (%rax,%rcx,4),%eax"},
	{X86_MODE_64, "\x44\x0f\xb7\x0c\x88", 5, "movzwl (%rax,%rcx,4),%r9d"},
	{X86_MODE_64, "\x48\x0f\xbe\x14\x88", 5, "movsbq (%rax,%rcx,4),%rdx"},
	{X86_MODE_64, "\x0f\xbf\x0c\x88", 4, "movswl (%rax,%rcx,4),%ecx"},
	{X86_MODE_64, "\x4c\x63\x14\x88", 4, "movslq (%rax,%rcx,4),%r10"},
	{X86_MODE_64, "\x87\x04\x88", 3, "xchg   %eax,(%rax,%rcx,4)"},
	{X86_MODE_64, "\x48\x87\x1c\x88", 4, "xchg   %rbx,(%rax,%rcx,4)"},
	{X86_MODE_64, "\xf0\x86\x0c\x88", 4, "lock xchg %cl,(%rax,%rcx,4)"},
	{X86_MODE_64, "\x48\x89\x6c\xf3\x20", 5,
	 "mov    %rbp,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\x48\x8b\x6c\xf3\x20", 5,
	 "mov    0x20(%rbx,%rsi,8),%rbp"},
	{X86_MODE_64, "\x48\x89\x4c\xf3\x20", 5,
	 "mov    %rcx,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\x48\x8b\x4c\xf3\x20", 5,
	 "mov    0x20(%rbx,%rsi,8),%rcx"},
	{X86_MODE_64, "\x44\x89\x44\xf3\x20", 5,
	 "mov    %r8d,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\x44\x8b\x44\xf3\x20", 5,
	 "mov    0x20(%rbx,%rsi,8),%r8d"},
	{X86_MODE_64, "\x89\x4c\xf3\x20", 4, "mov    %ecx,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\x8b\x4c\xf3\x20", 4, "mov    0x20(%rbx,%rsi,8),%ecx"},
	{X86_MODE_64, "\x66\x44\x89\x4c\xf3\x20", 6,
	 "mov    %r9w,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\x66\x44\x8b\x4c\xf3\x20", 6,
	 "mov    0x20(%rbx,%rsi,8),%r9w"},
	{X86_MODE_64, "\x88\x44\xf3\x20", 4, "mov    %al,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\x8a\x44\xf3\x20", 4, "mov    0x20(%rbx,%rsi,8),%al"},
	{X86_MODE_64, "\x40\x88\x74\xf3\x20", 5,
	 "mov    %sil,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\x40\x8a\x74\xf3\x20", 5,
	 "mov    0x20(%rbx,%rsi,8),%sil"},
	{X86_MODE_64, "\xc7\x44\xf3\x20\x78\x56\x34\x12", 8,
	 "movl   $0x12345678,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\x48\xc7\x44\xf3\x20\xfb\xff\xff\xff", 9,
	 "movq   $0xfffffffffffffffb,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\x66\xc7\x44\xf3\x20\x34\x12", 7,
	 "movw   $0x1234,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\xc6\x44\xf3\x20\x7f", 5,
	 "movb   $0x7f,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\x0f\xb6\x44\xf3\x20", 5,
	 "movzbl 0x20(%rbx,%rsi,8),%eax"},
	{X86_MODE_64, "\x44\x0f\xb7\x4c\xf3\x20", 6,
	 "movzwl 0x20(%rbx,%rsi,8),%r9d"},
	{X86_MODE_64, "\x48\x0f\xbe\x54\xf3\x20", 6,
	 "movsbq 0x20(%rbx,%rsi,8),%rdx"},
	{X86_MODE_64, "\x0f\xbf\x4c\xf3\x20", 5,
	 "movswl 0x20(%rbx,%rsi,8),%ecx"},
	{X86_MODE_64, "\x4c\x63\x54\xf3\x20", 5,
	 "movslq 0x20(%rbx,%rsi,8),%r10"},
	{X86_MODE_64, "\x87\x44\xf3\x20", 4, "xchg   %eax,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\x48\x87\x5c\xf3\x20", 5,
	 "xchg   %rbx,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\xf0\x86\x4c\xf3\x20", 5,
	 "lock xchg %cl,0x20(%rbx,%rsi,8)"},
	{X86_MODE_64, "\x48\x89\x1c\x55\x00\x03\x00\x00", 8,
	 "mov    %rbx,0x300(,%rdx,2)"},
	{X86_MODE_64, "\x48\x8b\x1c\x55\x00\x03\x00\x00", 8,
	 "mov    0x300(,%rdx,2),%rbx"},
	{X86_MODE_64, "\x48\x89\x3c\x55\x00\x03\x00\x00", 8,
	 "mov    %rdi,0x300(,%rdx,2)"},
	{X86_MODE_64, "\x48\x8b\x3c\x55\x00\x03\x00\x00", 8,
	 "mov    0x300(,%rdx,2),%rdi"},
	{X86_MODE_64, "\x44\x89\x2c\x55\x00\x03\x00\x00", 8,
	 "mov    %r13d,0x300(,%rdx,2)"},
	{X86_MODE_64, "\x44\x8b\x2c\x55\x00\x03\x00\x00", 8,
	 "mov    0x300(,%rdx,2),%r13d"},
	{X86_MODE_64, "\x44\x89\x04\x55\x00\x03\x00\x00", 8,
	 "mov    %r8d,0x300(,%rdx,2)"},
	{X86_MODE_64, "\x44\x8b\x04\x55\x00\x03\x00\x00", 8,
	 "mov    0x300(,%rdx,2),%r8d"},
	{X86_MODE_64, "\x66\x89\x34\x55\x00\x03\x00\x00", 8,
	 "mov    %si,0x300(,%rdx,2)"},
	{X86_MODE_64, "\x66\x8b\x34\x55\x00\x03\x00\x00", 8,
	 "mov    0x300(,%rdx,2),%si"},
	{X86_MODE_64, "\x88\x24\x55\x00\x03\x00\x00", 7,
	 "mov    %ah,0x300(,%rdx,2)"},
	{X86_MODE_64, "\x8a\x24\x55\x00\x03\x00\x00", 7,
	 "mov    0x300(,%rdx,2),%ah"},
	{X86_MODE_64, "\x88\x3c\x55\x00\x03\x00\x00", 7,
	 "mov    %bh,0x300(,%rdx,2)"},
	{X86_MODE_64, "\x8a\x3c\x55\x00\x03\x00\x00", 7,
	 "mov    0x300(,%rdx,2),%bh"},
	{X86_MODE_64, "\xc7\x04\x55\x00\x03\x00\x00\x78\x56\x34\x12", 11,
	 "movl   $0x12345678,0x300(,%rdx,2)"},
	{X86_MODE_64, "\x48\xc7\x04\x55\x00\x03\x00\x00\xfb\xff\xff\xff", 12,
	 "movq   $0xfffffffffffffffb,0x300(,%rdx,2)"},
	{X86_MODE_64, "\x66\xc7\x04\x55\x00\x03\x00\x00\x34\x12", 10,
	 "movw   $0x1234,0x300(,%rdx,2)"},
	{X86_MODE_64, "\xc6\x04\x55\x00\x03\x00\x00\x7f", 8,
	 "movb   $0x7f,0x300(,%rdx,2)"},
	{X86_MODE_64, "\x0f\xb6\x04\x55\x00\x03\x00\x00", 8,
	 "movzbl 0x300(,%rdx,2),%eax"},
	{X86_MODE_64, "\x44\x0f\xb7\x0c\x55\x00\x03\x00\x00", 9,
	 "movzwl 0x300(,%rdx,2),%r9d"},
	{X86_MODE_64, "\x48\x0f\xbe\x14\x55\x00\x03\x00\x00", 9,
	 "movsbq 0x300(,%rdx,2),%rdx"},
	{X86_MODE_64, "\x0f\xbf\x0c\x55\x00\x03\x00\x00", 8,
	 "movswl 0x300(,%rdx,2),%ecx"},
	{X86_MODE_64, "\x4c\x63\x14\x55\x00\x03\x00\x00", 8,
	 "movslq 0x300(,%rdx,2),%r10"},
	{X86_MODE_64, "\x87\x04\x55\x00\x03\x00\x00", 7,
	 "xchg   %eax,0x300(,%rdx,2)"},
	{X86_MODE_64, "\x48\x87\x1c\x55\x00\x03\x00\x00", 8,
	 "xchg   %rbx,0x300(,%rdx,2)"},
	{X86_MODE_64, "\xf0\x86\x0c\x55\x00\x03\x00\x00", 8,
	 "lock xchg %cl,0x300(,%rdx,2)"},
	{X86_MODE_64, "\x48\x89\x0d\x30\x00\x00\x00", 7,
	 "mov    %rcx,0x30(%rip)        # 0x4f5"},
	{X86_MODE_64, "\x48\x8b\x0d\x30\x00\x00\x00", 7,
	 "mov    0x30(%rip),%rcx        # 0x4fc"},
	{X86_MODE_64, "\x4c\x89\x0d\x30\x00\x00\x00", 7,
	 "mov    %r9,0x30(%rip)        # 0x503"},
	{X86_MODE_64, "\x4c\x8b\x0d\x30\x00\x00\x00", 7,
	 "mov    0x30(%rip),%r9        # 0x50a"},
	{X86_MODE_64, "\x89\x25\x30\x00\x00\x00", 6,
	 "mov    %esp,0x30(%rip)        # 0x510"},
	{X86_MODE_64, "\x8b\x25\x30\x00\x00\x00", 6,
	 "mov    0x30(%rip),%esp        # 0x516"},
	{X86_MODE_64, "\x44\x89\x05\x30\x00\x00\x00", 7,
	 "mov    %r8d,0x30(%rip)        # 0x51d"},
	{X86_MODE_64, "\x44\x8b\x05\x30\x00\x00\x00", 7,
	 "mov    0x30(%rip),%r8d        # 0x524"},
	{X86_MODE_64, "\x66\x89\x35\x30\x00\x00\x00", 7,
	 "mov    %si,0x30(%rip)        # 0x52b"},
	{X86_MODE_64, "\x66\x8b\x35\x30\x00\x00\x00", 7,
	 "mov    0x30(%rip),%si        # 0x532"},
	{X86_MODE_64, "\x88\x25\x30\x00\x00\x00", 6,
	 "mov    %ah,0x30(%rip)        # 0x538"},
	{X86_MODE_64, "\x8a\x25\x30\x00\x00\x00", 6,
	 "mov    0x30(%rip),%ah        # 0x53e"},
	{X86_MODE_64, "\x88\x3d\x30\x00\x00\x00", 6,
	 "mov    %bh,0x30(%rip)        # 0x544"},
	{X86_MODE_64, "\x8a\x3d\x30\x00\x00\x00", 6,
	 "mov    0x30(%rip),%bh        # 0x54a"},
	{X86_MODE_64, "\xc7\x05\x30\x00\x00\x00\x78\x56\x34\x12", 10,
	 "movl   $0x12345678,0x30(%rip)        # 0x554"},
	{X86_MODE_64, "\x48\xc7\x05\x30\x00\x00\x00\xfb\xff\xff\xff", 11,
	 "movq   $0xfffffffffffffffb,0x30(%rip)        # 0x55f"},
	{X86_MODE_64, "\x66\xc7\x05\x30\x00\x00\x00\x34\x12", 9,
	 "movw   $0x1234,0x30(%rip)        # 0x568"},
	{X86_MODE_64, "\xc6\x05\x30\x00\x00\x00\x7f", 7,
	 "movb   $0x7f,0x30(%rip)        # 0x56f"},
	{X86_MODE_64, "\x0f\xb6\x05\x30\x00\x00\x00", 7,
	 "movzbl 0x30(%rip),%eax        # 0x576"},
	{X86_MODE_64, "\x44\x0f\xb7\x0d\x30\x00\x00\x00", 8,
	 "movzwl 0x30(%rip),%r9d        # 0x57e"},
	{X86_MODE_64, "\x48\x0f\xbe\x15\x30\x00\x00\x00", 8,
	 "movsbq 0x30(%rip),%rdx        # 0x586"},
	{X86_MODE_64, "\x0f\xbf\x0d\x30\x00\x00\x00", 7,
	 "movswl 0x30(%rip),%ecx        # 0x58d"},
	{X86_MODE_64, "\x4c\x63\x15\x30\x00\x00\x00", 7,
	 "movslq 0x30(%rip),%r10        # 0x594"},
	{X86_MODE_64, "\x87\x05\x30\x00\x00\x00", 6,
	 "xchg   %eax,0x30(%rip)        # 0x59a"},
	{X86_MODE_64, "\x48\x87\x1d\x30\x00\x00\x00", 7,
	 "xchg   %rbx,0x30(%rip)        # 0x5a1"},
	{X86_MODE_64, "\xf0\x86\x0d\x30\x00\x00\x00", 7,
	 "lock xchg %cl,0x30(%rip)        # 0x5a8"},
	{X86_MODE_64, "\x64\x48\x89\x60\x08", 5, "mov    %rsp,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x64\x48\x8b\x60\x08", 5, "mov    %fs:0x8(%rax),%rsp"},
	{X86_MODE_64, "\x64\x4c\x89\x48\x08", 5, "mov    %r9,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x64\x4c\x8b\x48\x08", 5, "mov    %fs:0x8(%rax),%r9"},
	{X86_MODE_64, "\x64\x89\x48\x08", 4, "mov    %ecx,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x64\x8b\x48\x08", 4, "mov    %fs:0x8(%rax),%ecx"},
	{X86_MODE_64, "\x64\x44\x89\x68\x08", 5, "mov    %r13d,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x64\x44\x8b\x68\x08", 5, "mov    %fs:0x8(%rax),%r13d"},
	{X86_MODE_64, "\x64\x66\x44\x89\x48\x08", 6,
	 "mov    %r9w,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x64\x66\x44\x8b\x48\x08", 6,
	 "mov    %fs:0x8(%rax),%r9w"},
	{X86_MODE_64, "\x64\x88\x78\x08", 4, "mov    %bh,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x64\x8a\x78\x08", 4, "mov    %fs:0x8(%rax),%bh"},
	{X86_MODE_64, "\x64\x88\x48\x08", 4, "mov    %cl,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x64\x8a\x48\x08", 4, "mov    %fs:0x8(%rax),%cl"},
	{X86_MODE_64, "\x64\xc7\x40\x08\x78\x56\x34\x12", 8,
	 "movl   $0x12345678,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x64\x48\xc7\x40\x08\xfb\xff\xff\xff", 9,
	 "movq   $0xfffffffffffffffb,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x64\x66\xc7\x40\x08\x34\x12", 7,
	 "movw   $0x1234,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x64\xc6\x40\x08\x7f", 5, "movb   $0x7f,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x64\x0f\xb6\x40\x08", 5, "movzbl %fs:0x8(%rax),%eax"},
	{X86_MODE_64, "\x64\x44\x0f\xb7\x48\x08", 6,
	 "movzwl %fs:0x8(%rax),%r9d"},
	{X86_MODE_64, "\x64\x48\x0f\xbe\x50\x08", 6,
	 "movsbq %fs:0x8(%rax),%rdx"},
	{X86_MODE_64, "\x64\x0f\xbf\x48\x08", 5, "movswl %fs:0x8(%rax),%ecx"},
	{X86_MODE_64, "\x64\x4c\x63\x50\x08", 5, "movslq %fs:0x8(%rax),%r10"},
	{X86_MODE_64, "\x64\x87\x40\x08", 4, "xchg   %eax,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x64\x48\x87\x58\x08", 5, "xchg   %rbx,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x64\xf0\x86\x48\x08", 5, "lock xchg %cl,%fs:0x8(%rax)"},
	{X86_MODE_64, "\x67\x4c\x89\x38", 4, "mov    %r15,(%eax)"},
	{X86_MODE_64, "\x67\x4c\x8b\x38", 4, "mov    (%eax),%r15"},
	{X86_MODE_64, "\x67\x48\x89\x28", 4, "mov    %rbp,(%eax)"},
	{X86_MODE_64, "\x67\x48\x8b\x28", 4, "mov    (%eax),%rbp"},
	{X86_MODE_64, "\x67\x89\x10", 3, "mov    %edx,(%eax)"},
	{X86_MODE_64, "\x67\x8b\x10", 3, "mov    (%eax),%edx"},
	{X86_MODE_64, "\x67\x89\x38", 3, "mov    %edi,(%eax)"},
	{X86_MODE_64, "\x67\x8b\x38", 3, "mov    (%eax),%edi"},
	{X86_MODE_64, "\x67\x66\x89\x30", 4, "mov    %si,(%eax)"},
	{X86_MODE_64, "\x67\x66\x8b\x30", 4, "mov    (%eax),%si"},
	{X86_MODE_64, "\x67\x88\x00", 3, "mov    %al,(%eax)"},
	{X86_MODE_64, "\x67\x8a\x00", 3, "mov    (%eax),%al"},
	{X86_MODE_64, "\x67\x44\x88\x10", 4, "mov    %r10b,(%eax)"},
	{X86_MODE_64, "\x67\x44\x8a\x10", 4, "mov    (%eax),%r10b"},
	{X86_MODE_64, "\x67\xc7\x00\x78\x56\x34\x12", 7,
	 "movl   $0x12345678,(%eax)"},
	{X86_MODE_64, "\x67\x48\xc7\x00\xfb\xff\xff\xff", 8,
	 "movq   $0xfffffffffffffffb,(%eax)"},
	{X86_MODE_64, "\x67\x66\xc7\x00\x34\x12", 6, "movw   $0x1234,(%eax)"},
	{X86_MODE_64, "\x67\xc6\x00\x7f", 4, "movb   $0x7f,(%eax)"},
	{X86_MODE_64, "\x67\x0f\xb6\x00", 4, "movzbl (%eax),%eax"},
	{X86_MODE_64, "\x67\x44\x0f\xb7\x08", 5, "movzwl (%eax),%r9d"},
	{X86_MODE_64, "\x67\x48\x0f\xbe\x10", 5, "movsbq (%eax),%rdx"},
	{X86_MODE_64, "\x67\x0f\xbf\x08", 4, "movswl (%eax),%ecx"},
	{X86_MODE_64, "\x67\x4c\x63\x10", 4, "movslq (%eax),%r10"},
	{X86_MODE_64, "\x67\x87\x00", 3, "xchg   %eax,(%eax)"},
	{X86_MODE_64, "\x67\x48\x87\x18", 4, "xchg   %rbx,(%eax)"},
	{X86_MODE_64, "\x67\xf0\x86\x08", 4, "lock xchg %cl,(%eax)"},
	{X86_MODE_64, "\x4f\x89\xbc\x08\x78\x56\x34\x12", 8,
	 "mov    %r15,0x12345678(%r8,%r9,1)"},
	{X86_MODE_64, "\x4f\x8b\xbc\x08\x78\x56\x34\x12", 8,
	 "mov    0x12345678(%r8,%r9,1),%r15"},
	{X86_MODE_64, "\x4f\x89\x84\x08\x78\x56\x34\x12", 8,
	 "mov    %r8,0x12345678(%r8,%r9,1)"},
	{X86_MODE_64, "\x4f\x8b\x84\x08\x78\x56\x34\x12", 8,
	 "mov    0x12345678(%r8,%r9,1),%r8"},
	{X86_MODE_64, "\x47\x89\x9c\x08\x78\x56\x34\x12", 8,
	 "mov    %r11d,0x12345678(%r8,%r9,1)"},
	{X86_MODE_64, "\x47\x8b\x9c\x08\x78\x56\x34\x12", 8,
	 "mov    0x12345678(%r8,%r9,1),%r11d"},
	{X86_MODE_64, "\x43\x89\xac\x08\x78\x56\x34\x12", 8,
	 "mov    %ebp,0x12345678(%r8,%r9,1)"},
	{X86_MODE_64, "\x43\x8b\xac\x08\x78\x56\x34\x12", 8,
	 "mov    0x12345678(%r8,%r9,1),%ebp"},
	{X86_MODE_64, "\x66\x43\x89\x9c\x08\x78\x56\x34\x12", 9,
	 "mov    %bx,0x12345678(%r8,%r9,1)"},
	{X86_MODE_64, "\x66\x43\x8b\x9c\x08\x78\x56\x34\x12", 9,
	 "mov    0x12345678(%r8,%r9,1),%bx"},
	{X86_MODE_64, "\x47\x88\x94\x08\x78\x56\x34\x12", 8,
	 "mov    %r10b,0x12345678(%r8,%r9,1)"},
	{X86_MODE_64, "\x47\x8a\x94\x08\x78\x56\x34\x12", 8,
	 "mov    0x12345678(%r8,%r9,1),%r10b"},
	{X86_MODE_64, "\x43\xc7\x84\x08\x78\x56\x34\x12\x78\x56\x34\x12", 12,
	 "movl   $0x12345678,0x12345678(%r8,%r9,1)"},
	{X86_MODE_64, "\x4b\xc7\x84\x08\x78\x56\x34\x12\xfb\xff\xff\xff", 12,
	 "movq   $0xfffffffffffffffb,0x12345678(%r8,%r9,1)"},
	{X86_MODE_64, "\x66\x43\xc7\x84\x08\x78\x56\x34\x12\x34\x12", 11,
	 "movw   $0x1234,0x12345678(%r8,%r9,1)"},
	{X86_MODE_64, "\x43\xc6\x84\x08\x78\x56\x34\x12\x7f", 9,
	 "movb   $0x7f,0x12345678(%r8,%r9,1)"},
	{X86_MODE_64, "\x43\x0f\xb6\x84\x08\x78\x56\x34\x12", 9,
	 "movzbl 0x12345678(%r8,%r9,1),%eax"},
	{X86_MODE_64, "\x47\x0f\xb7\x8c\x08\x78\x56\x34\x12", 9,
	 "movzwl 0x12345678(%r8,%r9,1),%r9d"},
	{X86_MODE_64, "\x4b\x0f\xbe\x94\x08\x78\x56\x34\x12", 9,
	 "movsbq 0x12345678(%r8,%r9,1),%rdx"},
	{X86_MODE_64, "\x43\x0f\xbf\x8c\x08\x78\x56\x34\x12", 9,
	 "movswl 0x12345678(%r8,%r9,1),%ecx"},
	{X86_MODE_64, "\x4f\x63\x94\x08\x78\x56\x34\x12", 8,
	 "movslq 0x12345678(%r8,%r9,1),%r10"},
	{X86_MODE_64, "\x43\x87\x84\x08\x78\x56\x34\x12", 8,
	 "xchg   %eax,0x12345678(%r8,%r9,1)"},
	{X86_MODE_64, "\x4b\x87\x9c\x08\x78\x56\x34\x12", 8,
	 "xchg   %rbx,0x12345678(%r8,%r9,1)"},
	{X86_MODE_64, "\xf0\x43\x86\x8c\x08\x78\x56\x34\x12", 9,
	 "lock xchg %cl,0x12345678(%r8,%r9,1)"},
	{X86_MODE_64, "\xa1\x20\x00\xe0\xfe\x00\x00\x00\x00", 9,
	 "movabs 0xfee00020,%eax"},
	{X86_MODE_64, "\xa1\x20\x00\xe0\xfe\x00\x00\x00\x00", 9,
	 "movabs 0xfee00020,%eax"},
	{X86_MODE_64, "\x48\xa3\x88\x77\x66\x55\x44\x33\x22\x11", 10,
	 "movabs %rax,0x1122334455667788"},
	{X86_MODE_64, "\xa0\x10\x00\x00\x00\x00\x00\x00\x00", 9,
	 "movabs 0x10,%al"},
	{X86_MODE_64, "\x0f\x20\xc0", 3, "mov    %cr0,%rax"},
	{X86_MODE_64, "\x0f\x22\xc0", 3, "mov    %rax,%cr0"},
	{X86_MODE_64, "\x0f\x20\xe3", 3, "mov    %cr4,%rbx"},
	{X86_MODE_64, "\x41\x0f\x22\xe1", 4, "mov    %r9,%cr4"},
	{X86_MODE_64, "\x44\x0f\x22\xc0", 4, "mov    %rax,%cr8"},
	{X86_MODE_64, "\x45\x0f\x20\xc4", 4, "mov    %cr8,%r12"},
	{X86_MODE_64, "\x0f\x20\xda", 3, "mov    %cr3,%rdx"},
	{X86_MODE_64, "\x0f\x22\xde", 3, "mov    %rsi,%cr3"},
	{X86_MODE_64, "\x0f\x06", 2, "clts"},
	{X86_MODE_64, "\x0f\x01\x20", 3, "smsw   (%rax)"},
	{X86_MODE_64, "\x0f\x01\x33", 3, "lmsw   (%rbx)"},
	{X86_MODE_64, "\x0f\x01\xe0", 3, "smsw   %eax"},
	{X86_MODE_64, "\x0f\x01\xf0", 3, "lmsw   %ax"},
	{X86_MODE_32, "\x89\x00", 2, "mov    %eax,(%eax)"},
	{X86_MODE_32, "\x8b\x00", 2, "mov    (%eax),%eax"},
	{X86_MODE_32, "\x89\x10", 2, "mov    %edx,(%eax)"},
	{X86_MODE_32, "\x8b\x10", 2, "mov    (%eax),%edx"},
	{X86_MODE_32, "\x66\x89\x00", 3, "mov    %ax,(%eax)"},
	{X86_MODE_32, "\x66\x8b\x00", 3, "mov    (%eax),%ax"},
	{X86_MODE_32, "\x88\x18", 2, "mov    %bl,(%eax)"},
	{X86_MODE_32, "\x8a\x18", 2, "mov    (%eax),%bl"},
	{X86_MODE_32, "\x88\x30", 2, "mov    %dh,(%eax)"},
	{X86_MODE_32, "\x8a\x30", 2, "mov    (%eax),%dh"},
	{X86_MODE_32, "\xc7\x00\xef\xbe\xad\xde", 6,
	 "movl   $0xdeadbeef,(%eax)"},
	{X86_MODE_32, "\x66\xc7\x00\xaa\x55", 5, "movw   $0x55aa,(%eax)"},
	{X86_MODE_32, "\xc6\x00\x01", 3, "movb   $0x1,(%eax)"},
	{X86_MODE_32, "\x0f\xb6\x00", 3, "movzbl (%eax),%eax"},
	{X86_MODE_32, "\x0f\xbf\x30", 3, "movswl (%eax),%esi"},
	{X86_MODE_32, "\x87\x00", 2, "xchg   %eax,(%eax)"},
	{X86_MODE_32, "\x89\x43\x10", 3, "mov    %eax,0x10(%ebx)"},
	{X86_MODE_32, "\x8b\x43\x10", 3, "mov    0x10(%ebx),%eax"},
	{X86_MODE_32, "\x89\x53\x10", 3, "mov    %edx,0x10(%ebx)"},
	{X86_MODE_32, "\x8b\x53\x10", 3, "mov    0x10(%ebx),%edx"},
	{X86_MODE_32, "\x66\x89\x43\x10", 4, "mov    %ax,0x10(%ebx)"},
	{X86_MODE_32, "\x66\x8b\x43\x10", 4, "mov    0x10(%ebx),%ax"},
	{X86_MODE_32, "\x88\x5b\x10", 3, "mov    %bl,0x10(%ebx)"},
	{X86_MODE_32, "\x8a\x5b\x10", 3, "mov    0x10(%ebx),%bl"},
	{X86_MODE_32, "\x88\x73\x10", 3, "mov    %dh,0x10(%ebx)"},
	{X86_MODE_32, "\x8a\x73\x10", 3, "mov    0x10(%ebx),%dh"},
	{X86_MODE_32, "\xc7\x43\x10\xef\xbe\xad\xde", 7,
	 "movl   $0xdeadbeef,0x10(%ebx)"},
	{X86_MODE_32, "\x66\xc7\x43\x10\xaa\x55", 6,
	 "movw   $0x55aa,0x10(%ebx)"},
	{X86_MODE_32, "\xc6\x43\x10\x01", 4, "movb   $0x1,0x10(%ebx)"},
	{X86_MODE_32, "\x0f\xb6\x43\x10", 4, "movzbl 0x10(%ebx),%eax"},
	{X86_MODE_32, "\x0f\xbf\x73\x10", 4, "movswl 0x10(%ebx),%esi"},
	{X86_MODE_32, "\x87\x43\x10", 3, "xchg   %eax,0x10(%ebx)"},
	{X86_MODE_32, "\x89\x45\x80", 3, "mov    %eax,-0x80(%ebp)"},
	{X86_MODE_32, "\x8b\x45\x80", 3, "mov    -0x80(%ebp),%eax"},
	{X86_MODE_32, "\x89\x55\x80", 3, "mov    %edx,-0x80(%ebp)"},
	{X86_MODE_32, "\x8b\x55\x80", 3, "mov    -0x80(%ebp),%edx"},
	{X86_MODE_32, "\x66\x89\x45\x80", 4, "mov    %ax,-0x80(%ebp)"},
	{X86_MODE_32, "\x66\x8b\x45\x80", 4, "mov    -0x80(%ebp),%ax"},
	{X86_MODE_32, "\x88\x5d\x80", 3, "mov    %bl,-0x80(%ebp)"},
	{X86_MODE_32, "\x8a\x5d\x80", 3, "mov    -0x80(%ebp),%bl"},
	{X86_MODE_32, "\x88\x75\x80", 3, "mov    %dh,-0x80(%ebp)"},
	{X86_MODE_32, "\x8a\x75\x80", 3, "mov    -0x80(%ebp),%dh"},
	{X86_MODE_32, "\xc7\x45\x80\xef\xbe\xad\xde", 7,
	 "movl   $0xdeadbeef,-0x80(%ebp)"},
	{X86_MODE_32, "\x66\xc7\x45\x80\xaa\x55", 6,
	 "movw   $0x55aa,-0x80(%ebp)"},
	{X86_MODE_32, "\xc6\x45\x80\x01", 4, "movb   $0x1,-0x80(%ebp)"},
	{X86_MODE_32, "\x0f\xb6\x45\x80", 4, "movzbl -0x80(%ebp),%eax"},
	{X86_MODE_32, "\x0f\xbf\x75\x80", 4, "movswl -0x80(%ebp),%esi"},
	{X86_MODE_32, "\x87\x45\x80", 3, "xchg   %eax,-0x80(%ebp)"},
	{X86_MODE_32, "\x89\x04\x24", 3, "mov    %eax,(%esp)"},
	{X86_MODE_32, "\x8b\x04\x24", 3, "mov    (%esp),%eax"},
	{X86_MODE_32, "\x89\x14\x24", 3, "mov    %edx,(%esp)"},
	{X86_MODE_32, "\x8b\x14\x24", 3, "mov    (%esp),%edx"},
	{X86_MODE_32, "\x66\x89\x04\x24", 4, "mov    %ax,(%esp)"},
	{X86_MODE_32, "\x66\x8b\x04\x24", 4, "mov    (%esp),%ax"},
	{X86_MODE_32, "\x88\x1c\x24", 3, "mov    %bl,(%esp)"},
	{X86_MODE_32, "\x8a\x1c\x24", 3, "mov    (%esp),%bl"},
	{X86_MODE_32, "\x88\x34\x24", 3, "mov    %dh,(%esp)"},
	{X86_MODE_32, "\x8a\x34\x24", 3, "mov    (%esp),%dh"},
	{X86_MODE_32, "\xc7\x04\x24\xef\xbe\xad\xde", 7,
	 "movl   $0xdeadbeef,(%esp)"},
	{X86_MODE_32, "\x66\xc7\x04\x24\xaa\x55", 6, "movw   $0x55aa,(%esp)"},
	{X86_MODE_32, "\xc6\x04\x24\x01", 4, "movb   $0x1,(%esp)"},
	{X86_MODE_32, "\x0f\xb6\x04\x24", 4, "movzbl (%esp),%eax"},
	{X86_MODE_32, "\x0f\xbf\x34\x24", 4, "movswl (%esp),%esi"},
	{X86_MODE_32, "\x87\x04\x24", 3, "xchg   %eax,(%esp)"},
	{X86_MODE_32, "\x89\x04\x55\x00\x03\x00\x00", 7,
	 "mov    %eax,0x300(,%edx,2)"},
	{X86_MODE_32, "\x8b\x04\x55\x00\x03\x00\x00", 7,
	 "mov    0x300(,%edx,2),%eax"},
	{X86_MODE_32, "\x89\x14\x55\x00\x03\x00\x00", 7,
	 "mov    %edx,0x300(,%edx,2)"},
	{X86_MODE_32, "\x8b\x14\x55\x00\x03\x00\x00", 7,
	 "mov    0x300(,%edx,2),%edx"},
	{X86_MODE_32, "\x66\x89\x04\x55\x00\x03\x00\x00", 8,
	 "mov    %ax,0x300(,%edx,2)"},
	{X86_MODE_32, "\x66\x8b\x04\x55\x00\x03\x00\x00", 8,
	 "mov    0x300(,%edx,2),%ax"},
	{X86_MODE_32, "\x88\x1c\x55\x00\x03\x00\x00", 7,
	 "mov    %bl,0x300(,%edx,2)"},
	{X86_MODE_32, "\x8a\x1c\x55\x00\x03\x00\x00", 7,
	 "mov    0x300(,%edx,2),%bl"},
	{X86_MODE_32, "\x88\x34\x55\x00\x03\x00\x00", 7,
	 "mov    %dh,0x300(,%edx,2)"},
	{X86_MODE_32, "\x8a\x34\x55\x00\x03\x00\x00", 7,
	 "mov    0x300(,%edx,2),%dh"},
	{X86_MODE_32, "\xc7\x04\x55\x00\x03\x00\x00\xef\xbe\xad\xde", 11,
	 "movl   $0xdeadbeef,0x300(,%edx,2)"},
	{X86_MODE_32, "\x66\xc7\x04\x55\x00\x03\x00\x00\xaa\x55", 10,
	 "movw   $0x55aa,0x300(,%edx,2)"},
	{X86_MODE_32, "\xc6\x04\x55\x00\x03\x00\x00\x01", 8,
	 "movb   $0x1,0x300(,%edx,2)"},
	{X86_MODE_32, "\x0f\xb6\x04\x55\x00\x03\x00\x00", 8,
	 "movzbl 0x300(,%edx,2),%eax"},
	{X86_MODE_32, "\x0f\xbf\x34\x55\x00\x03\x00\x00", 8,
	 "movswl 0x300(,%edx,2),%esi"},
	{X86_MODE_32, "\x87\x04\x55\x00\x03\x00\x00", 7,
	 "xchg   %eax,0x300(,%edx,2)"},
	{X86_MODE_32, "\xa3\x20\x00\xe0\xfe", 5, "mov    %eax,0xfee00020"},
	{X86_MODE_32, "\xa1\x20\x00\xe0\xfe", 5, "mov    0xfee00020,%eax"},
	{X86_MODE_32, "\x89\x15\x20\x00\xe0\xfe", 6, "mov    %edx,0xfee00020"},
	{X86_MODE_32, "\x8b\x15\x20\x00\xe0\xfe", 6, "mov    0xfee00020,%edx"},
	{X86_MODE_32, "\x66\xa3\x20\x00\xe0\xfe", 6, "mov    %ax,0xfee00020"},
	{X86_MODE_32, "\x66\xa1\x20\x00\xe0\xfe", 6, "mov    0xfee00020,%ax"},
	{X86_MODE_32, "\x88\x1d\x20\x00\xe0\xfe", 6, "mov    %bl,0xfee00020"},
	{X86_MODE_32, "\x8a\x1d\x20\x00\xe0\xfe", 6, "mov    0xfee00020,%bl"},
	{X86_MODE_32, "\x88\x35\x20\x00\xe0\xfe", 6, "mov    %dh,0xfee00020"},
	{X86_MODE_32, "\x8a\x35\x20\x00\xe0\xfe", 6, "mov    0xfee00020,%dh"},
	{X86_MODE_32, "\xc7\x05\x20\x00\xe0\xfe\xef\xbe\xad\xde", 10,
	 "movl   $0xdeadbeef,0xfee00020"},
	{X86_MODE_32, "\x66\xc7\x05\x20\x00\xe0\xfe\xaa\x55", 9,
	 "movw   $0x55aa,0xfee00020"},
	{X86_MODE_32, "\xc6\x05\x20\x00\xe0\xfe\x01", 7,
	 "movb   $0x1,0xfee00020"},
	{X86_MODE_32, "\x0f\xb6\x05\x20\x00\xe0\xfe", 7,
	 "movzbl 0xfee00020,%eax"},
	{X86_MODE_32, "\x0f\xbf\x35\x20\x00\xe0\xfe", 7,
	 "movswl 0xfee00020,%esi"},
	{X86_MODE_32, "\x87\x05\x20\x00\xe0\xfe", 6, "xchg   %eax,0xfee00020"},
	{X86_MODE_32, "\x67\x89\x00", 3, "mov    %eax,(%bx,%si)"},
	{X86_MODE_32, "\x67\x8b\x00", 3, "mov    (%bx,%si),%eax"},
	{X86_MODE_32, "\x67\x89\x10", 3, "mov    %edx,(%bx,%si)"},
	{X86_MODE_32, "\x67\x8b\x10", 3, "mov    (%bx,%si),%edx"},
	{X86_MODE_32, "\x67\x66\x89\x00", 4, "mov    %ax,(%bx,%si)"},
	{X86_MODE_32, "\x67\x66\x8b\x00", 4, "mov    (%bx,%si),%ax"},
	{X86_MODE_32, "\x67\x88\x18", 3, "mov    %bl,(%bx,%si)"},
	{X86_MODE_32, "\x67\x8a\x18", 3, "mov    (%bx,%si),%bl"},
	{X86_MODE_32, "\x67\x88\x30", 3, "mov    %dh,(%bx,%si)"},
	{X86_MODE_32, "\x67\x8a\x30", 3, "mov    (%bx,%si),%dh"},
	{X86_MODE_32, "\x67\xc7\x00\xef\xbe\xad\xde", 7,
	 "movl   $0xdeadbeef,(%bx,%si)"},
	{X86_MODE_32, "\x67\x66\xc7\x00\xaa\x55", 6,
	 "movw   $0x55aa,(%bx,%si)"},
	{X86_MODE_32, "\x67\xc6\x00\x01", 4, "movb   $0x1,(%bx,%si)"},
	{X86_MODE_32, "\x67\x0f\xb6\x00", 4, "movzbl (%bx,%si),%eax"},
	{X86_MODE_32, "\x67\x0f\xbf\x30", 4, "movswl (%bx,%si),%esi"},
	{X86_MODE_32, "\x67\x87\x00", 3, "xchg   %eax,(%bx,%si)"},
	{X86_MODE_32, "\x26\x89\x47\x04", 4, "mov    %eax,%es:0x4(%edi)"},
	{X86_MODE_32, "\x26\x8b\x47\x04", 4, "mov    %es:0x4(%edi),%eax"},
	{X86_MODE_32, "\x26\x89\x57\x04", 4, "mov    %edx,%es:0x4(%edi)"},
	{X86_MODE_32, "\x26\x8b\x57\x04", 4, "mov    %es:0x4(%edi),%edx"},
	{X86_MODE_32, "\x26\x66\x89\x47\x04", 5, "mov    %ax,%es:0x4(%edi)"},
	{X86_MODE_32, "\x26\x66\x8b\x47\x04", 5, "mov    %es:0x4(%edi),%ax"},
	{X86_MODE_32, "\x26\x88\x5f\x04", 4, "mov    %bl,%es:0x4(%edi)"},
	{X86_MODE_32, "\x26\x8a\x5f\x04", 4, "mov    %es:0x4(%edi),%bl"},
	{X86_MODE_32, "\x26\x88\x77\x04", 4, "mov    %dh,%es:0x4(%edi)"},
	{X86_MODE_32, "\x26\x8a\x77\x04", 4, "mov    %es:0x4(%edi),%dh"},
	{X86_MODE_32, "\x26\xc7\x47\x04\xef\xbe\xad\xde", 8,
	 "movl   $0xdeadbeef,%es:0x4(%edi)"},
	{X86_MODE_32, "\x26\x66\xc7\x47\x04\xaa\x55", 7,
	 "movw   $0x55aa,%es:0x4(%edi)"},
	{X86_MODE_32, "\x26\xc6\x47\x04\x01", 5, "movb   $0x1,%es:0x4(%edi)"},
	{X86_MODE_32, "\x26\x0f\xb6\x47\x04", 5, "movzbl %es:0x4(%edi),%eax"},
	{X86_MODE_32, "\x26\x0f\xbf\x77\x04", 5, "movswl %es:0x4(%edi),%esi"},
	{X86_MODE_32, "\x26\x87\x47\x04", 4, "xchg   %eax,%es:0x4(%edi)"},
	{X86_MODE_32, "\x0f\x20\xc0", 3, "mov    %cr0,%eax"},
	{X86_MODE_32, "\x0f\x22\xe0", 3, "mov    %eax,%cr4"},
	{X86_MODE_32, "\xa3\xb0\x00\xe0\xfe", 5, "mov    %eax,0xfee000b0"},
	{X86_MODE_32, "\xa0\x20\x00\xe0\xfe", 5, "mov    0xfee00020,%al"},
	{X86_MODE_16, "\x89\x00", 2, "mov    %ax,(%bx,%si)"},
	{X86_MODE_16, "\x8b\x00", 2, "mov    (%bx,%si),%ax"},
	{X86_MODE_16, "\x88\x10", 2, "mov    %dl,(%bx,%si)"},
	{X86_MODE_16, "\x8a\x10", 2, "mov    (%bx,%si),%dl"},
	{X86_MODE_16, "\x66\x89\x00", 3, "mov    %eax,(%bx,%si)"},
	{X86_MODE_16, "\x66\x8b\x00", 3, "mov    (%bx,%si),%eax"},
	{X86_MODE_16, "\xc7\x00\x34\x12", 4, "movw   $0x1234,(%bx,%si)"},
	{X86_MODE_16, "\x66\xc7\x00\x78\x56\x34\x12", 7,
	 "movl   $0x12345678,(%bx,%si)"},
	{X86_MODE_16, "\x89\x03", 2, "mov    %ax,(%bp,%di)"},
	{X86_MODE_16, "\x8b\x03", 2, "mov    (%bp,%di),%ax"},
	{X86_MODE_16, "\x88\x13", 2, "mov    %dl,(%bp,%di)"},
	{X86_MODE_16, "\x8a\x13", 2, "mov    (%bp,%di),%dl"},
	{X86_MODE_16, "\x66\x89\x03", 3, "mov    %eax,(%bp,%di)"},
	{X86_MODE_16, "\x66\x8b\x03", 3, "mov    (%bp,%di),%eax"},
	{X86_MODE_16, "\xc7\x03\x34\x12", 4, "movw   $0x1234,(%bp,%di)"},
	{X86_MODE_16, "\x66\xc7\x03\x78\x56\x34\x12", 7,
	 "movl   $0x12345678,(%bp,%di)"},
	{X86_MODE_16, "\x89\x44\x10", 3, "mov    %ax,0x10(%si)"},
	{X86_MODE_16, "\x8b\x44\x10", 3, "mov    0x10(%si),%ax"},
	{X86_MODE_16, "\x88\x54\x10", 3, "mov    %dl,0x10(%si)"},
	{X86_MODE_16, "\x8a\x54\x10", 3, "mov    0x10(%si),%dl"},
	{X86_MODE_16, "\x66\x89\x44\x10", 4, "mov    %eax,0x10(%si)"},
	{X86_MODE_16, "\x66\x8b\x44\x10", 4, "mov    0x10(%si),%eax"},
	{X86_MODE_16, "\xc7\x44\x10\x34\x12", 5, "movw   $0x1234,0x10(%si)"},
	{X86_MODE_16, "\x66\xc7\x44\x10\x78\x56\x34\x12", 8,
	 "movl   $0x12345678,0x10(%si)"},
	{X86_MODE_16, "\x89\x05", 2, "mov    %ax,(%di)"},
	{X86_MODE_16, "\x8b\x05", 2, "mov    (%di),%ax"},
	{X86_MODE_16, "\x88\x15", 2, "mov    %dl,(%di)"},
	{X86_MODE_16, "\x8a\x15", 2, "mov    (%di),%dl"},
	{X86_MODE_16, "\x66\x89\x05", 3, "mov    %eax,(%di)"},
	{X86_MODE_16, "\x66\x8b\x05", 3, "mov    (%di),%eax"},
	{X86_MODE_16, "\xc7\x05\x34\x12", 4, "movw   $0x1234,(%di)"},
	{X86_MODE_16, "\x66\xc7\x05\x78\x56\x34\x12", 7,
	 "movl   $0x12345678,(%di)"},
	{X86_MODE_16, "\xa3\x34\x12", 3, "mov    %ax,0x1234"},
	{X86_MODE_16, "\xa1\x34\x12", 3, "mov    0x1234,%ax"},
	{X86_MODE_16, "\x88\x16\x34\x12", 4, "mov    %dl,0x1234"},
	{X86_MODE_16, "\x8a\x16\x34\x12", 4, "mov    0x1234,%dl"},
	{X86_MODE_16, "\x66\xa3\x34\x12", 4, "mov    %eax,0x1234"},
	{X86_MODE_16, "\x66\xa1\x34\x12", 4, "mov    0x1234,%eax"},
	{X86_MODE_16, "\xc7\x06\x34\x12\x34\x12", 6, "movw   $0x1234,0x1234"},
	{X86_MODE_16, "\x66\xc7\x06\x34\x12\x78\x56\x34\x12", 9,
	 "movl   $0x12345678,0x1234"},
	{X86_MODE_16, "\x89\x46\x12", 3, "mov    %ax,0x12(%bp)"},
	{X86_MODE_16, "\x8b\x46\x12", 3, "mov    0x12(%bp),%ax"},
	{X86_MODE_16, "\x88\x56\x12", 3, "mov    %dl,0x12(%bp)"},
	{X86_MODE_16, "\x8a\x56\x12", 3, "mov    0x12(%bp),%dl"},
	{X86_MODE_16, "\x66\x89\x46\x12", 4, "mov    %eax,0x12(%bp)"},
	{X86_MODE_16, "\x66\x8b\x46\x12", 4, "mov    0x12(%bp),%eax"},
	{X86_MODE_16, "\xc7\x46\x12\x34\x12", 5, "movw   $0x1234,0x12(%bp)"},
	{X86_MODE_16, "\x66\xc7\x46\x12\x78\x56\x34\x12", 8,
	 "movl   $0x12345678,0x12(%bp)"},
	{X86_MODE_16, "\x89\x87\x34\x12", 4, "mov    %ax,0x1234(%bx)"},
	{X86_MODE_16, "\x8b\x87\x34\x12", 4, "mov    0x1234(%bx),%ax"},
	{X86_MODE_16, "\x88\x97\x34\x12", 4, "mov    %dl,0x1234(%bx)"},
	{X86_MODE_16, "\x8a\x97\x34\x12", 4, "mov    0x1234(%bx),%dl"},
	{X86_MODE_16, "\x66\x89\x87\x34\x12", 5, "mov    %eax,0x1234(%bx)"},
	{X86_MODE_16, "\x66\x8b\x87\x34\x12", 5, "mov    0x1234(%bx),%eax"},
	{X86_MODE_16, "\xc7\x87\x34\x12\x34\x12", 6,
	 "movw   $0x1234,0x1234(%bx)"},
	{X86_MODE_16, "\x66\xc7\x87\x34\x12\x78\x56\x34\x12", 9,
	 "movl   $0x12345678,0x1234(%bx)"},
	{X86_MODE_16, "\x67\x89\x00", 3, "mov    %ax,(%eax)"},
	{X86_MODE_16, "\x67\x8b\x00", 3, "mov    (%eax),%ax"},
	{X86_MODE_16, "\x67\x88\x10", 3, "mov    %dl,(%eax)"},
	{X86_MODE_16, "\x67\x8a\x10", 3, "mov    (%eax),%dl"},
	{X86_MODE_16, "\x67\x66\x89\x00", 4, "mov    %eax,(%eax)"},
	{X86_MODE_16, "\x67\x66\x8b\x00", 4, "mov    (%eax),%eax"},
	{X86_MODE_16, "\x67\xc7\x00\x34\x12", 5, "movw   $0x1234,(%eax)"},
	{X86_MODE_16, "\x67\x66\xc7\x00\x78\x56\x34\x12", 8,
	 "movl   $0x12345678,(%eax)"},
	{X86_MODE_16, "\x36\x89\x07", 3, "mov    %ax,%ss:(%bx)"},
	{X86_MODE_16, "\x36\x8b\x07", 3, "mov    %ss:(%bx),%ax"},
	{X86_MODE_16, "\x36\x88\x17", 3, "mov    %dl,%ss:(%bx)"},
	{X86_MODE_16, "\x36\x8a\x17", 3, "mov    %ss:(%bx),%dl"},
	{X86_MODE_16, "\x36\x66\x89\x07", 4, "mov    %eax,%ss:(%bx)"},
	{X86_MODE_16, "\x36\x66\x8b\x07", 4, "mov    %ss:(%bx),%eax"},
	{X86_MODE_16, "\x36\xc7\x07\x34\x12", 5, "movw   $0x1234,%ss:(%bx)"},
	{X86_MODE_16, "\x36\x66\xc7\x07\x78\x56\x34\x12", 8,
	 "movl   $0x12345678,%ss:(%bx)"},
	{X86_MODE_16, "\x0f\x20\xc0", 3, "mov    %cr0,%eax"},
	{X86_MODE_16, "\x0f\x22\xc0", 3, "mov    %eax,%cr0"},
};

/* The project's string.h (which the test sees) has no strstr, strrchr. */
static bool has(const char *s, const char *part)
{
	for (size_t n = strlen(part); *s; s++)
		if (!strncmp(s, part, n))
			return true;
	return false;
}

/* The last comma outside parentheses: before the destination operand. */
static const char *last_comma(const char *s)
{
	const char *last = NULL;
	int depth = 0;

	for (; *s; s++) {
		depth += *s == '(' ? 1 : *s == ')' ? -1 : 0;
		if (*s == ',' && depth == 0)
			last = s;
	}
	return last;
}

/* What objdump's text says the instruction does to memory. */
static enum x86_op expected_op(const char *text, bool *has_mem)
{
	const char *comma = last_comma(text);
	const char *dest = comma ? comma + 1 : "";

	*has_mem = strchr(text, '(') != NULL || has(text, ",0x") ||
		   has(text, " 0x") || has(text, ":0x");
	if (has(text, "%cr")) {
		*has_mem = false;
		return has(dest, "%cr") ? X86_OP_MOV_TO_CR : X86_OP_MOV_FROM_CR;
	}
	if (!strncmp(text, "clts", 4))
		return X86_OP_CLTS;
	if (!strncmp(text, "smsw", 4))
		return X86_OP_SMSW;
	if (!strncmp(text, "lmsw", 4))
		return X86_OP_LMSW;
	if (has(text, "xchg"))
		return X86_OP_XCHG;
	if (!strncmp(text, "movz", 4) || !strncmp(text, "movs", 4))
		return X86_OP_MOV_LOAD;
	/* mov: a store when the destination is memory, %fs:... included. */
	return dest[0] != '%' || strchr(dest, ':') || strchr(dest, '(')
		       ? X86_OP_MOV_STORE
		       : X86_OP_MOV_LOAD;
}

static void every_encoding_decodes_to_its_length(void **state)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct encoding *e = &table[i];
		struct x86_insn in;
		bool has_mem;
		enum x86_op op = expected_op(e->objdump, &has_mem);
		int rc = x86_decode((const u8 *)e->bytes, e->len, e->mode, &in);

		if (rc || in.len != e->len || in.op != op)
			fail_msg(
				"%s (mode %d): rc %d, len %u of %u, op %d not %d",
				e->objdump, e->mode, rc, in.len, e->len, in.op,
				op);
		if (op <= X86_OP_XCHG && in.has_mem != has_mem)
			fail_msg("%s: has_mem %d", e->objdump, in.has_mem);
		if (in.has_mem && in.mem_size != 1 && in.mem_size != 2 &&
		    in.mem_size != 4 && in.mem_size != 8)
			fail_msg("%s: mem_size %u", e->objdump, in.mem_size);
	}
}

/* Each prefix of a valid encoding is -ENODATA, never a wrong success. */
static void every_truncation_asks_for_more(void **state)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct encoding *e = &table[i];
		u8 copy[X86_INSN_MAX];

		memcpy(copy, e->bytes, e->len);
		for (unsigned int n = 0; n < e->len; n++) {
			struct x86_insn in;
			int rc = x86_decode(copy, n, e->mode, &in);

			if (rc != -ENODATA)
				fail_msg("%s cut to %u bytes: rc %d",
					 e->objdump, n, rc);
		}
	}
}

static struct x86_insn decode_ok(const char *bytes, unsigned int len,
				 enum x86_mode mode)
{
	struct x86_insn in;

	assert_int_equal(x86_decode((const u8 *)bytes, len, mode, &in), 0);
	assert_int_equal(in.len, len);
	return in;
}

static void store_fields(void **state)
{
	/* mov %ecx, 0x300(%rbx) */
	struct x86_insn in =
		decode_ok("\x89\x8b\x00\x03\x00\x00", 6, X86_MODE_64);
	u64 gpr[16] = {0};

	assert_int_equal(in.op, X86_OP_MOV_STORE);
	assert_int_equal(in.mem_size, 4);
	assert_int_equal(in.reg, 1);
	assert_int_equal(in.base, 3);
	assert_int_equal(in.index, -1);
	assert_int_equal(in.disp, 0x300);
	assert_int_equal(in.seg, X86_SEG_DS);
	gpr[1] = 0x1122334455667788ULL;
	gpr[3] = 0xfee00000;
	assert_int_equal(x86_insn_store_value(&in, gpr), 0x55667788);
	assert_int_equal(x86_insn_offset(&in, gpr, 0), 0xfee00300);
	/* mov %bh, (%rax): AH..BH without REX */
	in = decode_ok("\x88\x38", 2, X86_MODE_64);
	gpr[3] = 0xabcd;
	assert_true(in.reg_high8);
	assert_int_equal(in.reg, 3);
	assert_int_equal(x86_insn_store_value(&in, gpr), 0xab);
	/* mov %dil, (%rax): REX makes register 7 DIL, not BH */
	in = decode_ok("\x40\x88\x38", 3, X86_MODE_64);
	assert_false(in.reg_high8);
	assert_int_equal(in.reg, 7);
	/* movq $-5, 0x10(%rbp): imm32 sign-extended; SS by the base */
	in = decode_ok("\x48\xc7\x45\x10\xfb\xff\xff\xff", 8, X86_MODE_64);
	assert_int_equal(in.reg, -1);
	assert_int_equal(in.mem_size, 8);
	assert_int_equal(in.imm, (u64)-5);
	assert_int_equal(in.seg, X86_SEG_SS);
	/* movw $0x1234, (%rax) */
	in = decode_ok("\x66\xc7\x00\x34\x12", 5, X86_MODE_64);
	assert_int_equal(in.mem_size, 2);
	assert_int_equal(in.imm, 0x1234);
}

static void load_fields(void **state)
{
	u64 gpr[16];
	struct x86_insn in;

	/* mov 0x20(%rip), %eax: RIP-relative, and a 32-bit write clears */
	in = decode_ok("\x8b\x05\x20\x00\x00\x00", 6, X86_MODE_64);
	assert_true(in.rip_relative);
	memset(gpr, 0, sizeof(gpr));
	assert_int_equal(x86_insn_offset(&in, gpr, 0x1000), 0x1020);
	gpr[0] = ~0ULL;
	x86_insn_write_reg(&in, gpr, 0x12345678);
	assert_int_equal(gpr[0], 0x12345678);
	/* mov (%rax), %ax keeps the rest */
	in = decode_ok("\x66\x8b\x00", 3, X86_MODE_64);
	gpr[0] = 0x1111222233334444ULL;
	x86_insn_write_reg(&in, gpr, 0xabcd);
	assert_int_equal(gpr[0], 0x111122223333abcdULL);
	/* mov (%rax), %ah */
	in = decode_ok("\x8a\x20", 2, X86_MODE_64);
	gpr[0] = 0x1111;
	x86_insn_write_reg(&in, gpr, 0x7f);
	assert_int_equal(gpr[0], 0x7f11);
	/* movsbq (%rax), %rdx */
	in = decode_ok("\x48\x0f\xbe\x10", 4, X86_MODE_64);
	assert_true(in.sign_extend);
	assert_int_equal(in.mem_size, 1);
	assert_int_equal(in.reg_size, 8);
	x86_insn_write_reg(&in, gpr, 0x80);
	assert_int_equal(gpr[2], 0xffffffffffffff80ULL);
	/* movzwl (%rax), %r9d */
	in = decode_ok("\x44\x0f\xb7\x08", 4, X86_MODE_64);
	gpr[9] = ~0ULL;
	x86_insn_write_reg(&in, gpr, 0xffff);
	assert_int_equal(gpr[9], 0xffff);
	/* movslq (%rax), %r10 */
	in = decode_ok("\x4c\x63\x10", 3, X86_MODE_64);
	x86_insn_write_reg(&in, gpr, 0x80000000);
	assert_int_equal(gpr[10], 0xffffffff80000000ULL);
	/* movabs 0x1122334455667788, %rax: an 8-byte moffs */
	in = decode_ok("\x48\xa1\x88\x77\x66\x55\x44\x33\x22\x11", 10,
		       X86_MODE_64);
	assert_int_equal(in.disp, 0x1122334455667788LL);
	assert_int_equal(in.mem_size, 8);
}

static void sib_and_16_bit_addresses(void **state)
{
	u64 gpr[16] = {0};
	struct x86_insn in;

	/* mov %eax, 0x20(%rbx,%rsi,8) */
	in = decode_ok("\x89\x44\xf3\x20", 4, X86_MODE_64);
	gpr[3] = 0x1000;
	gpr[6] = 3;
	assert_int_equal(x86_insn_offset(&in, gpr, 0), 0x1000 + 24 + 0x20);
	/* mov %eax, 0x300(,%rdx,2): no base, disp32 */
	in = decode_ok("\x89\x04\x55\x00\x03\x00\x00", 7, X86_MODE_64);
	assert_int_equal(in.base, -1);
	assert_int_equal(in.index, 2);
	assert_int_equal(in.scale, 2);
	/* 16-bit: mov %ax, 0x12(%bp): SS, bp + disp8 */
	in = decode_ok("\x89\x46\x12", 3, X86_MODE_16);
	assert_int_equal(in.addr_size, 2);
	assert_int_equal(in.mem_size, 2);
	assert_int_equal(in.seg, X86_SEG_SS);
	gpr[5] = 0xfff0;
	assert_int_equal(x86_insn_offset(&in, gpr, 0), 0x0002); /* wraps */
	/* 16-bit: mov 0x1234, %ax is disp16 alone (rm 6, mod 0) */
	in = decode_ok("\x8b\x06\x34\x12", 4, X86_MODE_16);
	assert_int_equal(in.base, -1);
	assert_int_equal(in.disp, 0x1234);
	/* %fs override in 64-bit mode counts; %es does not */
	in = decode_ok("\x64\x89\x00", 3, X86_MODE_64);
	assert_int_equal(in.seg, X86_SEG_FS);
	in = decode_ok("\x26\x89\x00", 3, X86_MODE_64);
	assert_int_equal(in.seg, X86_SEG_DS);
	in = decode_ok("\x26\x89\x00", 3, X86_MODE_32);
	assert_int_equal(in.seg, X86_SEG_ES);
}

static void control_registers(void **state)
{
	struct x86_insn in;

	/* mov %r9, %cr4 */
	in = decode_ok("\x41\x0f\x22\xe1", 4, X86_MODE_64);
	assert_int_equal(in.op, X86_OP_MOV_TO_CR);
	assert_int_equal(in.cr, 4);
	assert_int_equal(in.reg, 9);
	/* mov %rax, %cr8 (REX.R) */
	in = decode_ok("\x44\x0f\x22\xc0", 4, X86_MODE_64);
	assert_int_equal(in.cr, 8);
	/* AMD: lock mov %eax, %cr0 is CR8, in 32-bit mode too */
	in = decode_ok("\xf0\x0f\x22\xc0", 4, X86_MODE_32);
	assert_int_equal(in.cr, 8);
	assert_int_equal(in.reg_size, 4);
	/* the mod field is ignored: 0f 22 20 is mov %eax, %cr4 */
	in = decode_ok("\x0f\x22\x20", 3, X86_MODE_32);
	assert_int_equal(in.cr, 4);
	assert_int_equal(in.reg, 0);
}

static void refusals(void **state)
{
	struct x86_insn in;
	u8 many[20];

	/* CR1, CR5: #UD */
	assert_int_equal(
		x86_decode((const u8 *)"\x0f\x22\xc8", 3, X86_MODE_64, &in),
		-EINVAL);
	/* LOCK on a MOV */
	assert_int_equal(
		x86_decode((const u8 *)"\xf0\x89\x00", 3, X86_MODE_64, &in),
		-EINVAL);
	/* LOCK on a register XCHG */
	assert_int_equal(
		x86_decode((const u8 *)"\xf0\x87\xc0", 3, X86_MODE_64, &in),
		-EINVAL);
	/* 15 prefixes and an opcode: 16 bytes */
	memset(many, 0x66, sizeof(many));
	many[15] = 0x89;
	many[16] = 0x00;
	assert_int_equal(x86_decode(many, sizeof(many), X86_MODE_64, &in),
			 -EINVAL);
	/* 14 prefixes, opcode, ModRM: exactly 16, still too long */
	many[14] = 0x89;
	many[15] = 0x00;
	assert_int_equal(x86_decode(many, 16, X86_MODE_64, &in), -EINVAL);
	/* Valid but not ours: ADD, MOVS, CPUID, C7 /1, XSETBV */
	assert_int_equal(
		x86_decode((const u8 *)"\x01\x00", 2, X86_MODE_64, &in),
		-EOPNOTSUPP);
	assert_int_equal(x86_decode((const u8 *)"\xa5", 1, X86_MODE_64, &in),
			 -EOPNOTSUPP);
	assert_int_equal(
		x86_decode((const u8 *)"\x0f\xa2", 2, X86_MODE_64, &in),
		-EOPNOTSUPP);
	assert_int_equal(x86_decode((const u8 *)"\xc7\x08\x00\x00\x00\x00", 6,
				    X86_MODE_64, &in),
			 -EOPNOTSUPP);
	assert_int_equal(
		x86_decode((const u8 *)"\x0f\x01\xd1", 3, X86_MODE_64, &in),
		-EOPNOTSUPP);
	/* 63 is ARPL outside 64-bit mode */
	assert_int_equal(
		x86_decode((const u8 *)"\x63\x00", 2, X86_MODE_32, &in),
		-EOPNOTSUPP);
	/* A REX before a legacy prefix is ignored: 48 66 89 00 is a 16-bit store */
	in = decode_ok("\x48\x66\x89\x00", 4, X86_MODE_64);
	assert_int_equal(in.mem_size, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_encoding_decodes_to_its_length),
		cmocka_unit_test(every_truncation_asks_for_more),
		cmocka_unit_test(store_fields),
		cmocka_unit_test(load_fields),
		cmocka_unit_test(sib_and_16_bit_addresses),
		cmocka_unit_test(control_registers),
		cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
