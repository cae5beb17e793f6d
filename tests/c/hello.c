/* The first user program: one write(2) to standard output, then exit status 0. */
#include <unistd.h>

int main(void)
{
	static const char line[] = "hello from user space\n";
	return write(1, line, sizeof line - 1) == (ssize_t)(sizeof line - 1) ? 0 : 1;
}
