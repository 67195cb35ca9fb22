/*
 * The smallest guest image: a static ELF64 whose entry point spins. Its
 * use today is as a valid image for the boot-time module check
 * (docs/guest-images.md); it becomes a real guest once domains exist.
 */
void _start(void) __attribute__((noreturn));

void _start(void)
{
	for (;;)
		__asm__ __volatile__("pause");
}
