/* File and system calls with their error cases: positioned and vectored I/O, directories,
 * links, renames, permissions, truncation, timestamps, statx, statfs, polling, descriptors,
 * process ids and limits. Each check prints PASS or FAIL; expected errnos are Linux's. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* `call` fails with `want`. */
#define FAILS(name, call, want)                                                                    \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (long)(call);                                                            \
		check(name, r_ == -1 && errno == (want));                                          \
	} while (0)

static void test_io(void)
{
	int fd = open("/tmp/f.io", O_RDWR | O_CREAT | O_TRUNC, 0644);
	check("pwrite writes at an offset without moving the file offset",
	      pwrite(fd, "world", 5, 6) == 5 && lseek(fd, 0, SEEK_CUR) == 0);
	check("a write after a hole leaves zeros", write(fd, "hello", 5) == 5);
	char buf[16] = {0};
	check("pread reads at an offset", pread(fd, buf, 5, 6) == 5 && memcmp(buf, "world", 5) == 0);
	check("the hole reads as a zero byte", pread(fd, buf, 1, 5) == 1 && buf[0] == 0);
	struct iovec iov[2] = {{"ab", 2}, {"cde", 3}};
	lseek(fd, 0, SEEK_SET);
	check("writev gathers buffers", writev(fd, iov, 2) == 5);
	char x[2], y[3];
	struct iovec in[2] = {{x, 2}, {y, 3}};
	lseek(fd, 0, SEEK_SET);
	check("readv scatters into buffers", readv(fd, in, 2) == 5 && memcmp(x, "ab", 2) == 0 && memcmp(y, "cde", 3) == 0);
	FAILS("pread at a negative offset fails with EINVAL", pread(fd, buf, 1, -1), EINVAL);
	volatile int negative = -1;
	FAILS("readv with a negative count fails with EINVAL", readv(fd, in, negative), EINVAL);
	FAILS("lseek with a bad whence fails with EINVAL", lseek(fd, 0, 42), EINVAL);
	FAILS("lseek before the start fails with EINVAL", lseek(fd, -100, SEEK_SET), EINVAL);
	check("fsync and fdatasync succeed", fsync(fd) == 0 && fdatasync(fd) == 0);
	FAILS("fsync of a bad fd fails with EBADF", fsync(-1), EBADF);
	int ro = open("/tmp/f.io", O_RDONLY);
	FAILS("write to a read-only fd fails with EBADF", write(ro, "x", 1), EBADF);
	FAILS("ftruncate of a read-only fd fails with EINVAL", ftruncate(ro, 0), EINVAL);
	close(ro);
	check("ftruncate grows and shrinks", ftruncate(fd, 100) == 0 && lseek(fd, 0, SEEK_END) == 100 && ftruncate(fd, 3) == 0 &&
						   lseek(fd, 0, SEEK_END) == 3);
	FAILS("ftruncate to a negative length fails with EINVAL", ftruncate(fd, -1), EINVAL);
	check("truncate by path", truncate("/tmp/f.io", 1) == 0);
	FAILS("truncate of a directory fails with EISDIR", truncate("/tmp", 0), EISDIR);
	close(fd);
}

static void test_dirs_links(void)
{
	mkdir("/tmp/d1", 0755);
	close(open("/tmp/d1/a", O_CREAT | O_WRONLY, 0644));
	close(open("/tmp/d1/b", O_CREAT | O_WRONLY, 0644));
	DIR *d = opendir("/tmp/d1");
	int n = 0, dots = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		n++;
		dots += e->d_name[0] == '.';
	}
	if (d)
		closedir(d);
	check("getdents64 lists . .. and the entries", n == 4 && dots == 2);
	check("symlink and readlink", symlink("/tmp/d1/a", "/tmp/d1/l") == 0);
	char target[64] = {0};
	check("readlink returns the target without a NUL", readlink("/tmp/d1/l", target, sizeof target) == 9 &&
								    strcmp(target, "/tmp/d1/a") == 0);
	FAILS("readlink of a regular file fails with EINVAL", readlink("/tmp/d1/a", target, sizeof target), EINVAL);
	FAILS("symlink over an existing name fails with EEXIST", symlink("x", "/tmp/d1/a"), EEXIST);
	check("link makes a second name", link("/tmp/d1/a", "/tmp/d1/hard") == 0);
	struct stat st;
	check("the link count is 2", stat("/tmp/d1/a", &st) == 0 && st.st_nlink == 2);
	FAILS("link of a directory fails with EPERM", link("/tmp/d1", "/tmp/d2"), EPERM);
	check("rename replaces the target", rename("/tmp/d1/hard", "/tmp/d1/b") == 0 && access("/tmp/d1/hard", F_OK) == -1);
	FAILS("renameat2 RENAME_NOREPLACE onto an existing name fails with EEXIST",
	      syscall(SYS_renameat2, AT_FDCWD, "/tmp/d1/a", AT_FDCWD, "/tmp/d1/b", 1), EEXIST);
	FAILS("rename of a directory into itself fails with EINVAL", rename("/tmp/d1", "/tmp/d1/sub"), EINVAL);
	FAILS("rename of a missing file fails with ENOENT", rename("/tmp/d1/none", "/tmp/d1/x"), ENOENT);
	FAILS("rmdir of a non-directory fails with ENOTDIR", rmdir("/tmp/d1/a"), ENOTDIR);
	FAILS("unlinkat with a bad flag fails with EINVAL", unlinkat(AT_FDCWD, "/tmp/d1/a", 0x1), EINVAL);
	int dfd = open("/tmp/d1", O_RDONLY | O_DIRECTORY);
	check("openat relative to a directory fd", dfd >= 0 && faccessat(dfd, "a", R_OK, 0) == 0);
	FAILS("openat relative to a non-directory fd fails with ENOTDIR", openat(open("/tmp/d1/a", O_RDONLY), "x", O_RDONLY),
	      ENOTDIR);
	check("fchdir into a directory fd", fchdir(dfd) == 0 && access("a", F_OK) == 0);
	chdir("/");
	close(dfd);
	FAILS("mkdir with a missing parent fails with ENOENT", mkdir("/tmp/none/x", 0755), ENOENT);
	char long_name[300];
	memset(long_name, 'n', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = 0;
	FAILS("a name of 299 bytes fails with ENAMETOOLONG", open(long_name, O_RDONLY), ENAMETOOLONG);
}

static void test_modes_times(void)
{
	close(open("/tmp/m", O_CREAT | O_WRONLY, 0600));
	struct stat st;
	check("chmod changes the mode", chmod("/tmp/m", 0640) == 0 && stat("/tmp/m", &st) == 0 && (st.st_mode & 0777) == 0640);
	int fd = open("/tmp/m", O_RDONLY);
	check("fchmod changes the mode", fchmod(fd, 0604) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0604);
	check("fchown by root succeeds", fchown(fd, 12, 34) == 0 && fstat(fd, &st) == 0 && st.st_uid == 12 && st.st_gid == 34);
	check("fchownat by root succeeds", fchownat(AT_FDCWD, "/tmp/m", 0, 0, 0) == 0);
	close(fd);
	FAILS("chmod of a missing file fails with ENOENT", chmod("/tmp/none", 0600), ENOENT);
	mode_t old = umask(077);
	close(open("/tmp/um", O_CREAT | O_WRONLY, 0666));
	check("umask masks the mode of new files", stat("/tmp/um", &st) == 0 && (st.st_mode & 0777) == 0600 && umask(old) == 077);
	struct timespec times[2] = {{1000000000, 0}, {1234567890, 500}};
	check("utimensat sets the times", utimensat(AT_FDCWD, "/tmp/m", times, 0) == 0 && stat("/tmp/m", &st) == 0 &&
						   st.st_mtim.tv_sec == 1234567890 && st.st_atim.tv_sec == 1000000000);
	struct timespec bad[2] = {{0, 2000000000L}, {0, 0}};
	FAILS("utimensat with a bad nanosecond value fails with EINVAL", utimensat(AT_FDCWD, "/tmp/m", bad, 0), EINVAL);
	/* statx through the raw call (musl 1.2.3 has no wrapper): stx_mode is at byte 28,
	 * stx_size at 40; 0x7ff is STATX_BASIC_STATS. */
	unsigned char sx[256];
	memset(sx, 0xff, sizeof sx);
	unsigned short sx_mode = 0;
	unsigned long long sx_size = 1;
	int sr = syscall(SYS_statx, AT_FDCWD, "/tmp/m", 0, 0x7ff, sx);
	memcpy(&sx_mode, sx + 28, sizeof sx_mode);
	memcpy(&sx_size, sx + 40, sizeof sx_size);
	check("statx reports the size and mode", sr == 0 && sx_size == 0 && (sx_mode & 0777) == 0604);
	FAILS("statx with a bad flag fails with EINVAL", syscall(SYS_statx, AT_FDCWD, "/tmp/m", 0x40000000, 0x7ff, sx), EINVAL);
	struct statfs sf;
	check("statfs describes the file system", statfs("/tmp", &sf) == 0 && sf.f_bsize > 0);
	fd = open("/tmp/m", O_RDONLY);
	check("fstatfs too", fstatfs(fd, &sf) == 0);
	close(fd);
	FAILS("faccessat with a bad mode fails with EINVAL", faccessat(AT_FDCWD, "/tmp/m", 0100, 0), EINVAL);
}

static void test_fds_poll(void)
{
	int p[2];
	check("pipe2 with O_CLOEXEC sets FD_CLOEXEC", pipe2(p, O_CLOEXEC) == 0 && (fcntl(p[0], F_GETFD) & FD_CLOEXEC));
	FAILS("pipe2 with a bad flag fails with EINVAL", pipe2(p, 0x1234), EINVAL);
	int d = dup3(p[0], 50, O_CLOEXEC);
	check("dup3 to a chosen fd", d == 50 && (fcntl(50, F_GETFD) & FD_CLOEXEC));
	FAILS("dup3 onto itself fails with EINVAL", dup3(50, 50, 0), EINVAL);
	/* The raw call: musl's dup3() falls back to dup2 without O_CLOEXEC. */
	FAILS("dup3 with a bad flag fails with EINVAL", syscall(SYS_dup3, p[0], 51, 0x4), EINVAL);
	check("F_DUPFD picks the lowest free fd at or above the argument", fcntl(p[0], F_DUPFD, 60) == 60);
	check("O_NONBLOCK through F_SETFL", fcntl(p[0], F_SETFL, O_NONBLOCK) == 0 && (fcntl(p[0], F_GETFL) & O_NONBLOCK));
	char c;
	FAILS("a non-blocking read of an empty pipe fails with EAGAIN", read(p[0], &c, 1), EAGAIN);
	struct pollfd pf[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
	check("poll: the write end is ready, the read end is not", poll(pf, 2, 0) == 1 && pf[1].revents == POLLOUT && pf[0].revents == 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	check("poll with a 30 ms timeout times out", poll(pf, 1, 30) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	check("... after about 30 ms", ms >= 25);
	write(p[1], "x", 1);
	struct timespec zero = {0, 0};
	check("ppoll sees data", ppoll(pf, 1, &zero, NULL) == 1 && (pf[0].revents & POLLIN));
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	struct timeval tv = {0, 0};
	check("select sees data", select(p[0] + 1, &rs, NULL, NULL, &tv) == 1 && FD_ISSET(p[0], &rs));
	FAILS("select with a negative nfds fails with EINVAL", select(-1, NULL, NULL, NULL, &tv), EINVAL);
	struct pollfd badfd = {12345, POLLIN, 0};
	check("poll reports POLLNVAL for a closed fd", poll(&badfd, 1, 0) == 1 && badfd.revents == POLLNVAL);
	close(p[0]);
	close(50);
	close(60);
	struct pollfd hup = {p[1], POLLOUT, 0};
	check("poll reports POLLERR on a pipe without readers", poll(&hup, 1, 0) == 1 && (hup.revents & POLLERR));
	close(p[1]);
}

static void test_process_misc(void)
{
	pid_t me = getpid();
	pid_t child = fork();
	if (child == 0)
		_exit(getppid() == me ? 0 : 1);
	int status = 1;
	waitpid(child, &status, 0);
	check("getppid in a child names its parent", WIFEXITED(status) && WEXITSTATUS(status) == 0);
	check("getpgid and getsid of the caller", getpgid(0) >= 0 && getsid(0) >= 0);
	FAILS("getpgid of a missing pid fails with ESRCH", getpgid(99999), ESRCH);
	FAILS("setpgid of a missing pid fails with ESRCH", setpgid(99999, 0), ESRCH);
	FAILS("setpgid to a negative group fails with EINVAL", setpgid(0, -1), EINVAL);
	check("root's ids are 0", getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0);
	check("getgroups returns a count", getgroups(0, NULL) >= 0);
	struct rlimit rl;
	check("getrlimit(RLIMIT_NOFILE)", getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 0);
	FAILS("getrlimit of an unknown resource fails with EINVAL", getrlimit(999, &rl), EINVAL);
	struct sysinfo si;
	check("sysinfo reports memory and uptime", sysinfo(&si) == 0 && si.totalram > 0 && si.procs > 0);
	unsigned char rnd[32] = {0};
	check("getrandom fills the buffer", getrandom(rnd, sizeof rnd, 0) == sizeof rnd);
	FAILS("getrandom with a bad flag fails with EINVAL", getrandom(rnd, 8, 0x100), EINVAL);
	struct timeval tv;
	check("gettimeofday is wall-clock time", gettimeofday(&tv, NULL) == 0 && tv.tv_sec > 1700000000);
	struct timespec ts = {0, 1000000};
	check("clock_nanosleep sleeps", clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL) == 0);
	ts.tv_nsec = -1;
	check("clock_nanosleep with a bad time returns EINVAL", clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL) == EINVAL);
	char cwd[1];
	FAILS("getcwd into 1 byte fails with ERANGE", getcwd(cwd, sizeof cwd) ? 0 : -1, ERANGE);
}

int main(void)
{
	test_io();
	test_dirs_links();
	test_modes_times();
	test_fds_poll();
	test_process_misc();
	return done();
}
