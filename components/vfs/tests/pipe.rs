//! Pipes and FIFOs: EOF, EPIPE, EAGAIN, atomicity, poll, FIFO opens (pipe(7), fifo(7)).

mod common;

use std::sync::Arc;

use common::{bare, hooks};
use vfs::pipe::{PIPE_BUF, PIPE_CAPACITY};
use vfs::{Error, FileType, OpenFlags, PollEvents, VfsHooks, Whence, mode, pipe};

fn new_pipe() -> (Arc<vfs::File>, Arc<vfs::File>) {
    let (_, h) = hooks();
    pipe(h, OpenFlags::empty())
}

#[test]
fn data_eof_and_epipe() {
    let (r, w) = new_pipe();
    let mut buf = [0u8; 16];
    assert_eq!(
        r.read(&mut buf).unwrap_err(),
        Error::EAGAIN,
        "empty, writer open"
    );
    assert_eq!(w.write(b"hello").unwrap(), 5);
    assert_eq!(r.read(&mut buf[..3]).unwrap(), 3);
    assert_eq!(&buf[..3], b"hel");
    assert_eq!(r.read(&mut buf).unwrap(), 2);
    w.write(b"bye").unwrap();
    drop(w);
    // Queued data first, then end of file.
    assert_eq!(r.read(&mut buf).unwrap(), 3);
    assert_eq!(r.read(&mut buf).unwrap(), 0);
    let (r, w) = new_pipe();
    drop(r);
    assert_eq!(w.write(b"x").unwrap_err(), Error::EPIPE);
    assert_eq!(w.write(b"").unwrap(), 0);
}

#[test]
fn wrong_direction_and_seek() {
    let (r, w) = new_pipe();
    assert_eq!(r.write(b"x").unwrap_err(), Error::EBADF);
    let mut buf = [0u8; 1];
    assert_eq!(w.read(&mut buf).unwrap_err(), Error::EBADF);
    assert_eq!(r.seek(0, Whence::Set).unwrap_err(), Error::ESPIPE);
    assert_eq!(w.write_at(0, b"x").unwrap_err(), Error::ESPIPE);
    let m = r.metadata();
    assert_eq!(m.file_type(), FileType::Fifo);
    assert_eq!(m.ino, w.metadata().ino);
    assert_eq!(r.proc_path(), format!("pipe:[{}]", m.ino));
}

#[test]
fn capacity_and_atomic_writes() {
    let (r, w) = new_pipe();
    let chunk = vec![1u8; 10_000];
    let mut total = 0;
    loop {
        match w.write(&chunk) {
            Ok(n) => total += n,
            Err(e) => {
                assert_eq!(e, Error::EAGAIN);
                break;
            }
        }
    }
    assert_eq!(total, PIPE_CAPACITY);
    assert!(!w.poll(PollEvents::OUT).contains(PollEvents::OUT));
    // Free less than PIPE_BUF: a small write that does not fit entirely waits.
    let mut buf = vec![0u8; 100];
    r.read(&mut buf).unwrap();
    assert_eq!(w.write(&[2u8; 101]).unwrap_err(), Error::EAGAIN);
    assert_eq!(w.write(&[2u8; 100]).unwrap(), 100);
    // A large write is partial.
    let mut big = vec![0u8; PIPE_BUF * 2];
    r.read(&mut big).unwrap();
    assert_eq!(w.write(&vec![3u8; PIPE_BUF * 4]).unwrap(), PIPE_BUF * 2);
}

#[test]
fn poll_readiness() {
    let (h, hd) = hooks();
    let (r, w) = pipe(hd, OpenFlags::NONBLOCK);
    assert!(r.is_nonblocking());
    let all = PollEvents::IN | PollEvents::OUT;
    assert_eq!(r.poll(all), PollEvents::empty());
    assert_eq!(w.poll(all), PollEvents::OUT);
    let wakes = h.wake_count();
    w.write(b"x").unwrap();
    assert!(h.wake_count() > wakes, "a write wakes readers");
    assert_eq!(r.poll(all), PollEvents::IN);
    assert_eq!(r.wait_key(), w.wait_key());
    assert!(r.wait_key().is_some());
    drop(w);
    assert_eq!(r.poll(all), PollEvents::IN | PollEvents::HUP);
    let (r2, w2) = new_pipe();
    drop(r2);
    assert!(w2.poll(PollEvents::OUT).contains(PollEvents::ERR));
}

#[test]
fn threads_stream_through_a_pipe() {
    let (r, w) = new_pipe();
    let expected: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let data = expected.clone();
    let writer = std::thread::spawn(move || {
        let mut rest = &data[..];
        while !rest.is_empty() {
            match w.write(rest) {
                Ok(n) => rest = &rest[n..],
                Err(Error::EAGAIN) => std::thread::yield_now(),
                Err(e) => panic!("{e}"),
            }
        }
    });
    let mut got = Vec::new();
    let mut buf = [0u8; 7000];
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(Error::EAGAIN) => std::thread::yield_now(),
            Err(e) => panic!("{e}"),
        }
    }
    writer.join().unwrap();
    assert_eq!(got, expected);
}

#[test]
fn fifo_opens() {
    let (vfs, ctx) = bare();
    vfs.mknod(&ctx, "/fifo", mode::S_IFIFO | 0o666, 0).unwrap();
    // A non-blocking writer with no reader: ENXIO.
    assert_eq!(
        vfs.open(&ctx, "/fifo", OpenFlags::WRONLY | OpenFlags::NONBLOCK, 0)
            .unwrap_err(),
        Error::ENXIO
    );
    // A blocking reader with no writer waits for one at its first read...
    let r = vfs.open(&ctx, "/fifo", OpenFlags::empty(), 0).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(r.read(&mut buf).unwrap_err(), Error::EAGAIN);
    assert_eq!(r.poll(PollEvents::IN), PollEvents::empty());
    let w = vfs.open(&ctx, "/fifo", OpenFlags::WRONLY, 0).unwrap();
    w.write(b"hi").unwrap();
    drop(w);
    assert_eq!(r.read(&mut buf).unwrap(), 2);
    // ...and once a writer has come and gone, reads see end of file.
    assert_eq!(r.read(&mut buf).unwrap(), 0);
    // fstat names the FIFO.
    let m = r.metadata();
    assert_eq!(m.ino, vfs.stat(&ctx, "/fifo", true).unwrap().ino);
    drop(r);
    // A blocking writer with no reader waits at its first write, then gets EPIPE only after a
    // reader came and went.
    let w = vfs.open(&ctx, "/fifo", OpenFlags::WRONLY, 0).unwrap();
    assert_eq!(w.write(b"x").unwrap_err(), Error::EAGAIN);
    let r = vfs.open(&ctx, "/fifo", OpenFlags::NONBLOCK, 0).unwrap();
    assert_eq!(w.write(b"x").unwrap(), 1);
    drop(r);
    assert_eq!(w.write(b"x").unwrap_err(), Error::EPIPE);
    // O_RDWR never waits.
    let rw = vfs.open(&ctx, "/fifo", OpenFlags::RDWR, 0).unwrap();
    rw.write(b"loop").unwrap();
    // The byte the writer left is still there: the FIFO never closed completely.
    assert_eq!(rw.read(&mut buf).unwrap(), 5);
    assert_eq!(&buf[..5], b"xloop");
    let fifo = vfs.resolve(&ctx, "/fifo", true).unwrap();
    let pipe = fifo.inode().fifo().unwrap();
    assert_eq!((pipe.readers(), pipe.writers()), (1, 2));
    rw.write(b"left over").unwrap();
    drop((rw, w));
    assert_eq!((pipe.readers(), pipe.writers()), (0, 0));
    assert!(pipe.is_empty(), "the last close discards the data");
}

#[test]
fn hooks_are_called_on_close() {
    let (h, hd): (_, Arc<dyn VfsHooks>) = hooks();
    let (r, w) = pipe(hd, OpenFlags::empty());
    let before = h.wake_count();
    drop(w);
    assert!(h.wake_count() > before);
    drop(r);
}
