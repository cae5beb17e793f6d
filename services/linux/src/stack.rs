//! The initial user stack of a new program: argc, argv, envp and the auxiliary vector, with
//! the strings and the 16 random bytes (`AT_RANDOM`) above them, as the System V ABI and
//! Linux's `create_elf_tables` lay them out. `sp` ends 16-byte aligned, pointing at argc.

use alloc::vec::Vec;

use frame::mm::vm::{NoFilePages, PageProp, Status, UserSpace};

use crate::Errno;
use crate::elf::LoadedImage;

const AT_NULL: usize = 0;
const AT_PHDR: usize = 3;
const AT_PHENT: usize = 4;
const AT_PHNUM: usize = 5;
const AT_PAGESZ: usize = 6;
const AT_BASE: usize = 7;
const AT_ENTRY: usize = 9;
const AT_UID: usize = 11;
const AT_EUID: usize = 12;
const AT_GID: usize = 13;
const AT_EGID: usize = 14;
const AT_HWCAP: usize = 16;
const AT_CLKTCK: usize = 17;
const AT_SECURE: usize = 23;
const AT_RANDOM: usize = 25;
const AT_EXECFN: usize = 31;

/// Size of the stack reservation (populated on demand).
pub const STACK_SIZE: usize = 8 << 20;

/// Top of the user stack.
pub fn stack_top(space: &UserSpace) -> usize {
    space.user_end() - 0x1000
}

/// Reserves the stack and writes the initial frame; returns the initial stack pointer.
pub fn build(
    space: &UserSpace,
    image: &LoadedImage,
    argv: &[&[u8]],
    envp: &[&[u8]],
    random: [u8; 16],
) -> Result<usize, Errno> {
    let top = stack_top(space);
    let rw = PageProp::READ | PageProp::WRITE;
    space
        .mmap(
            Some(top - STACK_SIZE),
            STACK_SIZE,
            Status::Anonymous { prop: rw },
        )
        .map_err(|_| Errno::ENOMEM)?;

    // Strings and random bytes, from the top down.
    let mut strings = Vec::new();
    let mut place = |bytes: &[u8], nul: bool| {
        strings.extend_from_slice(bytes);
        if nul {
            strings.push(0);
        }
        strings.len()
    };
    let ends_argv: Vec<usize> = argv.iter().map(|a| place(a, true)).collect();
    let ends_envp: Vec<usize> = envp.iter().map(|e| place(e, true)).collect();
    let end_random = place(&random, false);
    let area = strings.len().next_multiple_of(16);
    if area > STACK_SIZE / 4 {
        return Err(Errno::E2BIG);
    }
    let base = top - area;
    let addr_of = |end: usize, len: usize| base + end - len;

    let mut words: Vec<usize> = Vec::new();
    words.push(argv.len());
    for (a, &end) in argv.iter().zip(&ends_argv) {
        words.push(addr_of(end, a.len() + 1));
    }
    words.push(0);
    for (e, &end) in envp.iter().zip(&ends_envp) {
        words.push(addr_of(end, e.len() + 1));
    }
    words.push(0);
    let execfn = ends_argv
        .first()
        .map_or(0, |&end| addr_of(end, argv[0].len() + 1));
    for (key, value) in [
        (AT_PHDR, image.phdr),
        (AT_PHENT, image.phent),
        (AT_PHNUM, image.phnum),
        (AT_PAGESZ, frame::mm::PAGE_SIZE),
        (AT_BASE, 0),
        (AT_ENTRY, image.entry),
        (AT_UID, 0),
        (AT_EUID, 0),
        (AT_GID, 0),
        (AT_EGID, 0),
        (AT_HWCAP, 0),
        (AT_CLKTCK, 100),
        (AT_SECURE, 0),
        (AT_RANDOM, addr_of(end_random, 16)),
        (AT_EXECFN, execfn),
        (AT_NULL, 0),
    ] {
        words.push(key);
        words.push(value);
    }
    let sp = (base - words.len() * 8) & !15;
    let mut frame_bytes = Vec::with_capacity(words.len() * 8);
    for w in &words {
        frame_bytes.extend_from_slice(&(*w as u64).to_le_bytes());
    }
    space
        .write(base, &strings, &NoFilePages)
        .map_err(|_| Errno::EFAULT)?;
    space
        .write(sp, &frame_bytes, &NoFilePages)
        .map_err(|_| Errno::EFAULT)?;
    Ok(sp)
}
