/*
 * The smallest guest image: a static ELF64 whose entry point spins, with
 * no runtime, no hypercall and no way to end (docs/guest-images.md lists
 * what an image needs; guests/lib is what a useful guest links).
 */
void _start(void) __attribute__((noreturn));

void _start(void)
{
	for (;;)
		__asm__ __volatile__("pause");
}
