/* Port I/O (SDM Vol. 1, 19.4). Safe from any context. */
#ifndef ASM_X86_IO_H
#define ASM_X86_IO_H

#include <types.h>

static inline void outb(u16 port, u8 val)
{
	__asm__ __volatile__("outb %0, %1" ::"a"(val), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 val;

	__asm__ __volatile__("inb %1, %0" : "=a"(val) : "Nd"(port));
	return val;
}

static inline void outw(u16 port, u16 val)
{
	__asm__ __volatile__("outw %0, %1" ::"a"(val), "Nd"(port));
}

static inline void outl(u16 port, u32 val)
{
	__asm__ __volatile__("outl %0, %1" ::"a"(val), "Nd"(port));
}

static inline u32 inl(u16 port)
{
	u32 val;

	__asm__ __volatile__("inl %1, %0" : "=a"(val) : "Nd"(port));
	return val;
}

#endif /* ASM_X86_IO_H */
