//! futex(2) operations and flags (`include/uapi/linux/futex.h`).

/// Wait while `*uaddr == val`.
pub const FUTEX_WAIT: i32 = 0;
/// Wake up to `val` waiters.
pub const FUTEX_WAKE: i32 = 1;
/// Obsolete.
pub const FUTEX_FD: i32 = 2;
/// Wake some, move the rest to `uaddr2`.
pub const FUTEX_REQUEUE: i32 = 3;
/// `FUTEX_REQUEUE` if `*uaddr == val3`.
pub const FUTEX_CMP_REQUEUE: i32 = 4;
/// Operate on `uaddr2` and wake on both.
pub const FUTEX_WAKE_OP: i32 = 5;
/// Priority-inheritance lock.
pub const FUTEX_LOCK_PI: i32 = 6;
/// Priority-inheritance unlock.
pub const FUTEX_UNLOCK_PI: i32 = 7;
/// Priority-inheritance try-lock.
pub const FUTEX_TRYLOCK_PI: i32 = 8;
/// Wait with a wake-up bitset (absolute timeout).
pub const FUTEX_WAIT_BITSET: i32 = 9;
/// Wake waiters whose bitset intersects `val3`.
pub const FUTEX_WAKE_BITSET: i32 = 10;
/// Wait to be requeued onto a PI futex.
pub const FUTEX_WAIT_REQUEUE_PI: i32 = 11;
/// Requeue onto a PI futex.
pub const FUTEX_CMP_REQUEUE_PI: i32 = 12;
/// `FUTEX_LOCK_PI` with a selectable clock.
pub const FUTEX_LOCK_PI2: i32 = 13;

/// Or'ed into the op: the futex is private to the process.
pub const FUTEX_PRIVATE_FLAG: i32 = 128;
/// Or'ed into the op: the timeout is on `CLOCK_REALTIME`.
pub const FUTEX_CLOCK_REALTIME: i32 = 256;
/// The mask that extracts the command from an op.
pub const FUTEX_CMD_MASK: i32 = !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
/// The bitset that matches every waiter.
pub const FUTEX_BITSET_MATCH_ANY: u32 = u32::MAX;

/// Robust futex word bit: the owner died.
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
/// Robust futex word bit: there are waiters.
pub const FUTEX_WAITERS: u32 = 0x8000_0000;
/// Robust futex word: the owner's tid.
pub const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
