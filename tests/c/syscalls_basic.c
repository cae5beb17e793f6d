/*
 * Basic system calls a kernel needs for its first user programs.
 *
 * Output, one line per check, written with write(2) (no stdio buffering, so a crash loses
 * nothing already checked):
 *   PASS name
 *   FAIL name: details
 * and a last line
 *   DONE n passed, m failed
 * Exit status 0 when every check passed, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static int passed, failed;

static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	(void)!write(1, buf, n);
}

static void pass(const char *name)
{
	passed++;
	say("PASS %s", name);
}

static void fail(const char *name, const char *fmt, ...)
{
	char why[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	failed++;
	say("FAIL %s: %s", name, why);
}

static void test_getpid(void)
{
	pid_t pid = getpid();
	if (pid > 0)
		pass("getpid");
	else
		fail("getpid", "getpid() = %d", (int)pid);
}

static void test_uname(void)
{
	struct utsname u;
	memset(&u, 0, sizeof u);
	if (uname(&u) != 0)
		fail("uname", "uname() failed: errno %d", errno);
	else if (strcmp(u.sysname, "Linux") != 0)
		fail("uname", "sysname is \"%s\", expected \"Linux\"", u.sysname);
	else if (u.machine[0] == 0 || u.release[0] == 0)
		fail("uname", "empty machine or release");
	else
		pass("uname");
}

/* Raw brk: musl's brk() and sbrk(n) refuse to work, so go through syscall(2). */
static void test_brk(void)
{
	uintptr_t start = (uintptr_t)syscall(SYS_brk, 0);
	if (start == 0 || start == (uintptr_t)-1) {
		fail("brk", "brk(0) = %#lx", (unsigned long)start);
		return;
	}
	uintptr_t want = start + 64 * 1024;
	uintptr_t got = (uintptr_t)syscall(SYS_brk, want);
	if (got != want) {
		fail("brk", "brk(%#lx) = %#lx", (unsigned long)want, (unsigned long)got);
		return;
	}
	volatile unsigned char *p = (volatile unsigned char *)start;
	for (uintptr_t i = 0; i < want - start; i += 4096)
		p[i] = (unsigned char)(i >> 12);
	p[want - start - 1] = 0xa5;
	for (uintptr_t i = 0; i < want - start; i += 4096) {
		if (p[i] != (unsigned char)(i >> 12)) {
			fail("brk", "readback mismatch at offset %#lx", (unsigned long)i);
			return;
		}
	}
	if (p[want - start - 1] != 0xa5) {
		fail("brk", "readback mismatch at the last byte");
		return;
	}
	uintptr_t back = (uintptr_t)syscall(SYS_brk, start);
	if (back != start) {
		fail("brk", "shrinking: brk(%#lx) = %#lx", (unsigned long)start, (unsigned long)back);
		return;
	}
	pass("brk");
}

static void test_mmap(void)
{
	size_t len = 4 * 4096;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fail("mmap_anonymous", "mmap failed: errno %d", errno);
		return;
	}
	if ((uintptr_t)p % 4096 != 0) {
		fail("mmap_anonymous", "address %p not page-aligned", (void *)p);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (p[i] != 0) {
			fail("mmap_anonymous", "byte %zu is %d, not zero", i, p[i]);
			return;
		}
	}
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7);
	for (size_t i = 0; i < len; i++) {
		if (p[i] != (unsigned char)(i * 7)) {
			fail("mmap_anonymous", "readback mismatch at %zu", i);
			return;
		}
	}
	pass("mmap_anonymous");
	if (munmap(p, len) != 0)
		fail("munmap", "munmap failed: errno %d", errno);
	else
		pass("munmap");
}

static void test_mprotect(void)
{
	size_t len = 2 * 4096;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fail("mprotect", "mmap failed: errno %d", errno);
		return;
	}
	p[0] = 42;
	p[4096] = 43;
	if (mprotect(p, len, PROT_READ) != 0) {
		fail("mprotect", "mprotect(PROT_READ) failed: errno %d", errno);
	} else if (p[0] != 42 || p[4096] != 43) {
		fail("mprotect", "contents changed after mprotect(PROT_READ)");
	} else if (mprotect(p, len, PROT_READ | PROT_WRITE) != 0) {
		fail("mprotect", "mprotect(PROT_READ|PROT_WRITE) failed: errno %d", errno);
	} else {
		p[1] = 44;
		if (p[0] != 42 || p[1] != 44)
			fail("mprotect", "readback after making writable again");
		/* Raw syscall: musl's mprotect() rounds the address down itself. */
		else if (syscall(SYS_mprotect, p + 1, 4096, PROT_READ) != -1 || errno != EINVAL)
			fail("mprotect", "unaligned address: expected -1, EINVAL");
		else
			pass("mprotect");
	}
	munmap(p, len);
}

static void expect_efault(const char *name, const void *bad)
{
	errno = 0;
	ssize_t r = write(1, bad, 16);
	if (r == -1 && errno == EFAULT)
		pass(name);
	else
		fail(name, "write(1, %p, 16) = %zd, errno %d; expected -1, EFAULT (%d)", bad, r,
		     errno, EFAULT);
}

static void test_bad_pointers(void)
{
	expect_efault("write_bad_pointer", (const void *)16);
	/* The kernel's half of the address space is never user memory. */
	expect_efault("write_kernel_pointer", (const void *)(uintptr_t)0xffffffff80000000ull);
}

static void test_close_bad_fd(void)
{
	errno = 0;
	int r = close(-1);
	if (r == -1 && errno == EBADF)
		pass("close_bad_fd");
	else
		fail("close_bad_fd", "close(-1) = %d, errno %d; expected -1, EBADF (%d)", r, errno,
		     EBADF);
}

int main(void)
{
	test_getpid();
	test_uname();
	test_brk();
	test_mmap();
	test_mprotect();
	test_bad_pointers();
	test_close_bad_fd();
	say("DONE %d passed, %d failed", passed, failed);
	return failed == 0 ? 0 : 1;
}
