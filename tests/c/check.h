/* The PASS/FAIL reporting every C test shares: one line per check, which `cargo xtask test`
 * counts, and a closing `DONE n passed, m failed` line. A failed check prints errno, which
 * the checks of system calls leave set. */
#ifndef CHECK_H
#define CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;

static void check(const char *name, int ok)
{
	if (ok) {
		printf("PASS %s\n", name);
		passed++;
	} else {
		printf("FAIL %s: errno %d (%s)\n", name, errno, strerror(errno));
		failed++;
	}
	fflush(stdout);
}

/* Prints the DONE line; the exit status for main. */
static int done(void)
{
	printf("DONE %d passed, %d failed\n", passed, failed);
	return failed != 0;
}

#endif
