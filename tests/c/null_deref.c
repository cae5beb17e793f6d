/* Dereferences NULL: the kernel must kill it with SIGSEGV, and the shell must go on. */
#include <stdio.h>

int main(void)
{
	volatile int *p = 0;
	printf("about to dereference NULL\n");
	fflush(stdout);
	return *p;
}
