//! devfs: the memory devices, kernel-supplied devices, device nodes elsewhere.

mod common;

use std::sync::{Arc, Mutex};

use common::{list, read_string, world};
use vfs::devfs::DevAttr;
use vfs::{
    Error, FileType, Inode, Metadata, OpenFlags, PollEvents, Result, Timespec, Whence, makedev,
    mode,
};

#[test]
fn memory_devices() {
    let w = world();
    let (vfs, ctx) = (&w.vfs, &w.ctx);
    let names = list(vfs, ctx, "/dev");
    for n in [
        "null", "zero", "full", "random", "urandom", "pts", "shm", "fd", "stdin",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    let m = vfs.stat(ctx, "/dev/null", true).unwrap();
    assert_eq!(m.mode, mode::S_IFCHR | 0o666);
    assert_eq!(m.rdev, makedev(1, 3));
    let rw = OpenFlags::RDWR;
    let mut buf = [9u8; 64];
    let null = vfs.open(ctx, "/dev/null", rw, 0).unwrap();
    assert_eq!(null.read(&mut buf).unwrap(), 0);
    assert_eq!(null.write(b"gone").unwrap(), 4);
    assert_eq!(null.seek(0, Whence::Set).unwrap(), 0);
    let zero = vfs.open(ctx, "/dev/zero", rw, 0).unwrap();
    assert_eq!(zero.read(&mut buf).unwrap(), 64);
    assert_eq!(buf, [0; 64]);
    assert_eq!(zero.write(b"x").unwrap(), 1);
    let full = vfs.open(ctx, "/dev/full", rw, 0).unwrap();
    assert_eq!(full.write(b"x").unwrap_err(), Error::ENOSPC);
    assert_eq!(full.read(&mut buf[..8]).unwrap(), 8);
    let random = vfs
        .open(ctx, "/dev/urandom", OpenFlags::empty(), 0)
        .unwrap();
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    random.read(&mut a).unwrap();
    random.read(&mut b).unwrap();
    assert_ne!(a, b);
    assert_ne!(a, [0; 32]);
    // Shell redirections to /dev/null truncate: O_TRUNC on a device is harmless.
    vfs.open(
        ctx,
        "/dev/null",
        OpenFlags::WRONLY | OpenFlags::CREAT | OpenFlags::TRUNC,
        0o666,
    )
    .unwrap();
    assert_eq!(vfs.readlink(ctx, "/dev/stdout").unwrap(), "/proc/self/fd/1");
    // /dev/shm is a sticky, writable directory.
    vfs.mkdir(ctx, "/dev/shm/x", 0o755).unwrap();
    assert_eq!(vfs.stat(ctx, "/dev/shm", true).unwrap().perm(), 0o1777);
}

/// A terminal the kernel would supply: a line of input, output collected.
struct FakeTty {
    attr: DevAttr,
    input: Mutex<Vec<u8>>,
    output: Mutex<Vec<u8>>,
}

impl Inode for FakeTty {
    fn metadata(&self) -> Metadata {
        self.attr.metadata()
    }
    fn read_at(&self, _: u64, buf: &mut [u8]) -> Result<usize> {
        let mut input = self.input.lock().unwrap();
        if input.is_empty() {
            return Err(Error::EAGAIN);
        }
        let n = buf.len().min(input.len());
        buf[..n].copy_from_slice(&input[..n]);
        input.drain(..n);
        Ok(n)
    }
    fn write_at(&self, _: u64, buf: &[u8]) -> Result<usize> {
        self.output.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn is_seekable(&self) -> bool {
        false
    }
    fn poll(&self, events: PollEvents) -> PollEvents {
        let mut ready = PollEvents::OUT;
        if !self.input.lock().unwrap().is_empty() {
            ready |= PollEvents::IN;
        }
        ready & events
    }
    fn ioctl(&self, cmd: u32, _arg: usize) -> Result<usize> {
        match cmd {
            0x5401 => Ok(0), // TCGETS
            _ => Err(Error::ENOTTY),
        }
    }
    fn set_mode(&self, m: u32) -> Result<()> {
        self.attr.set_mode(m)
    }
    fn set_owner(&self, u: Option<u32>, g: Option<u32>) -> Result<()> {
        self.attr.set_owner(u, g)
    }
    fn set_times(&self, a: Option<Timespec>, m: Option<Timespec>) -> Result<()> {
        self.attr.set_times(a, m)
    }
}

#[test]
fn kernel_supplied_console_and_device_nodes() {
    let w = world();
    let (vfs, ctx) = (&w.vfs, &w.ctx);
    let tty = Arc::new(FakeTty {
        attr: DevAttr::new(
            FileType::CharDevice,
            makedev(5, 1),
            0o600,
            w.devfs.dev(),
            w.devfs.hooks().clone(),
        ),
        input: Mutex::new(b"ls\n".to_vec()),
        output: Mutex::new(Vec::new()),
    });
    w.devfs.add("console", tty.clone()).unwrap();
    assert_eq!(
        w.devfs.add("console", tty.clone()).unwrap_err(),
        Error::EEXIST
    );
    let con = vfs.open(ctx, "/dev/console", OpenFlags::RDWR, 0).unwrap();
    con.write(b"$ ").unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(con.read(&mut buf).unwrap(), 3);
    assert_eq!(con.read(&mut buf).unwrap_err(), Error::EAGAIN);
    assert_eq!(con.seek(0, Whence::Cur).unwrap_err(), Error::ESPIPE);
    assert_eq!(con.ioctl(0x5401, 0).unwrap(), 0);
    assert_eq!(con.ioctl(0x1234, 0).unwrap_err(), Error::ENOTTY);
    assert_eq!(*tty.output.lock().unwrap(), b"$ ");
    // A node made elsewhere (as an initramfs has /dev/console) opens the same driver.
    vfs.mknod(ctx, "/console", mode::S_IFCHR | 0o600, makedev(5, 1))
        .unwrap();
    let other = vfs.open(ctx, "/console", OpenFlags::WRONLY, 0).unwrap();
    other.write(b"!").unwrap();
    assert_eq!(*tty.output.lock().unwrap(), b"$ !");
    assert_eq!(
        other.metadata().ino,
        vfs.stat(ctx, "/console", true).unwrap().ino
    );
    // Also for the memory devices, after /dev/null was removed and remade.
    vfs.unlink(ctx, "/dev/null").unwrap();
    vfs.mknod(ctx, "/dev/null", mode::S_IFCHR | 0o666, makedev(1, 3))
        .unwrap();
    let null = vfs.open(ctx, "/dev/null", OpenFlags::RDWR, 0).unwrap();
    assert_eq!(null.read(&mut buf).unwrap(), 0);
    // chmod on a device works.
    vfs.chmod(ctx, "/dev/console", 0o620).unwrap();
    assert_eq!(vfs.stat(ctx, "/dev/console", true).unwrap().perm(), 0o620);
    assert_eq!(read_string(vfs, ctx, "/dev/null"), "");
}
