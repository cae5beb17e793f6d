/*
 * The benchmark suite's shared interface (tests/bench/): every benchmark is a `struct bench`
 * in a table; main.c runs each one in a child process, calibrates its iteration count to a
 * target time, repeats it, and prints one line per result and repetition:
 *
 *   bench: start UNIT NAME...        before a benchmark runs (NAME: the results it reports)
 *   bench: NAME VALUE UNIT           one measurement (UNIT `ns` per operation, or `MB/s`)
 *   bench: fail NAME REASON          the benchmark could not run (a missing system call, ...)
 *   bench: done                      after the last benchmark
 *
 * `cargo xtask bench` (xtask/src/bench.rs) parses these lines from the serial console.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>

/* At most this many results per benchmark. */
#define BENCH_MAX_RESULTS 5

/* One benchmark. */
struct bench {
	/* Unique name; also the result's name when `results` is NULL. */
	const char *name;
	/* The results it reports, NULL-terminated, or NULL for one result named `name`. */
	const char *const *results;
	/* "ns" (latency per operation) or "MB/s" (bandwidth). */
	const char *unit;
	/*
	 * Runs `iters` iterations. Stores the wall time the measured part took in `*elapsed_ns`
	 * (what calibration scales by) and one value per result in `values`. Returns 0, or -1
	 * after calling bench_fail().
	 */
	int (*run)(const struct bench *b, long iters, double *elapsed_ns, double *values);
	/* A parameter for `run` (a size, a process or thread count). */
	long arg;
	/* A second parameter (layout of the CortenMM benchmarks). */
	long arg2;
};

/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t now_ns(void);

/* Records why the benchmark failed (printf format; `: strerror(errno)` is appended when
 * errno is set). Always returns -1. */
int bench_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Removes the files a benchmark left behind, so that each starts from the same state. */
void bench_cleanup(void);

/* Absolute path of this program (for the execve benchmarks). */
extern const char *bench_self;

/* The tables, and their lengths. */
extern const struct bench lmbench_benches[];
extern const int lmbench_count;
extern const struct bench cortenmm_benches[];
extern const int cortenmm_count;

#endif
