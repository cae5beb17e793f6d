/* Scheduling attributes: affinity, policies and real-time priorities, nice values, and their
 * error cases. Each check prints PASS or FAIL. Runs as root (as init does). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static void test_affinity(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	check("sched_getaffinity includes CPU 0", sched_getaffinity(0, sizeof set, &set) == 0 && CPU_ISSET(0, &set));
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	check("the affinity mask counts the online CPUs", CPU_COUNT(&set) == online && online >= 1);
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	check("sched_setaffinity to CPU 0 sticks", sched_setaffinity(0, sizeof one, &one) == 0 &&
							 sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) == 1 &&
							 CPU_ISSET(0, &set));
	check("getcpu reports CPU 0 after sched_setaffinity to CPU 0", sched_getcpu() == 0);
	if (online > 1) {
		cpu_set_t last;
		CPU_ZERO(&last);
		CPU_SET(online - 1, &last);
		check("sched_setaffinity to the last CPU moves the caller there",
		      sched_setaffinity(0, sizeof last, &last) == 0 && sched_getcpu() == online - 1);
	}
	sched_setaffinity(0, sizeof set, &set);
	cpu_set_t none;
	CPU_ZERO(&none);
	errno = 0;
	check("sched_setaffinity to no CPU fails with EINVAL", sched_setaffinity(0, sizeof none, &none) == -1 && errno == EINVAL);
	unsigned long small;
	errno = 0;
	check("sched_getaffinity into 4 bytes fails with EINVAL",
	      syscall(SYS_sched_getaffinity, 0, 4, &small) == -1 && errno == EINVAL);
	errno = 0;
	check("sched_getaffinity of a missing pid fails with ESRCH",
	      sched_getaffinity(99999, sizeof set, &set) == -1 && errno == ESRCH);
}

static void test_policies(void)
{
	struct sched_param p = {.sched_priority = 10};
	check("SCHED_FIFO priority 10 is accepted", syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &p) == 0);
	check("sched_getscheduler reports SCHED_FIFO", syscall(SYS_sched_getscheduler, 0) == SCHED_FIFO);
	struct sched_param got = {0};
	check("sched_getparam reports priority 10", syscall(SYS_sched_getparam, 0, &got) == 0 && got.sched_priority == 10);
	p.sched_priority = 20;
	check("sched_setparam changes the priority",
	      syscall(SYS_sched_setparam, 0, &p) == 0 && syscall(SYS_sched_getparam, 0, &got) == 0 &&
		      got.sched_priority == 20);
	p.sched_priority = 5;
	syscall(SYS_sched_setscheduler, 0, SCHED_RR, &p);
	struct timespec slice = {0, 0};
	check("SCHED_RR has a positive time slice",
	      syscall(SYS_sched_rr_get_interval, 0, &slice) == 0 && (slice.tv_sec > 0 || slice.tv_nsec > 0));
	p.sched_priority = 100;
	errno = 0;
	check("SCHED_FIFO priority 100 fails with EINVAL",
	      syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &p) == -1 && errno == EINVAL);
	p.sched_priority = 5;
	errno = 0;
	check("SCHED_OTHER with priority 5 fails with EINVAL",
	      syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &p) == -1 && errno == EINVAL);
	p.sched_priority = 0;
	errno = 0;
	check("an unknown policy fails with EINVAL", syscall(SYS_sched_setscheduler, 0, 42, &p) == -1 && errno == EINVAL);
	check("back to SCHED_OTHER", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &p) == 0 &&
					     syscall(SYS_sched_getscheduler, 0) == SCHED_OTHER);
	errno = 0;
	check("sched_getscheduler(-1) fails with EINVAL", syscall(SYS_sched_getscheduler, -1) == -1 && errno == EINVAL);
	errno = 0;
	check("sched_getscheduler of a missing pid fails with ESRCH",
	      syscall(SYS_sched_getscheduler, 99999) == -1 && errno == ESRCH);
	check("priority ranges: FIFO 1..99, OTHER 0..0",
	      sched_get_priority_max(SCHED_FIFO) == 99 && sched_get_priority_min(SCHED_FIFO) == 1 &&
		      sched_get_priority_max(SCHED_OTHER) == 0 && sched_get_priority_min(SCHED_RR) == 1);
	errno = 0;
	check("sched_get_priority_max of an unknown policy fails with EINVAL", sched_get_priority_max(42) == -1 && errno == EINVAL);
}

static void test_nice(void)
{
	check("setpriority to nice 5", setpriority(PRIO_PROCESS, 0, 5) == 0);
	errno = 0;
	check("getpriority reads nice 5", getpriority(PRIO_PROCESS, 0) == 5 && errno == 0);
	setpriority(PRIO_PROCESS, 0, 100);
	check("nice values clamp at 19", getpriority(PRIO_PROCESS, 0) == 19);
	setpriority(PRIO_PROCESS, 0, 3);
	pid_t child = fork();
	if (child == 0)
		_exit(getpriority(PRIO_PROCESS, 0) == 3 ? 0 : 1);
	int status = 1;
	waitpid(child, &status, 0);
	check("a child inherits its parent's nice value", WIFEXITED(status) && WEXITSTATUS(status) == 0);
	errno = 0;
	check("getpriority with a bad `which` fails with EINVAL", getpriority(7, 0) == -1 && errno == EINVAL);
	errno = 0;
	check("setpriority of a missing pid fails with ESRCH", setpriority(PRIO_PROCESS, 99999, 1) == -1 && errno == ESRCH);
	setpriority(PRIO_PROCESS, 0, 0);
	check("sched_yield succeeds", sched_yield() == 0);
}

/* Runs `rounds` system calls (sched_yield and getppid in turn) with a value kept in a vector
 * register across each, which the Linux ABI preserves; returns how many came back changed. */
static int fpu_register_changes(unsigned long long tag, int rounds)
{
	int changed = 0;
	for (int i = 0; i < rounds; i++) {
		unsigned long long in = tag ^ (unsigned long long)i, out;
		long nr = i % 2 ? SYS_getppid : SYS_sched_yield;
#if defined(__x86_64__)
		__asm__ volatile("movq %2, %%xmm7\n\tsyscall\n\tmovq %%xmm7, %1"
				 : "+a"(nr), "=r"(out)
				 : "r"(in)
				 : "rcx", "r11", "xmm7", "memory");
#elif defined(__riscv)
		register long a7 __asm__("a7") = nr;
		register long a0 __asm__("a0");
		__asm__ volatile("fmv.d.x ft0, %3\n\tecall\n\tfmv.x.d %1, ft0"
				 : "=r"(a0), "=r"(out), "+r"(a7)
				 : "r"(in)
				 : "ft0", "memory");
		(void)a0;
#endif
		changed += out != in;
	}
	return changed;
}

static void test_fpu_state(void)
{
	/* Two processes on one CPU switch at every sched_yield: each must find its own value. */
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof one, &one);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fpu_register_changes(0x1111222233334444ull, 4000) != 0);
	int mine = fpu_register_changes(0x5555666677778888ull, 4000);
	int status = 0;
	waitpid(pid, &status, 0);
	check("vector registers survive system calls and switches (parent)", mine == 0);
	check("vector registers survive system calls and switches (child)",
	      WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	test_affinity();
	test_policies();
	test_nice();
	test_fpu_state();
	return done();
}
