/* Signals and process calls: siginfo and ucontext as Linux lays them out, fault signals caught
 * by handlers, the alternate signal stack, waitid, vfork, the wall clock and prctl. Each check
 * prints PASS or FAIL. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"

/* ---- siginfo and ucontext ---- */

static volatile int got_signo, got_code, mask_had_usr2, mask_had_usr1;

static void info_handler(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = ucv;
	got_signo = info->si_signo;
	got_code = info->si_code;
	mask_had_usr2 = sigismember(&uc->uc_sigmask, SIGUSR2);
	mask_had_usr1 = sigismember(&uc->uc_sigmask, SIGUSR1);
	(void)sig;
}

static void test_siginfo(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = info_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &old);
	kill(getpid(), SIGUSR1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	check("a SA_SIGINFO handler gets si_signo and SI_USER", got_signo == SIGUSR1 && got_code == SI_USER);
	check("uc_sigmask holds the mask of the interrupted code", mask_had_usr2 == 1 && mask_had_usr1 == 0);
	sigset_t now;
	sigprocmask(SIG_SETMASK, NULL, &now);
	check("the mask is restored after the handler", !sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2));
}

/* ---- fault signals ---- */

static sigjmp_buf recover;
static void *fault_addr;
static int fault_code, fault_sig;

static void fault_handler(int sig, siginfo_t *info, void *uc)
{
	(void)uc;
	fault_sig = sig;
	fault_addr = info->si_addr;
	fault_code = info->si_code;
	siglongjmp(recover, 1);
}

static void test_faults(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);

	/* A volatile pointer, so the compiler cannot see (and warn) that it is bogus. */
	static int *volatile bad = (int *)64;
	if (sigsetjmp(recover, 1) == 0) {
		*bad = 1;
		check("a write to an unmapped address raises SIGSEGV", 0);
	} else {
		check("SIGSEGV from an unmapped address has SEGV_MAPERR and si_addr",
		      fault_sig == SIGSEGV && fault_code == SEGV_MAPERR && fault_addr == (void *)64);
	}

	char *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sigsetjmp(recover, 1) == 0) {
		page[8] = 1;
		check("a write to a read-only page raises SIGSEGV", 0);
	} else {
		check("SIGSEGV from a read-only page has SEGV_ACCERR", fault_code == SEGV_ACCERR && fault_addr == page + 8);
	}
	munmap(page, 4096);
	signal(SIGSEGV, SIG_DFL);
}

/* ---- alternate signal stack ---- */

static char *alt_base;
static volatile int on_alt, reported_onstack;

static void alt_handler(int sig)
{
	char local;
	stack_t cur;
	(void)sig;
	on_alt = &local >= alt_base && &local < alt_base + SIGSTKSZ * 4;
	sigaltstack(NULL, &cur);
	reported_onstack = (cur.ss_flags & SS_ONSTACK) != 0;
}

static void test_sigaltstack(void)
{
	stack_t ss, old;
	alt_base = malloc(SIGSTKSZ * 4);
	ss.ss_sp = alt_base;
	ss.ss_size = 1024;
	ss.ss_flags = 0;
	errno = 0;
	check("sigaltstack with a too small stack fails with ENOMEM", sigaltstack(&ss, NULL) == -1 && errno == ENOMEM);
	ss.ss_size = SIGSTKSZ * 4;
	ss.ss_flags = 12345;
	errno = 0;
	check("sigaltstack with bad flags fails with EINVAL", sigaltstack(&ss, NULL) == -1 && errno == EINVAL);
	ss.ss_flags = 0;
	check("sigaltstack installs a stack", sigaltstack(&ss, &old) == 0 && (old.ss_flags & SS_DISABLE));

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = alt_handler;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	check("a SA_ONSTACK handler runs on the alternate stack and sees SS_ONSTACK", on_alt && reported_onstack);
	stack_t now;
	sigaltstack(NULL, &now);
	check("after the handler the thread is off the alternate stack",
	      !(now.ss_flags & SS_ONSTACK) && now.ss_sp == alt_base);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
}

/* ---- waitid, vfork ---- */

static void test_waitid(void)
{
	pid_t child = fork();
	if (child == 0)
		_exit(7);
	siginfo_t info;
	memset(&info, 0, sizeof info);
	int r = waitid(P_PID, child, &info, WEXITED | WNOWAIT);
	check("waitid reports an exited child (CLD_EXITED, its pid and status)",
	      r == 0 && info.si_signo == SIGCHLD && info.si_code == CLD_EXITED && info.si_pid == child &&
		      info.si_status == 7);
	int status = 0;
	check("WNOWAIT leaves the child waitable", waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 7);
	errno = 0;
	check("waitid without WEXITED/WSTOPPED/WCONTINUED fails with EINVAL",
	      waitid(P_ALL, 0, &info, 0) == -1 && errno == EINVAL);
	errno = 0;
	check("waitid for a pid that is not a child fails with ECHILD",
	      waitid(P_PID, 1, &info, WEXITED) == -1 && errno == ECHILD);

	child = fork();
	if (child == 0) {
		kill(getpid(), SIGTERM);
		pause();
	}
	memset(&info, 0, sizeof info);
	r = waitid(P_ALL, 0, &info, WEXITED);
	check("waitid reports a killed child with CLD_KILLED and the signal",
	      r == 0 && info.si_code == CLD_KILLED && info.si_status == SIGTERM && info.si_pid == child);
}

static void test_vfork(void)
{
	static volatile int shared;
	shared = 0;
	pid_t child = vfork();
	if (child == 0) {
		shared = 42;
		_exit(5);
	}
	int status = 0;
	waitpid(child, &status, 0);
	check("a vfork child shares memory and the parent waits for it",
	      shared == 42 && WIFEXITED(status) && WEXITSTATUS(status) == 5);
}

/* ---- clocks, prctl ---- */

static void test_clock_prctl(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	check("CLOCK_REALTIME is wall-clock time (after 2023)", ts.tv_sec > 1700000000);
	check("time(2) agrees with CLOCK_REALTIME", labs((long)time(NULL) - (long)ts.tv_sec) <= 2);
	errno = 0;
	check("clock_gettime with a bad clock fails with EINVAL", clock_gettime(12345, &ts) == -1 && errno == EINVAL);

	char name[16] = {0};
	prctl(PR_SET_NAME, "renamed-task-with-long-name");
	prctl(PR_GET_NAME, name);
	check("PR_SET_NAME keeps 15 bytes and PR_GET_NAME returns them", strcmp(name, "renamed-task-wi") == 0);
	/* As process 1 (init=/tests/signals) nobody mounted /proc yet. */
	struct stat st;
	if (stat("/proc/self", &st) != 0)
		mount("proc", "/proc", "proc", 0, NULL);
	FILE *f = fopen("/proc/self/stat", "r");
	char line[256] = {0};
	if (f) {
		fgets(line, sizeof line, f);
		fclose(f);
	}
	check("/proc/self/stat shows the new name", strstr(line, "(renamed-task-wi)") != NULL);
	errno = 0;
	check("an unknown prctl option fails with EINVAL", prctl(-1, 0, 0, 0, 0) == -1 && errno == EINVAL);
}

int main(void)
{
	test_siginfo();
	test_faults();
	test_sigaltstack();
	test_waitid();
	test_vfork();
	test_clock_prctl();
	return done();
}
