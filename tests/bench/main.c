/*
 * The benchmark runner: `bench [-r REPS] [-t TARGET_MS] [-o FILTER] [-a AFTER]`.
 *
 *   -r REPS      repetitions of each benchmark (default 5); one line per repetition
 *   -t MS        target duration of one repetition (default 200 ms)
 *   -o FILTER    run only benchmarks whose name or a result's name contains one of the
 *                comma-separated words of FILTER
 *   -a AFTER     skip the benchmarks up to and including the one named AFTER (to resume a run
 *                after a benchmark that took the kernel down)
 *   bench exit   exits 0 at once (the program the execve benchmarks run)
 *
 * Each benchmark runs in a child process, so a crash or a missing system call costs only
 * that benchmark; a child that takes longer than its deadline is killed and reported as
 * failed. The line format is in bench.h.
 *
 * Time: CLOCK_MONOTONIC on riscv64. On x86-64 the time-stamp counter, calibrated once against
 * CLOCK_MONOTONIC between two of its edges 100 ms apart: a kernel whose clock advances only
 * at its timer tick (10 ms) still gets sub-microsecond phase timings, and both kernels are
 * measured with the same clock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

const char *bench_self = "/bench/bench";

static char fail_reason[256];

static uint64_t clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__)
static double ns_per_cycle;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* The first clock reading after the clock changes, and the TSC there. */
static uint64_t next_edge(uint64_t *tsc)
{
	uint64_t start = clock_ns(), now;
	while ((now = clock_ns()) == start)
		;
	*tsc = rdtsc();
	return now;
}

static void calibrate_clock(void)
{
	uint64_t tsc0, tsc1;
	uint64_t t0 = next_edge(&tsc0), t1;
	while (clock_ns() - t0 < 100000000u)
		;
	t1 = next_edge(&tsc1);
	ns_per_cycle = (double)(t1 - t0) / (double)(tsc1 - tsc0);
	printf("bench: info clock: TSC at %.1f MHz, calibrated against CLOCK_MONOTONIC\n",
	       1e3 / ns_per_cycle);
}

uint64_t now_ns(void)
{
	return (uint64_t)((double)rdtsc() * ns_per_cycle);
}
#else
static void calibrate_clock(void)
{
}

uint64_t now_ns(void)
{
	return clock_ns();
}
#endif

int bench_fail(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(fail_reason, sizeof fail_reason, fmt, ap);
	va_end(ap);
	if (saved && n > 0 && (size_t)n < sizeof fail_reason)
		snprintf(fail_reason + n, sizeof fail_reason - n, ": %s", strerror(saved));
	return -1;
}

/* The results of `b`: its result list, or its own name. */
static int result_names(const struct bench *b, const char **names)
{
	if (!b->results) {
		names[0] = b->name;
		return 1;
	}
	int n = 0;
	while (n < BENCH_MAX_RESULTS && b->results[n])
		names[n] = b->results[n], n++;
	return n;
}

static void print_failed(const struct bench *b, const char *reason)
{
	const char *names[BENCH_MAX_RESULTS];
	int n = result_names(b, names);
	for (int i = 0; i < n; i++)
		printf("bench: fail %s %s\n", names[i], reason);
	fflush(stdout);
}

/* Calibrates, then runs `reps` repetitions of about `target_ns` each, in this process. */
static int measure(const struct bench *b, int reps, double target_ns)
{
	double values[BENCH_MAX_RESULTS], elapsed = 0;
	const char *names[BENCH_MAX_RESULTS];
	int n = result_names(b, names);
	long iters = 1;
	/* Double the count until one run takes an eighth of the target, then scale it up. */
	for (;;) {
		errno = 0;
		if (b->run(b, iters, &elapsed, values))
			return -1;
		if (elapsed >= target_ns / 8 || iters >= (1L << 40))
			break;
		iters *= elapsed < target_ns / 256 ? 16 : 2;
	}
	if (elapsed > 0 && elapsed < target_ns)
		iters = (long)(iters * (target_ns / elapsed));
	for (int r = 0; r < reps; r++) {
		errno = 0;
		if (b->run(b, iters, &elapsed, values))
			return -1;
		for (int i = 0; i < n; i++)
			printf("bench: %s %.2f %s\n", names[i], values[i], b->unit);
		fflush(stdout);
	}
	return 0;
}

/* Runs `b` in a child and reports its failure if it crashes, fails or overruns. */
static void run_isolated(const struct bench *b, int reps, double target_ns)
{
	const char *names[BENCH_MAX_RESULTS];
	int n = result_names(b, names);
	printf("bench: start %s", b->name);
	for (int i = 0; i < n; i++)
		printf(" %s", names[i]);
	printf("\n");
	fflush(stdout);

	pid_t pid = fork();
	if (pid < 0) {
		bench_fail("fork");
		print_failed(b, fail_reason);
		return;
	}
	if (pid == 0) {
		if (measure(b, reps, target_ns)) {
			print_failed(b, fail_reason);
			_exit(1);
		}
		_exit(0);
	}
	/* Generous: calibration plus the repetitions, times ten, plus a minute. */
	uint64_t deadline = now_ns() + (uint64_t)(10 * (reps + 2) * target_ns) + 60000000000ull;
	int status = 0;
	for (;;) {
		pid_t got = waitpid(pid, &status, WNOHANG);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR) {
			bench_fail("waitpid");
			print_failed(b, fail_reason);
			return;
		}
		if (now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			bench_cleanup();
			print_failed(b, "timed out");
			return;
		}
		struct timespec pause = {0, 50 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
	bench_cleanup();
	if (WIFSIGNALED(status)) {
		char why[64];
		snprintf(why, sizeof why, "killed by signal %d", WTERMSIG(status));
		print_failed(b, why);
	}
	/* A child that exited non-zero has reported its failure itself. */
}

/* Whether `name` contains one of the comma-separated words of `filter`. */
static int contains_word(const char *name, const char *filter)
{
	while (*filter) {
		size_t len = strcspn(filter, ",");
		for (const char *s = name; len && *s; s++)
			if (strncmp(s, filter, len) == 0)
				return 1;
		filter += len + (filter[len] == ',');
	}
	return 0;
}

/* Whether `b` matches the -o filter. */
static int matches(const struct bench *b, const char *filter)
{
	if (!filter || contains_word(b->name, filter))
		return 1;
	const char *names[BENCH_MAX_RESULTS];
	int n = result_names(b, names);
	for (int i = 0; i < n; i++)
		if (contains_word(names[i], filter))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exit") == 0)
		return 0;
	if (argv[0] && argv[0][0] == '/')
		bench_self = argv[0];
	int reps = 5;
	double target_ms = 200;
	const char *filter = NULL, *after = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "r:t:o:a:")) != -1) {
		switch (opt) {
		case 'r': reps = atoi(optarg); break;
		case 't': target_ms = atof(optarg); break;
		case 'o': filter = optarg; break;
		case 'a': after = optarg; break;
		default:
			fprintf(stderr, "usage: bench [-r REPS] [-t MS] [-o FILTER] [-a AFTER] | bench exit\n");
			return 2;
		}
	}
	if (reps < 1 || target_ms <= 0) {
		fprintf(stderr, "bench: -r and -t must be positive\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	calibrate_clock();
	const struct {
		const struct bench *table;
		int count;
	} tables[] = {{lmbench_benches, lmbench_count}, {cortenmm_benches, cortenmm_count}};
	int skipping = after != NULL;
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
		for (int i = 0; i < tables[t].count; i++) {
			const struct bench *b = &tables[t].table[i];
			if (skipping) {
				skipping = strcmp(b->name, after) != 0;
				continue;
			}
			if (matches(b, filter))
				run_isolated(b, reps, target_ms * 1e6);
		}
	}
	printf("bench: done\n");
	return 0;
}
