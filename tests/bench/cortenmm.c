/*
 * CortenMM's microbenchmarks (SOSP 2025, §6): T threads (1, 2, 4) each repeat a round of
 *
 *   mmap K ranges of P pages (MAP_FIXED, anonymous)   -> mmap             ns per range
 *   write one byte to every page                      -> touch            ns per page (a fault)
 *   munmap the K ranges                               -> munmap_touched   ns per range
 *   mmap them again (not timed), munmap them          -> munmap_untouched ns per range
 *
 * and mmap_touch is mmap plus touching that range's pages, ns per range. Every phase is timed
 * by the thread doing it, each round; a value is the median over all threads' rounds of the
 * phase's time divided by its operations: the typical latency of the operation with T
 * threads at work. The median, not the mean, because with more threads than CPUs a phase in
 * which its thread was preempted also holds the other threads' time slices, and how often
 * that happens depends on the scheduler's time slice, not on the memory system.
 *
 * Layouts: `priv`, each thread works in its own 1 GiB-aligned region (separate page-table
 * pages all the way up); `shared`, the threads' ranges interleave inside one 2 MiB region
 * (one last-level page-table page, so the threads contend for it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

#define PAGE 4096UL
#define K 32 /* ranges per round */
#define P 4  /* pages per range: 4 threads x 32 x 4 pages = 2 MiB */
#define MAX_THREADS 4
/* 64 GiB: below the 256 GiB user half of Sv39 and far from where kernels put mappings. */
#define BASE 0x1000000000UL
#define GIB (1UL << 30)

/* The results, in the order of RESULTS() below. */
enum { MMAP, MMAP_TOUCH, TOUCH, MUNMAP_UNTOUCHED, MUNMAP_TOUCHED, PHASES };

struct worker {
	int id, threads, shared;
	long rounds, done;
	pthread_barrier_t *start;
	/* ns[phase * rounds + round]: the phase's time in that round. */
	uint64_t *ns;
	int error; /* errno of a failed call, or 0 */
};

/* Address of range `i` of thread `w`. */
static char *range_addr(const struct worker *w, int i)
{
	if (w->shared)
		return (char *)(BASE + ((unsigned long)i * w->threads + w->id) * P * PAGE);
	return (char *)(BASE + (unsigned long)(w->id + 1) * GIB + (unsigned long)i * P * PAGE);
}

static int map_all(struct worker *w)
{
	for (int i = 0; i < K; i++) {
		void *want = range_addr(w, i);
		if (mmap(want, P * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != want)
			return w->error = errno ? errno : EINVAL;
	}
	return 0;
}

static int unmap_all(struct worker *w)
{
	for (int i = 0; i < K; i++)
		if (munmap(range_addr(w, i), P * PAGE))
			return w->error = errno;
	return 0;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	if (w->start)
		pthread_barrier_wait(w->start);
	for (long r = 0; r < w->rounds && !w->error; r++, w->done++) {
		uint64_t t0 = now_ns();
		if (map_all(w))
			break;
		uint64_t t1 = now_ns();
		for (int i = 0; i < K; i++) {
			char *p = range_addr(w, i);
			for (int j = 0; j < P; j++)
				p[j * PAGE] = 1;
		}
		uint64_t t2 = now_ns();
		if (unmap_all(w))
			break;
		uint64_t t3 = now_ns();
		if (map_all(w))
			break;
		uint64_t t4 = now_ns();
		if (unmap_all(w))
			break;
		uint64_t t5 = now_ns();
		w->ns[MMAP * w->rounds + r] = t1 - t0;
		w->ns[MMAP_TOUCH * w->rounds + r] = t2 - t0;
		w->ns[TOUCH * w->rounds + r] = t2 - t1;
		w->ns[MUNMAP_UNTOUCHED * w->rounds + r] = t5 - t4;
		w->ns[MUNMAP_TOUCHED * w->rounds + r] = t3 - t2;
	}
	return NULL;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* The median of `phase` over all rounds of all `threads` workers; `scratch` holds them. */
static double median_phase(struct worker *w, int threads, int phase, uint64_t *scratch)
{
	long n = 0;
	for (int t = 0; t < threads; t++)
		for (long r = 0; r < w[t].done; r++)
			scratch[n++] = w[t].ns[phase * w[t].rounds + r];
	qsort(scratch, n, sizeof *scratch, compare_u64);
	return n % 2 ? (double)scratch[n / 2] : (scratch[n / 2 - 1] + scratch[n / 2]) / 2.0;
}

/* Runs `iters` rounds split over `arg` threads in layout `arg2` (1 shared). */
static int cortenmm(const struct bench *b, long iters, double *elapsed, double *values)
{
	int threads = (int)b->arg;
	struct worker w[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	pthread_barrier_t start;
	long rounds = (iters + threads - 1) / threads;
	uint64_t *ns = calloc((size_t)rounds * threads * PHASES, sizeof *ns);
	uint64_t *scratch = calloc((size_t)rounds * threads, sizeof *scratch);
	if (!ns || !scratch)
		return bench_fail("calloc for %ld rounds", rounds);
	if (threads > 1 && pthread_barrier_init(&start, NULL, threads))
		return bench_fail("pthread_barrier_init");
	for (int t = 0; t < threads; t++) {
		memset(&w[t], 0, sizeof w[t]);
		w[t].id = t;
		w[t].threads = threads;
		w[t].shared = (int)b->arg2;
		w[t].rounds = rounds;
		w[t].start = threads > 1 ? &start : NULL;
		w[t].ns = ns + (size_t)t * rounds * PHASES;
	}
	uint64_t t0 = now_ns();
	int created = 0, err = 0;
	if (threads == 1) {
		work(&w[0]);
	} else {
		for (; created < threads; created++)
			if ((err = pthread_create(&tid[created], NULL, work, &w[created])))
				break;
		if (err) {
			/* The others wait at the barrier forever: leave them, the process exits. */
			errno = err;
			return bench_fail("pthread_create (thread %d of %d)", created + 1, threads);
		}
		for (int t = 0; t < threads; t++)
			pthread_join(tid[t], NULL);
	}
	*elapsed = (double)(now_ns() - t0);
	for (int t = 0; t < threads; t++) {
		if (w[t].error) {
			errno = w[t].error;
			free(ns);
			free(scratch);
			return bench_fail("thread %d: mmap/munmap", t);
		}
	}
	for (int p = 0; p < PHASES; p++)
		values[p] = median_phase(w, threads, p, scratch) / (p == TOUCH ? K * P : K);
	free(ns);
	free(scratch);
	return 0;
}

#define RESULTS(layout, t)                                                                     \
	(const char *const[])                                                                  \
	{                                                                                      \
		"cmm_mmap_" layout "_" #t, "cmm_mmap_touch_" layout "_" #t,                    \
			"cmm_touch_" layout "_" #t, "cmm_munmap_untouched_" layout "_" #t,     \
			"cmm_munmap_touched_" layout "_" #t, NULL                              \
	}

const struct bench cortenmm_benches[] = {
	{"cmm_priv_1", RESULTS("priv", 1), "ns", cortenmm, 1, 0},
	{"cmm_priv_2", RESULTS("priv", 2), "ns", cortenmm, 2, 0},
	{"cmm_priv_4", RESULTS("priv", 4), "ns", cortenmm, 4, 0},
	{"cmm_shared_1", RESULTS("shared", 1), "ns", cortenmm, 1, 1},
	{"cmm_shared_2", RESULTS("shared", 2), "ns", cortenmm, 2, 1},
	{"cmm_shared_4", RESULTS("shared", 4), "ns", cortenmm, 4, 1},
};
const int cortenmm_count = sizeof cortenmm_benches / sizeof cortenmm_benches[0];
