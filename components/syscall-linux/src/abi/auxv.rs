//! ELF auxiliary-vector keys (`AT_*`), which the kernel places on a new process's stack after
//! the environment. See getauxval(3), `include/uapi/linux/auxvec.h`.
//!
//! These are not the `AT_*` flags of the `*at` calls ([`crate::abi::fcntl::AtFlags`]).

/// End of the vector.
pub const AT_NULL: usize = 0;
/// Entry to ignore.
pub const AT_IGNORE: usize = 1;
/// File descriptor of the program.
pub const AT_EXECFD: usize = 2;
/// Address of the program headers.
pub const AT_PHDR: usize = 3;
/// Size of one program header.
pub const AT_PHENT: usize = 4;
/// Number of program headers.
pub const AT_PHNUM: usize = 5;
/// Page size.
pub const AT_PAGESZ: usize = 6;
/// Load address of the interpreter (dynamic loader).
pub const AT_BASE: usize = 7;
/// Flags (0).
pub const AT_FLAGS: usize = 8;
/// Entry point of the program.
pub const AT_ENTRY: usize = 9;
/// The program is not ELF.
pub const AT_NOTELF: usize = 10;
/// Real user id.
pub const AT_UID: usize = 11;
/// Effective user id.
pub const AT_EUID: usize = 12;
/// Real group id.
pub const AT_GID: usize = 13;
/// Effective group id.
pub const AT_EGID: usize = 14;
/// Address of a string naming the platform.
pub const AT_PLATFORM: usize = 15;
/// CPU capability bits.
pub const AT_HWCAP: usize = 16;
/// Clock ticks per second for times(2).
pub const AT_CLKTCK: usize = 17;
/// Secure mode (set-ID program): 1 or 0.
pub const AT_SECURE: usize = 23;
/// Address of a string naming the real platform.
pub const AT_BASE_PLATFORM: usize = 24;
/// Address of 16 random bytes.
pub const AT_RANDOM: usize = 25;
/// More CPU capability bits.
pub const AT_HWCAP2: usize = 26;
/// rseq feature size.
pub const AT_RSEQ_FEATURE_SIZE: usize = 27;
/// rseq allocation alignment.
pub const AT_RSEQ_ALIGN: usize = 28;
/// Address of the file name of the program.
pub const AT_EXECFN: usize = 31;
/// Address of the vDSO's ELF header.
pub const AT_SYSINFO_EHDR: usize = 33;
/// Minimal signal stack size the kernel needs for this CPU.
pub const AT_MINSIGSTKSZ: usize = 51;
