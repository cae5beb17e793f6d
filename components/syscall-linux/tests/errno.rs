//! Error numbers: values, names, encoding of results.

use syscall_linux::{Errno, SysResult, encode_result};

#[test]
fn well_known_values() {
    let pins = [
        (Errno::EPERM, 1),
        (Errno::ENOENT, 2),
        (Errno::ESRCH, 3),
        (Errno::EINTR, 4),
        (Errno::EIO, 5),
        (Errno::E2BIG, 7),
        (Errno::ENOEXEC, 8),
        (Errno::EBADF, 9),
        (Errno::ECHILD, 10),
        (Errno::EAGAIN, 11),
        (Errno::ENOMEM, 12),
        (Errno::EACCES, 13),
        (Errno::EFAULT, 14),
        (Errno::EBUSY, 16),
        (Errno::EEXIST, 17),
        (Errno::EXDEV, 18),
        (Errno::ENODEV, 19),
        (Errno::ENOTDIR, 20),
        (Errno::EISDIR, 21),
        (Errno::EINVAL, 22),
        (Errno::ENFILE, 23),
        (Errno::EMFILE, 24),
        (Errno::ENOTTY, 25),
        (Errno::EFBIG, 27),
        (Errno::ENOSPC, 28),
        (Errno::ESPIPE, 29),
        (Errno::EROFS, 30),
        (Errno::EMLINK, 31),
        (Errno::EPIPE, 32),
        (Errno::ERANGE, 34),
        (Errno::EDEADLK, 35),
        (Errno::ENAMETOOLONG, 36),
        (Errno::ENOSYS, 38),
        (Errno::ENOTEMPTY, 39),
        (Errno::ELOOP, 40),
        (Errno::ENOMSG, 42),
        (Errno::EBFONT, 59),
        (Errno::ENODATA, 61),
        (Errno::ETIME, 62),
        (Errno::EOVERFLOW, 75),
        (Errno::EILSEQ, 84),
        (Errno::ENOTSOCK, 88),
        (Errno::EOPNOTSUPP, 95),
        (Errno::EAFNOSUPPORT, 97),
        (Errno::EADDRINUSE, 98),
        (Errno::ECONNRESET, 104),
        (Errno::ENOTCONN, 107),
        (Errno::ETIMEDOUT, 110),
        (Errno::ECONNREFUSED, 111),
        (Errno::EINPROGRESS, 115),
        (Errno::ESTALE, 116),
        (Errno::EDQUOT, 122),
        (Errno::ECANCELED, 125),
        (Errno::EOWNERDEAD, 130),
        (Errno::ENOTRECOVERABLE, 131),
        (Errno::ERFKILL, 132),
        (Errno::EHWPOISON, 133),
        (Errno::ERESTARTSYS, 512),
        (Errno::ERESTART_RESTARTBLOCK, 516),
    ];
    for (e, v) in pins {
        assert_eq!(e.as_i32(), v, "{e}");
        assert_eq!(e.as_isize(), -(v as isize));
        assert_eq!(Errno::from_raw(v), Some(e));
    }
}

#[test]
fn every_user_errno_is_defined_except_aliases() {
    // 1..=133 all exist except 41 (EWOULDBLOCK = EAGAIN) and 58 (EDEADLOCK = EDEADLK).
    for v in 1..=133 {
        assert_eq!(Errno::from_raw(v).is_some(), v != 41 && v != 58, "{v}");
    }
    assert_eq!(Errno::ALL.len(), 131 + 5);
    assert_eq!(Errno::from_raw(0), None);
    assert_eq!(Errno::from_raw(134), None);
    assert_eq!(Errno::from_raw(-1), None);
    assert!(Errno::ALL.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn aliases_and_names() {
    assert_eq!(Errno::EWOULDBLOCK, Errno::EAGAIN);
    assert_eq!(Errno::EDEADLOCK, Errno::EDEADLK);
    assert_eq!(Errno::ENOTSUP, Errno::EOPNOTSUPP);
    assert_eq!(Errno::ENOENT.name(), "ENOENT");
    assert_eq!(Errno::ENOSYS.to_string(), "ENOSYS");
    assert_eq!(format!("{:?}", Errno::EINVAL), "EINVAL");
    for &e in Errno::ALL {
        assert_eq!(Errno::from_raw(e.as_i32()), Some(e));
        assert!(e.name().starts_with('E'));
        assert_eq!(e.is_kernel_internal(), e.as_i32() >= 512);
    }
}

#[test]
fn result_encoding() {
    let ok: SysResult = Ok(42);
    assert_eq!(encode_result(ok), 42);
    assert_eq!(encode_result(Err(Errno::ENOENT)), -2);
    assert_eq!(encode_result(Err(Errno::EHWPOISON)), -133);
    assert_eq!(Errno::from_ret(-2), Some(Errno::ENOENT));
    assert_eq!(Errno::from_ret(-4095), None); // in the error range, but not a defined errno
    assert_eq!(Errno::from_ret(-4096), None);
    assert_eq!(Errno::from_ret(3), None);
}
