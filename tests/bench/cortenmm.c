/*
 * CortenMM's microbenchmarks (SOSP 2025, §6): T threads (1, 2, 4) each repeat a round of
 *
 *   mmap K ranges of P pages (MAP_FIXED, anonymous)   -> mmap             ns per range
 *   write one byte to every page                      -> touch            ns per page (a fault)
 *   munmap the K ranges                               -> munmap_touched   ns per range
 *   mmap them again (not timed), munmap them          -> munmap_untouched ns per range
 *
 * and mmap_touch is mmap plus touching that range's pages, ns per range. Every phase is timed
 * by the thread doing it; a value is the sum of the threads' times over the sum of their
 * operations, so it is the mean latency of the operation with T threads at work.
 *
 * Layouts: `priv`, each thread works in its own 1 GiB-aligned region (separate page-table
 * pages all the way up); `shared`, the threads' ranges interleave inside one 2 MiB region
 * (one last-level page-table page, so the threads contend for it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
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

enum { MMAP, TOUCH, MUNMAP_TOUCHED, MUNMAP_UNTOUCHED, PHASES };

struct worker {
	int id, threads, shared;
	long rounds;
	pthread_barrier_t *start;
	uint64_t ns[PHASES];
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
	for (long r = 0; r < w->rounds && !w->error; r++) {
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
		w->ns[MMAP] += t1 - t0;
		w->ns[TOUCH] += t2 - t1;
		w->ns[MUNMAP_TOUCHED] += t3 - t2;
		w->ns[MUNMAP_UNTOUCHED] += t5 - t4;
	}
	return NULL;
}

/* Runs `iters` rounds split over `arg` threads in layout `arg2` (1 shared). */
static int cortenmm(const struct bench *b, long iters, double *elapsed, double *values)
{
	int threads = (int)b->arg;
	struct worker w[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	pthread_barrier_t start;
	long rounds = (iters + threads - 1) / threads;
	if (threads > 1 && pthread_barrier_init(&start, NULL, threads))
		return bench_fail("pthread_barrier_init");
	for (int t = 0; t < threads; t++) {
		memset(&w[t], 0, sizeof w[t]);
		w[t].id = t;
		w[t].threads = threads;
		w[t].shared = (int)b->arg2;
		w[t].rounds = rounds;
		w[t].start = threads > 1 ? &start : NULL;
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
	uint64_t ns[PHASES] = {0};
	for (int t = 0; t < threads; t++) {
		if (w[t].error) {
			errno = w[t].error;
			return bench_fail("thread %d: mmap/munmap", t);
		}
		for (int p = 0; p < PHASES; p++)
			ns[p] += w[t].ns[p];
	}
	double ranges = (double)rounds * threads * K;
	values[0] = ns[MMAP] / ranges;
	values[1] = (ns[MMAP] + ns[TOUCH]) / ranges;
	values[2] = ns[TOUCH] / (ranges * P);
	values[3] = ns[MUNMAP_UNTOUCHED] / ranges;
	values[4] = ns[MUNMAP_TOUCHED] / ranges;
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
