/* Memory calls: anonymous private and shared mappings across fork, madvise, mprotect and
 * their error cases. Each check prints PASS or FAIL. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096

static void test_fork_sharing(void)
{
	int *private = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	*private = 1;
	*shared = 1;
	pid_t child = fork();
	if (child == 0) {
		*private = 2;
		*shared = 2;
		_exit(0);
	}
	waitpid(child, NULL, 0);
	check("a child's write to a private mapping stays in the child", *private == 1);

	/* The other direction: the parent writes after fork (its cached translations must have
	 * become copy-on-write too), the child must still see the old value. */
	int order[2];
	pipe(order);
	child = fork();
	if (child == 0) {
		char go;
		read(order[0], &go, 1);
		_exit(*private == 1 ? 0 : 1);
	}
	*private = 3;
	write(order[1], "g", 1);
	int status = 1;
	waitpid(child, &status, 0);
	check("a parent's write after fork stays in the parent", WIFEXITED(status) && WEXITSTATUS(status) == 0 && *private == 3);
	close(order[0]);
	close(order[1]);
	check("a child's write to a shared mapping reaches the parent", *shared == 2);
	munmap(private, PAGE);
	munmap(shared, PAGE);
}

static void test_madvise(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 0x5a, 4 * PAGE);
	check("MADV_DONTNEED succeeds on a private mapping", madvise(p + PAGE, 2 * PAGE, MADV_DONTNEED) == 0);
	check("MADV_DONTNEED pages read back as zeros, the others keep their data",
	      p[PAGE] == 0 && p[3 * PAGE - 1] == 0 && p[0] == 0x5a && p[3 * PAGE] == 0x5a);
	p[PAGE] = 7;
	check("a dropped page is writable again", p[PAGE] == 7);

	/* After fork the pages are copy-on-write; dropping them in the child must not touch the
	 * parent's. */
	pid_t child = fork();
	if (child == 0) {
		madvise(p, PAGE, MADV_DONTNEED);
		_exit(p[0] == 0 ? 0 : 1);
	}
	int status = 0;
	waitpid(child, &status, 0);
	check("MADV_DONTNEED in a child zeroes its copy only", WIFEXITED(status) && WEXITSTATUS(status) == 0 && p[0] == 0x5a);

	int *s = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	*s = 99;
	madvise(s, PAGE, MADV_DONTNEED);
	check("MADV_DONTNEED keeps shared anonymous contents", *s == 99);
	munmap(s, PAGE);

	check("MADV_NORMAL and MADV_WILLNEED are accepted",
	      madvise(p, PAGE, MADV_NORMAL) == 0 && madvise(p, PAGE, MADV_WILLNEED) == 0);
	errno = 0;
	check("madvise on an unaligned address fails with EINVAL", madvise(p + 1, PAGE, MADV_DONTNEED) == -1 && errno == EINVAL);
	errno = 0;
	check("madvise with an unknown advice fails with EINVAL", madvise(p, PAGE, 12345) == -1 && errno == EINVAL);
	munmap(p + 2 * PAGE, 2 * PAGE);
	errno = 0;
	check("madvise over an unmapped hole fails with ENOMEM",
	      madvise(p, 4 * PAGE, MADV_WILLNEED) == -1 && errno == ENOMEM);
	munmap(p, 2 * PAGE);
}

static void test_mmap_errors(void)
{
	errno = 0;
	check("mmap of length 0 fails with EINVAL",
	      mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
	errno = 0;
	check("mmap without MAP_PRIVATE or MAP_SHARED fails with EINVAL",
	      mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
	errno = 0;
	check("mmap of a bad fd fails with EBADF", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED && errno == EBADF);
	errno = 0;
	check("mmap with an unaligned offset fails with EINVAL",
	      mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 100) == MAP_FAILED && errno == EINVAL);
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	errno = 0;
	check("MAP_FIXED_NOREPLACE over a mapping fails with EEXIST",
	      mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED &&
		      errno == EEXIST);
	errno = 0;
	/* The raw call: musl's mprotect() rounds the address down itself. */
	check("mprotect on an unaligned address fails with EINVAL",
	      syscall(SYS_mprotect, p + 1, PAGE, PROT_READ) == -1 && errno == EINVAL);
	check("munmap twice succeeds (nothing left is fine)", munmap(p, PAGE) == 0 && munmap(p, PAGE) == 0);
	errno = 0;
	check("munmap on an unaligned address fails with EINVAL", munmap(p + 1, PAGE) == -1 && errno == EINVAL);
}

int main(void)
{
	test_fork_sharing();
	test_madvise();
	test_mmap_errors();
	return done();
}
