#include "console.h"
#include "exit.h"

void machine_exit(bool pass)
{
	console_flush();
	outb(DEBUG_EXIT_PORT, pass ? DEBUG_EXIT_PASS : DEBUG_EXIT_FAIL);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}
