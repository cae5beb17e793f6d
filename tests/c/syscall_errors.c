/* Error cases of implemented system calls: each check prints PASS or FAIL with the errno seen.
 * The expected errnos are Linux's (see each call's man page). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int passed, failed;

static void check(const char *name, long ret, int want_errno)
{
	if (ret == -1 && errno == want_errno) {
		printf("PASS %s\n", name);
		passed++;
	} else {
		printf("FAIL %s: ret %ld errno %d (%s), want errno %d\n", name, ret, errno, strerror(errno), want_errno);
		failed++;
	}
	errno = 0;
}

static void check_ok(const char *name, int ok)
{
	if (ok) {
		printf("PASS %s\n", name);
		passed++;
	} else {
		printf("FAIL %s\n", name);
		failed++;
	}
}

int main(void)
{
	char buf[16];
	struct stat st;
	int fds[2];

	check("read_bad_fd", read(99, buf, 1), EBADF);
	check("write_bad_fd", write(-1, buf, 1), EBADF);
	{
		/* Data is waiting in a pipe; the destination is unmapped. */
		char *volatile bad = (char *)8;
		pipe(fds);
		write(fds[1], "x", 1);
		check("read_bad_pointer", read(fds[0], bad, 1), EFAULT);
		close(fds[0]);
		close(fds[1]);
	}
	check("open_missing", open("/no/such/file", O_RDONLY), ENOENT);
	check("open_not_dir", open("/init/x", O_RDONLY), ENOTDIR);
	check("open_excl_exists", open("/init", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
	check("open_bad_path_pointer", open((const char *)16, O_RDONLY), EFAULT);
	check("mkdir_exists", mkdir("/tmp", 0755), EEXIST);
	check("rmdir_not_empty", rmdir("/tests"), ENOTEMPTY);
	check("unlink_dir", unlink("/tmp"), EISDIR);
	check("stat_missing", stat("/nope", &st), ENOENT);
	check("chdir_file", chdir("/init"), ENOTDIR);
	check("lseek_pipe", (pipe(fds), lseek(fds[0], 0, SEEK_SET)), ESPIPE);
	close(fds[1]);
	check_ok("read_pipe_eof", read(fds[0], buf, 1) == 0);
	close(fds[0]);
	check("dup2_bad_fd", dup2(77, 3), EBADF);
	check("fcntl_bad_cmd", fcntl(0, 9999), EINVAL);
	check("mmap_zero_length", (long)mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	check("mmap_unaligned_offset", (long)mmap(0, 4096, PROT_READ, MAP_PRIVATE, 0, 1), EINVAL);
	check("munmap_unaligned", munmap((void *)0x1001, 4096), EINVAL);
	check("mprotect_unmapped", mprotect((void *)0x7000000000, 4096, PROT_READ), ENOMEM);
	check("kill_no_such_process", kill(99999, SIGTERM), ESRCH);
	check("kill_bad_signal", kill(getpid(), 999), EINVAL);
	check("waitpid_no_children", waitpid(-1, 0, WNOHANG), ECHILD);
	check("sigaction_sigkill", sigaction(SIGKILL, &(struct sigaction){ .sa_handler = SIG_IGN }, 0), EINVAL);
	check("getcwd_too_small", getcwd(buf, 1) ? 0 : -1, ERANGE);
	check("unknown_syscall", syscall(4000), ENOSYS);
	check("execve_missing", execve("/no/such/program", (char *[]){ "x", 0 }, (char *[]){ 0 }), ENOENT);
	check("execve_not_executable", execve("/etc/init.cmd.missing", (char *[]){ "x", 0 }, (char *[]){ 0 }), ENOENT);
	printf("DONE %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
