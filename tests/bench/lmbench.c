/*
 * LMbench-style operating-system microbenchmarks: system calls, file operations, pipes,
 * context switches, process creation, mappings, page faults, signals and poll. Latencies are
 * nanoseconds per operation; pipe bandwidth is MB/s (10^6 bytes per second).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* The file of the open/stat benchmarks and the file mappings (1 MiB: small enough for a
 * kernel whose tmpfs lives in a small heap). */
#define FILE_PATH "/tmp/bench.file"
#define FILE_SIZE (1L << 20)
#define PAGE 4096L

/* Times `iters` runs of `body`, which may use `i`. */
#define TIMED_LOOP(iters, elapsed, body)                                                       \
	do {                                                                                   \
		uint64_t t0_ = now_ns();                                                       \
		for (long i = 0; i < (iters); i++) {                                           \
			body;                                                                  \
		}                                                                              \
		*(elapsed) = (double)(now_ns() - t0_);                                         \
	} while (0)

static int per_op(long iters, double *elapsed, double *values)
{
	values[0] = *elapsed / (double)iters;
	return 0;
}

static int null_syscall(const struct bench *b, long iters, double *elapsed, double *values)
{
	(void)b;
	TIMED_LOOP(iters, elapsed, syscall(SYS_getppid));
	return per_op(iters, elapsed, values);
}

/* One-byte read of /dev/zero (arg 0) or write to /dev/null (arg 1). */
static int dev_rw(const struct bench *b, long iters, double *elapsed, double *values)
{
	char c = 0;
	int fd = open(b->arg ? "/dev/null" : "/dev/zero", b->arg ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return bench_fail("open %s", b->arg ? "/dev/null" : "/dev/zero");
	long bad = 0;
	if (b->arg)
		TIMED_LOOP(iters, elapsed, bad += write(fd, &c, 1) != 1);
	else
		TIMED_LOOP(iters, elapsed, bad += read(fd, &c, 1) != 1);
	close(fd);
	if (bad)
		return bench_fail("%s failed", b->arg ? "write" : "read");
	return per_op(iters, elapsed, values);
}

/* Creates FILE_PATH with FILE_SIZE bytes once. */
static int make_file(void)
{
	struct stat st;
	if (stat(FILE_PATH, &st) == 0 && st.st_size == FILE_SIZE)
		return 0;
	int fd = open(FILE_PATH, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return bench_fail("create " FILE_PATH);
	static char chunk[65536];
	memset(chunk, 'x', sizeof chunk);
	for (long done = 0; done < FILE_SIZE;) {
		errno = 0;
		ssize_t n = write(fd, chunk, sizeof chunk);
		if (n <= 0) {
			close(fd);
			unlink(FILE_PATH);
			return bench_fail("write " FILE_PATH " at %ld of %ld bytes", done, FILE_SIZE);
		}
		done += n;
	}
	close(fd);
	return 0;
}

void bench_cleanup(void)
{
	unlink(FILE_PATH);
}

static int open_close(const struct bench *b, long iters, double *elapsed, double *values)
{
	(void)b;
	if (make_file())
		return -1;
	long bad = 0;
	TIMED_LOOP(iters, elapsed, {
		int fd = open(FILE_PATH, O_RDONLY);
		bad += fd < 0;
		close(fd);
	});
	if (bad)
		return bench_fail("open " FILE_PATH " failed");
	return per_op(iters, elapsed, values);
}

/* stat (arg 0) or fstat (arg 1) of FILE_PATH. */
static int stat_file(const struct bench *b, long iters, double *elapsed, double *values)
{
	struct stat st;
	if (make_file())
		return -1;
	int fd = open(FILE_PATH, O_RDONLY);
	if (fd < 0)
		return bench_fail("open " FILE_PATH);
	long bad = 0;
	if (b->arg)
		TIMED_LOOP(iters, elapsed, bad += fstat(fd, &st) != 0);
	else
		TIMED_LOOP(iters, elapsed, bad += stat(FILE_PATH, &st) != 0);
	close(fd);
	if (bad)
		return bench_fail("%s failed", b->arg ? "fstat" : "stat");
	return per_op(iters, elapsed, values);
}

/* Forks a child that runs `fn(arg)` and exits; returns its pid or -1. */
static pid_t spawn(void (*fn)(long), long arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return pid;
}

static int reap(pid_t pid)
{
	int status;
	if (waitpid(pid, &status, 0) != pid)
		return bench_fail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return bench_fail("child ended with status %#x", status);
	return 0;
}

/*
 * A ring of `n` processes joined by pipes: process k reads a token from ring[k] and writes it
 * to ring[k + 1]. Process 0 (the caller) times `iters` trips around the ring. With n = 2
 * this is the pipe ping-pong.
 */
#define MAX_RING 16
static int ring[MAX_RING][2];
static int ring_size;

static void ring_member(long k)
{
	char token;
	for (int j = 0; j < ring_size; j++) {
		if (j != k)
			close(ring[j][0]);
		if (j != (k + 1) % ring_size)
			close(ring[j][1]);
	}
	while (read(ring[k][0], &token, 1) == 1)
		if (write(ring[(k + 1) % ring_size][1], &token, 1) != 1)
			break;
}

static int ring_trips(int n, long iters, double *elapsed)
{
	pid_t pids[MAX_RING];
	char token = 't';
	ring_size = n;
	for (int j = 0; j < n; j++)
		if (pipe(ring[j]))
			return bench_fail("pipe");
	for (int k = 1; k < n; k++)
		if ((pids[k] = spawn(ring_member, k)) < 0)
			return bench_fail("fork");
	for (int j = 0; j < n; j++) {
		if (j != 0)
			close(ring[j][0]);
		if (j != 1 % n)
			close(ring[j][1]);
	}
	long bad = 0;
	TIMED_LOOP(iters, elapsed, {
		bad += write(ring[1 % n][1], &token, 1) != 1;
		bad += read(ring[0][0], &token, 1) != 1;
	});
	close(ring[1 % n][1]);
	close(ring[0][0]);
	for (int k = 1; k < n; k++)
		if (reap(pids[k]))
			return -1;
	if (bad)
		return bench_fail("pipe transfer failed");
	return 0;
}

/* Pipe latency: one round trip between two processes. */
static int pipe_latency(const struct bench *b, long iters, double *elapsed, double *values)
{
	(void)b;
	if (ring_trips(2, iters, elapsed))
		return -1;
	return per_op(iters, elapsed, values);
}

/* Context switch: one hop (a pipe write, a switch, a pipe read) in a ring of `arg`. */
static int context_switch(const struct bench *b, long iters, double *elapsed, double *values)
{
	if (ring_trips((int)b->arg, iters, elapsed))
		return -1;
	values[0] = *elapsed / (double)(iters * b->arg);
	return 0;
}

#define BW_CHUNK 65536
static char bw_buf[BW_CHUNK];
static int bw_pipe[2];

static void bw_writer(long chunks)
{
	close(bw_pipe[0]);
	for (long i = 0; i < chunks; i++)
		for (long done = 0; done < BW_CHUNK;) {
			ssize_t n = write(bw_pipe[1], bw_buf + done, BW_CHUNK - done);
			if (n <= 0)
				_exit(1);
			done += n;
		}
}

/* Pipe bandwidth: a child writes `iters` chunks of 64 KiB, the caller reads them. */
static int pipe_bandwidth(const struct bench *b, long iters, double *elapsed, double *values)
{
	(void)b;
	if (pipe(bw_pipe))
		return bench_fail("pipe");
	uint64_t t0 = now_ns();
	pid_t pid = spawn(bw_writer, iters);
	if (pid < 0)
		return bench_fail("fork");
	close(bw_pipe[1]);
	long total = 0;
	ssize_t n;
	while ((n = read(bw_pipe[0], bw_buf, BW_CHUNK)) > 0)
		total += n;
	*elapsed = (double)(now_ns() - t0);
	close(bw_pipe[0]);
	if (reap(pid))
		return -1;
	if (total != iters * BW_CHUNK)
		return bench_fail("read %ld of %ld bytes", total, iters * BW_CHUNK);
	values[0] = (double)total / (*elapsed / 1e9) / 1e6;
	return 0;
}

static void do_nothing(long arg)
{
	(void)arg;
}

static void exec_self(long arg)
{
	(void)arg;
	char *const argv[] = {"bench", "exit", NULL};
	execve(bench_self, argv, environ);
	_exit(127);
}

static void exec_sh(long arg)
{
	(void)arg;
	char *const argv[] = {"sh", "-c", "true", NULL};
	execve("/bin/sh", argv, environ);
	_exit(127);
}

/* fork + exit (arg 0), fork + execve (arg 1), fork + execve of `sh -c true` (arg 2); the
 * parent waits for the child each time. */
static int fork_family(const struct bench *b, long iters, double *elapsed, double *values)
{
	static void (*const child[])(long) = {do_nothing, exec_self, exec_sh};
	int failed = 0;
	TIMED_LOOP(iters, elapsed, {
		pid_t pid = spawn(child[b->arg], 0);
		if (pid < 0) {
			failed = bench_fail("fork");
			break;
		}
		if ((failed = reap(pid)))
			break;
	});
	return failed ? -1 : per_op(iters, elapsed, values);
}

/*
 * mmap of `arg` bytes, a touch of every page, munmap: anonymous memory written (arg2 0), or
 * FILE_PATH mapped shared and read (arg2 1).
 */
static int mmap_range(const struct bench *b, long iters, double *elapsed, double *values)
{
	long size = b->arg;
	int file = (int)b->arg2, fd = -1;
	volatile char sink = 0;
	if (file) {
		if (make_file())
			return -1;
		if ((fd = open(FILE_PATH, O_RDONLY)) < 0)
			return bench_fail("open " FILE_PATH);
	}
	int failed = 0;
	TIMED_LOOP(iters, elapsed, {
		char *p = file ? mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0)
			       : mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				      -1, 0);
		if (p == MAP_FAILED) {
			failed = 1;
			break;
		}
		for (long off = 0; off < size; off += PAGE) {
			if (file)
				sink += p[off];
			else
				p[off] = 1;
		}
		munmap(p, size);
	});
	(void)sink;
	if (fd >= 0)
		close(fd);
	if (failed)
		return bench_fail("mmap");
	return per_op(iters, elapsed, values);
}

/*
 * Page-fault latency: read faults on a private mapping of FILE_PATH, one per page. The mmap
 * is timed with the faults (not the munmap): a kernel that fills the mapping at mmap time
 * instead of at fault time pays for it here too. Nanoseconds per page.
 */
static int page_fault(const struct bench *b, long iters, double *elapsed, double *values)
{
	(void)b;
	volatile char sink = 0;
	if (make_file())
		return -1;
	int fd = open(FILE_PATH, O_RDONLY);
	if (fd < 0)
		return bench_fail("open " FILE_PATH);
	/* An iteration is one page; a pass maps the file and faults in up to all of it. */
	const long pages = FILE_SIZE / PAGE;
	uint64_t total = 0, start = now_ns();
	for (long done = 0; done < iters;) {
		long n = iters - done < pages ? iters - done : pages;
		uint64_t t0 = now_ns();
		char *p = mmap(NULL, n * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			close(fd);
			return bench_fail("mmap " FILE_PATH);
		}
		for (long i = 0; i < n; i++)
			sink += p[i * PAGE];
		total += now_ns() - t0;
		munmap(p, n * PAGE);
		done += n;
	}
	(void)sink;
	close(fd);
	/* Calibration scales by the whole pass, munmap included. */
	*elapsed = (double)(now_ns() - start);
	values[0] = (double)total / (double)iters;
	return 0;
}

static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
	(void)sig;
	signals_seen++;
}

/* Installing a handler with sigaction (arg 0); delivering SIGUSR1 to oneself (arg 1). */
static int signals(const struct bench *b, long iters, double *elapsed, double *values)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	if (sigaction(SIGUSR1, &sa, NULL))
		return bench_fail("sigaction");
	long bad = 0;
	signals_seen = 0;
	if (b->arg) {
		pid_t self = getpid();
		TIMED_LOOP(iters, elapsed, bad += kill(self, SIGUSR1) != 0);
		if (signals_seen != iters)
			return bench_fail("%ld signals sent, %ld handled", iters, (long)signals_seen);
	} else {
		TIMED_LOOP(iters, elapsed, bad += sigaction(SIGUSR1, &sa, NULL) != 0);
	}
	if (bad)
		return bench_fail("%s failed", b->arg ? "kill" : "sigaction");
	return per_op(iters, elapsed, values);
}

/* poll with a zero timeout on the read ends of `arg` empty pipes. */
static int poll_fds(const struct bench *b, long iters, double *elapsed, double *values)
{
	int n = (int)b->arg;
	int (*pipes)[2] = calloc(n, sizeof *pipes);
	struct pollfd *fds = calloc(n, sizeof *fds);
	int made = 0, failed = 0;
	if (!fds || !pipes) {
		failed = bench_fail("calloc");
		goto out;
	}
	for (; made < n; made++) {
		if (pipe(pipes[made])) {
			failed = bench_fail("pipe %d of %d", made + 1, n);
			goto out;
		}
		fds[made].fd = pipes[made][0];
		fds[made].events = POLLIN;
	}
	long bad = 0;
	TIMED_LOOP(iters, elapsed, bad += poll(fds, n, 0) != 0);
	if (bad)
		failed = bench_fail("poll did not return 0");
out:
	for (int i = 0; i < made; i++)
		close(pipes[i][0]), close(pipes[i][1]);
	free(pipes);
	free(fds);
	return failed ? -1 : per_op(iters, elapsed, values);
}

#define KIB 1024L
#define MIB (1024L * 1024L)

const struct bench lmbench_benches[] = {
	{"null_syscall", NULL, "ns", null_syscall, 0, 0},
	{"read_dev_zero", NULL, "ns", dev_rw, 0, 0},
	{"write_dev_null", NULL, "ns", dev_rw, 1, 0},
	{"open_close", NULL, "ns", open_close, 0, 0},
	{"stat", NULL, "ns", stat_file, 0, 0},
	{"fstat", NULL, "ns", stat_file, 1, 0},
	{"pipe_latency", NULL, "ns", pipe_latency, 0, 0},
	{"pipe_bandwidth", NULL, "MB/s", pipe_bandwidth, 0, 0},
	{"ctx_switch_2", NULL, "ns", context_switch, 2, 0},
	{"ctx_switch_8", NULL, "ns", context_switch, 8, 0},
	{"fork_exit", NULL, "ns", fork_family, 0, 0},
	{"fork_execve", NULL, "ns", fork_family, 1, 0},
	{"fork_execve_sh", NULL, "ns", fork_family, 2, 0},
	{"mmap_anon_16k", NULL, "ns", mmap_range, 16 * KIB, 0},
	{"mmap_anon_256k", NULL, "ns", mmap_range, 256 * KIB, 0},
	{"mmap_anon_4m", NULL, "ns", mmap_range, 4 * MIB, 0},
	{"mmap_file_16k", NULL, "ns", mmap_range, 16 * KIB, 1},
	{"mmap_file_256k", NULL, "ns", mmap_range, 256 * KIB, 1},
	{"mmap_file_1m", NULL, "ns", mmap_range, 1 * MIB, 1},
	{"page_fault", NULL, "ns", page_fault, 0, 0},
	{"signal_install", NULL, "ns", signals, 0, 0},
	{"signal_deliver", NULL, "ns", signals, 1, 0},
	{"poll_100", NULL, "ns", poll_fds, 100, 0},
};
const int lmbench_count = sizeof lmbench_benches / sizeof lmbench_benches[0];
