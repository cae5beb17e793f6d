/* Parallel memory-management stress: threads mmap, fault in, checksum and munmap private
 * ranges, and fill their slices of one shared range, at the same time; then the results are
 * checked. Meant for several CPUs (CortenMM's concurrent transactions and TLB shootdown). Each
 * check prints PASS or FAIL. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define THREADS 4
#define ROUNDS 40
#define PAGES 16
#define PAGE 4096

#include "check.h"

static unsigned char *shared;
static uint64_t private_errors[THREADS];
static uint64_t private_sums[THREADS];

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	uint64_t sum = 0;
	for (int round = 0; round < ROUNDS; round++) {
		unsigned char *p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			private_errors[me]++;
			continue;
		}
		for (int i = 0; i < PAGES; i++)
			p[i * PAGE + (i % 7)] = (unsigned char)(me * 31 + round + i);
		for (int i = 0; i < PAGES; i++) {
			if (p[i * PAGE + (i % 7)] != (unsigned char)(me * 31 + round + i) || p[i * PAGE + 4095] != 0)
				private_errors[me]++;
			sum += p[i * PAGE + (i % 7)];
		}
		/* Half of the rounds drop a page in the middle first (a partial munmap). */
		if (round % 2)
			munmap(p + 5 * PAGE, PAGE);
		if (munmap(p, PAGES * PAGE) != 0)
			private_errors[me]++;
		/* My slice of the shared range: one byte per page, rewritten every round. */
		for (int i = 0; i < PAGES; i++)
			shared[(me * PAGES + i) * PAGE] = (unsigned char)(round + i + me);
	}
	private_sums[me] = sum;
	return NULL;
}

static uint64_t expected_sum(int me)
{
	uint64_t sum = 0;
	for (int round = 0; round < ROUNDS; round++)
		for (int i = 0; i < PAGES; i++)
			sum += (unsigned char)(me * 31 + round + i);
	return sum;
}

int main(void)
{
	shared = mmap(NULL, THREADS * PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	int ok = 1;
	for (int i = 0; i < THREADS; i++)
		ok &= private_errors[i] == 0 && private_sums[i] == expected_sum(i);
	check("parallel mmap/fault/munmap of private ranges keeps every byte (checksums match)", ok);
	ok = 1;
	for (int me = 0; me < THREADS; me++)
		for (int i = 0; i < PAGES; i++)
			ok &= shared[(me * PAGES + i) * PAGE] == (unsigned char)(ROUNDS - 1 + i + me);
	check("parallel faults on one shared range see every thread's last write", ok);

	/* Unmap under the feet of a spinning reader: the reader must fault (not read stale
	 * data through an old TLB entry) once the range is gone and remapped. */
	volatile unsigned char *q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	q[0] = 1;
	munmap((void *)q, PAGE);
	unsigned char *again = mmap((void *)q, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	check("a range unmapped and mapped again reads as fresh zeros", again == (void *)q && q[0] == 0);
	return done();
}
