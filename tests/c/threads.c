/* Threads and futexes: pthreads (create/join, mutex, condition variable, barrier, thread-local
 * storage, pthread_exit, detached threads), fork from a threaded process, and futex(2) edge
 * cases through the raw system call. Each check prints PASS or FAIL. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The futex(2) ABI (include/uapi/linux/futex.h); musl ships no kernel headers. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_OP_PRIVATE (FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_OP_ADD 1
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP(op, oparg, cmp, cmparg) \
	((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

#include "check.h"

static long futex(volatile int *uaddr, int op, int val, const struct timespec *timeout, volatile int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

/* ---- create, join, return values, ids ---- */

static void *return_arg_plus_one(void *arg)
{
	return (void *)((intptr_t)arg + 1);
}

static pid_t thread_tid, thread_pid;

static void *record_ids(void *arg)
{
	(void)arg;
	thread_tid = (pid_t)syscall(SYS_gettid);
	thread_pid = getpid();
	return NULL;
}

static void test_create_join(void)
{
	pthread_t t[8];
	int ok = 1;
	for (intptr_t i = 0; i < 8; i++)
		ok &= pthread_create(&t[i], NULL, return_arg_plus_one, (void *)i) == 0;
	for (intptr_t i = 0; i < 8; i++) {
		void *ret = NULL;
		ok &= pthread_join(t[i], &ret) == 0 && (intptr_t)ret == i + 1;
	}
	check("pthread_create and pthread_join of 8 threads return their values", ok);

	pthread_t one;
	ok = pthread_create(&one, NULL, record_ids, NULL) == 0 && pthread_join(one, NULL) == 0;
	check("a thread shares the process id and has its own thread id",
	      ok && thread_pid == getpid() && thread_tid != getpid() && thread_tid > 0);
}

/* ---- mutex ---- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add_many(void *arg)
{
	long n = (long)(intptr_t)arg;
	for (long i = 0; i < n; i++) {
		pthread_mutex_lock(&lock);
		long v = counter;
		if ((i & 63) == 0)
			sched_yield();
		counter = v + 1;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void test_mutex(void)
{
	pthread_t t[4];
	counter = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, add_many, (void *)(intptr_t)20000);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	check("a mutex serialises 4 threads (80000 increments)", counter == 80000);
}

/* ---- condition variable: a bounded queue ---- */

#define QUEUE 4
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;
static int queue[QUEUE], qhead, qlen;

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= 1000; i++) {
		pthread_mutex_lock(&qlock);
		while (qlen == QUEUE)
			pthread_cond_wait(&not_full, &qlock);
		queue[(qhead + qlen++) % QUEUE] = i;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&qlock);
	}
	return NULL;
}

static void test_condvar(void)
{
	pthread_t p;
	long sum = 0;
	pthread_create(&p, NULL, producer, NULL);
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&qlock);
		while (qlen == 0)
			pthread_cond_wait(&not_empty, &qlock);
		sum += queue[qhead];
		qhead = (qhead + 1) % QUEUE;
		qlen--;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&qlock);
	}
	pthread_join(p, NULL);
	check("condition variables pass 1000 items through a 4-slot queue", sum == 1000L * 1001 / 2);
}

/* ---- barrier ---- */

static pthread_barrier_t barrier;
static int arrived, seen_all[4];

static void *barrier_worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	__atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
	pthread_barrier_wait(&barrier);
	seen_all[me] = __atomic_load_n(&arrived, __ATOMIC_SEQ_CST) == 4;
	return NULL;
}

static void test_barrier(void)
{
	pthread_t t[4];
	pthread_barrier_init(&barrier, NULL, 4);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, barrier_worker, (void *)(intptr_t)i);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	check("nobody passes a barrier of 4 before all arrive",
	      seen_all[0] && seen_all[1] && seen_all[2] && seen_all[3]);
	pthread_barrier_destroy(&barrier);
}

/* ---- thread-local storage ---- */

static __thread int tls_value = 7;

static void *tls_worker(void *arg)
{
	int before = tls_value;
	tls_value = (int)(intptr_t)arg;
	sched_yield();
	return (void *)(intptr_t)(before == 7 && tls_value == (int)(intptr_t)arg);
}

static void test_tls(void)
{
	pthread_t t[3];
	int ok = 1;
	tls_value = 100;
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, tls_worker, (void *)(intptr_t)(i + 1));
	for (int i = 0; i < 3; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		ok &= ret == (void *)1;
	}
	check("each thread has its own thread-local variables", ok && tls_value == 100);
}

/* ---- pthread_exit and detached threads ---- */

static void *exits_early(void *arg)
{
	(void)arg;
	pthread_exit((void *)42);
	return NULL;
}

static volatile int detached_ran;

static void *detached(void *arg)
{
	(void)arg;
	detached_ran = 1;
	return NULL;
}

static void test_exit_detach(void)
{
	pthread_t t;
	void *ret = NULL;
	pthread_create(&t, NULL, exits_early, NULL);
	pthread_join(t, &ret);
	check("pthread_exit hands its value to pthread_join", ret == (void *)42);

	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int ok = pthread_create(&t, &attr, detached, NULL) == 0;
	for (int i = 0; i < 1000 && !detached_ran; i++)
		sched_yield();
	check("a detached thread runs", ok && detached_ran);
}

/* ---- fork from a threaded process ---- */

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void test_fork_under_threads(void)
{
	pthread_t t;
	pthread_create(&t, NULL, sleeper, NULL);
	pid_t child = fork();
	if (child == 0) {
		/* Only the forking thread exists in the child; it can make threads of its own. */
		pthread_t c;
		void *ret = NULL;
		int ok = pthread_create(&c, NULL, return_arg_plus_one, (void *)(intptr_t)4) == 0 &&
			 pthread_join(c, &ret) == 0 && ret == (void *)5;
		_exit(ok ? 9 : 1);
	}
	int status = 0;
	int waited = waitpid(child, &status, 0) == child;
	check("fork in a threaded process gives a working child",
	      waited && WIFEXITED(status) && WEXITSTATUS(status) == 9);
	pthread_cancel(t);
}

/* ---- futex(2) edge cases ---- */

static volatile int word_a, word_b;
static volatile int woken_count;

static void *futex_waiter(void *arg)
{
	volatile int *w = arg;
	int expected = *w;
	if (futex(w, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0) == 0)
		__atomic_add_fetch(&woken_count, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Yields until `n` threads wait on the futex (nobody else runs in between on one CPU; on
 * several, a short spin gives the waiters time to block). */
static void settle(void)
{
	for (int i = 0; i < 50; i++)
		sched_yield();
	struct timespec ts = {0, 20 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

static void test_futex(void)
{
	struct timespec short_wait = {0, 10 * 1000 * 1000};
	int value = 5;

	errno = 0;
	check("FUTEX_WAIT on a changed value fails with EAGAIN",
	      futex(&value, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0) == -1 && errno == EAGAIN);
	errno = 0;
	check("FUTEX_WAIT times out with ETIMEDOUT",
	      futex(&value, FUTEX_WAIT_PRIVATE, 5, &short_wait, NULL, 0) == -1 && errno == ETIMEDOUT);
	check("FUTEX_WAKE with no waiters wakes 0", futex(&value, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == 0);
	errno = 0;
	check("FUTEX_WAIT on a bad address fails with EFAULT",
	      futex((int *)8, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) == -1 && errno == EFAULT);
	errno = 0;
	check("FUTEX_WAIT on a misaligned address fails with EINVAL",
	      futex((int *)((char *)&value + 1), FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) == -1 && errno == EINVAL);
	errno = 0;
	check("an unknown futex op fails with ENOSYS",
	      futex(&value, 99 | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0) == -1 && errno == ENOSYS);
	errno = 0;
	check("FUTEX_WAIT_BITSET with an empty bitset fails with EINVAL",
	      futex(&value, FUTEX_WAIT_BITSET_PRIVATE, 5, NULL, NULL, 0) == -1 && errno == EINVAL);
	errno = 0;
	struct timespec bad = {0, 2000000000L};
	check("FUTEX_WAIT with a bad timeout fails with EINVAL",
	      futex(&value, FUTEX_WAIT_PRIVATE, 5, &bad, NULL, 0) == -1 && errno == EINVAL);
	errno = 0;
	check("FUTEX_CMP_REQUEUE with a changed value fails with EAGAIN",
	      futex(&value, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, &word_b, 4) == -1 && errno == EAGAIN);

	/* An absolute FUTEX_WAIT_BITSET deadline in the past returns at once. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	errno = 0;
	check("FUTEX_WAIT_BITSET with a past deadline fails with ETIMEDOUT",
	      futex(&value, FUTEX_WAIT_BITSET_PRIVATE, 5, &now, NULL, -1) == -1 && errno == ETIMEDOUT);

	/* Wake counts: three waiters, wake 2 then the rest. */
	pthread_t t[3];
	word_a = 1;
	woken_count = 0;
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, futex_waiter, (void *)&word_a);
	settle();
	long first = futex(&word_a, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0);
	settle();
	long second = futex(&word_a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	check("FUTEX_WAKE wakes exactly the number asked (2, then 1)",
	      first == 2 && second == 1 && woken_count == 3);

	/* Requeue: two waiters on A; wake none, move both to B; waking A then finds nobody. */
	word_a = 1;
	word_b = 0;
	woken_count = 0;
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, futex_waiter, (void *)&word_a);
	settle();
	long moved = futex(&word_a, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)(intptr_t)INT_MAX, &word_b, 1);
	long on_a = futex(&word_a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	long on_b = futex(&word_b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	check("FUTEX_CMP_REQUEUE moves waiters to the second futex",
	      moved == 2 && on_a == 0 && on_b == 2 && woken_count == 2);

	/* Wake-op: *B += 1 (old value 0 is compared == 0), wake one on A and one on B. */
	word_a = 1;
	word_b = 0;
	woken_count = 0;
	pthread_create(&t[0], NULL, futex_waiter, (void *)&word_a);
	settle();
	int op = FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0);
	long woke = futex(&word_a, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &word_b, op);
	pthread_join(t[0], NULL);
	check("FUTEX_WAKE_OP updates the second word and wakes", woke == 1 && word_b == 1 && woken_count == 1);
}

/* ---- per-thread signal masks ---- */

static volatile pthread_t usr1_ran_in;
static volatile int usr1_count;
static volatile int masked_ready, masked_go;
static volatile int saw_pending;

static void usr1_handler(int sig)
{
	(void)sig;
	usr1_ran_in = pthread_self();
	usr1_count++;
}

static void *masked_thread(void *arg)
{
	(void)arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	masked_ready = 1;
	while (!masked_go)
		sched_yield();
	sigset_t pending;
	sigpending(&pending);
	saw_pending = sigismember(&pending, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	return NULL;
}

static void test_thread_signals(void)
{
	signal(SIGUSR1, usr1_handler);
	pthread_t t;
	pthread_create(&t, NULL, masked_thread, NULL);
	while (!masked_ready)
		sched_yield();
	sigset_t mine;
	pthread_sigmask(SIG_SETMASK, NULL, &mine);
	check("pthread_sigmask in one thread leaves the others' masks alone", !sigismember(&mine, SIGUSR1));
	pthread_kill(t, SIGUSR1);
	for (int i = 0; i < 20; i++)
		sched_yield();
	check("a signal for a thread that blocks it waits (the other threads do not take it)", usr1_count == 0);
	masked_go = 1;
	pthread_join(t, NULL);
	check("sigpending shows it, and unblocking delivers it in that thread",
	      saw_pending == 1 && usr1_count == 1 && pthread_equal(usr1_ran_in, t));
	signal(SIGUSR1, SIG_DFL);
}

static pthread_mutex_t many_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t many_go = PTHREAD_COND_INITIALIZER;
static int many_released;

static void *many_body(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&many_lock);
	while (!many_released)
		pthread_cond_wait(&many_go, &many_lock);
	pthread_mutex_unlock(&many_lock);
	return NULL;
}

static void test_many_threads(void)
{
	/* Threads until the kernel says no (or 2000): it must refuse with EAGAIN, and go on. */
	enum { MOST = 2000 };
	static pthread_t t[MOST];
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 16384);
	int n = 0, err = 0;
	while (n < MOST && (err = pthread_create(&t[n], &attr, many_body, NULL)) == 0)
		n++;
	check("creating threads up to the limit fails with EAGAIN, if at all", n > 100 && (n == MOST || err == EAGAIN));
	pthread_mutex_lock(&many_lock);
	many_released = 1;
	pthread_cond_broadcast(&many_go);
	pthread_mutex_unlock(&many_lock);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(5);
	int status = 0;
	waitpid(pid, &status, 0);
	check("after those threads end, fork works again", WIFEXITED(status) && WEXITSTATUS(status) == 5);
}

static volatile int exec_spin;

static void *exec_from_thread(void *arg)
{
	(void)arg;
	char *argv[] = { "/tests/exit_code", NULL };
	execv(argv[0], argv);
	_exit(99);
}

static void test_exec_from_thread(void)
{
	/* A non-leader thread execs while the leader runs in user mode: the leader ends, the
	 * execing thread takes over the process id and runs the new program. */
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, NULL, exec_from_thread, NULL);
		for (;;)
			exec_spin++;
	}
	int status = 0;
	pid_t got = waitpid(pid, &status, 0);
	check("execve from a non-leader thread ends the others and runs the program as the process",
	      got == pid && WIFEXITED(status) && WEXITSTATUS(status) == 3);
}

int main(void)
{
	test_create_join();
	test_mutex();
	test_condvar();
	test_barrier();
	test_tls();
	test_exit_detach();
	test_fork_under_threads();
	test_futex();
	test_thread_signals();
	test_exec_from_thread();
	test_many_threads();
	return done();
}
