//! Loading static and static-PIE ELF executables into a fresh address space.
//!
//! The file is parsed with bounds-checked reads (a malformed file gets `ENOEXEC`, never a
//! panic). Every `PT_LOAD` segment's pages are reserved as anonymous memory, the file bytes
//! copied in (the rest stays zero: `.bss` and the page tails), and then each page gets the union
//! of the permissions of the segments that cover it. See elf(5).

use alloc::vec::Vec;

use frame::mm::PAGE_SIZE;
use frame::mm::vm::{NoFilePages, PageProp, Status, UserSpace, VmError};

use crate::Errno;

const PT_LOAD: u32 = 1;
const PT_INTERP: u32 = 3;
const PT_PHDR: u32 = 6;
const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PF_R: u32 = 4;

/// The ELF machine this kernel runs.
#[cfg(target_arch = "x86_64")]
const MACHINE: u16 = 62;
#[cfg(target_arch = "riscv64")]
const MACHINE: u16 = 243;

/// Where a position-independent executable is placed.
const PIE_BASE: usize = 0x2_0000_0000;

/// What the loader tells the process setup (for the auxiliary vector).
#[derive(Clone, Copy, Debug)]
pub struct LoadedImage {
    /// Entry point.
    pub entry: usize,
    /// Address of the program headers in memory.
    pub phdr: usize,
    /// Size of one program header.
    pub phent: usize,
    /// Number of program headers.
    pub phnum: usize,
    /// End of the highest segment (the initial program break).
    pub end: usize,
}

struct Segment {
    kind: u32,
    flags: u32,
    offset: usize,
    vaddr: usize,
    filesz: usize,
    memsz: usize,
}

fn read<const N: usize>(bytes: &[u8], at: usize) -> Result<[u8; N], Errno> {
    let end = at.checked_add(N).ok_or(Errno::ENOEXEC)?;
    bytes
        .get(at..end)
        .and_then(|b| b.try_into().ok())
        .ok_or(Errno::ENOEXEC)
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, Errno> {
    Ok(u16::from_le_bytes(read(b, at)?))
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, Errno> {
    Ok(u32::from_le_bytes(read(b, at)?))
}

fn u64_at(b: &[u8], at: usize) -> Result<usize, Errno> {
    Ok(u64::from_le_bytes(read(b, at)?) as usize)
}

fn map_err(e: VmError) -> Errno {
    match e {
        VmError::NoMemory => Errno::ENOMEM,
        _ => Errno::ENOEXEC,
    }
}

/// Loads the executable `file` into `space` (which should be empty).
pub fn load(space: &UserSpace, file: &[u8]) -> Result<LoadedImage, Errno> {
    if read::<4>(file, 0)? != *b"\x7fELF" || file[4] != 2 || file[5] != 1 {
        return Err(Errno::ENOEXEC); // not ELF, not 64-bit, not little-endian
    }
    let kind = u16_at(file, 16)?;
    if u16_at(file, 18)? != MACHINE || !(kind == ET_EXEC || kind == ET_DYN) {
        return Err(Errno::ENOEXEC);
    }
    let entry = u64_at(file, 24)?;
    let phoff = u64_at(file, 32)?;
    let phent = usize::from(u16_at(file, 54)?);
    let phnum = usize::from(u16_at(file, 56)?);
    if phent < 56 || phnum == 0 || phnum > 128 {
        return Err(Errno::ENOEXEC);
    }
    let mut segments = Vec::new();
    for i in 0..phnum {
        let at = phoff.checked_add(i * phent).ok_or(Errno::ENOEXEC)?;
        segments.push(Segment {
            kind: u32_at(file, at)?,
            flags: u32_at(file, at + 4)?,
            offset: u64_at(file, at + 8)?,
            vaddr: u64_at(file, at + 16)?,
            filesz: u64_at(file, at + 32)?,
            memsz: u64_at(file, at + 40)?,
        });
    }
    if segments.iter().any(|s| s.kind == PT_INTERP) {
        return Err(Errno::ENOEXEC); // dynamically linked: no loader yet
    }
    let bias = if kind == ET_DYN { PIE_BASE } else { 0 };
    let loads: Vec<&Segment> = segments
        .iter()
        .filter(|s| s.kind == PT_LOAD && s.memsz > 0)
        .collect();
    if loads.is_empty() {
        return Err(Errno::ENOEXEC);
    }
    let mut end = 0;
    let user_end = space.user_end();
    for s in &loads {
        let start = bias.checked_add(s.vaddr).ok_or(Errno::ENOEXEC)?;
        let stop = start
            .checked_add(s.memsz)
            .filter(|&e| e <= user_end)
            .ok_or(Errno::ENOEXEC)?;
        let file_end = s.offset.checked_add(s.filesz).ok_or(Errno::ENOEXEC)?;
        if s.filesz > s.memsz || file_end > file.len() {
            return Err(Errno::ENOEXEC);
        }
        let (first, last) = (start & !(PAGE_SIZE - 1), stop.next_multiple_of(PAGE_SIZE));
        let rw = PageProp::READ | PageProp::WRITE;
        space
            .mmap(Some(first), last - first, Status::Anonymous { prop: rw })
            .map_err(map_err)?;
        end = end.max(stop);
    }
    // Copy after every segment is reserved: segments may share a page.
    for s in &loads {
        let bytes = &file[s.offset..s.offset + s.filesz];
        space
            .write(bias + s.vaddr, bytes, &NoFilePages)
            .map_err(map_err)?;
    }
    for s in &loads {
        let (first, last) = (
            (bias + s.vaddr) & !(PAGE_SIZE - 1),
            (bias + s.vaddr + s.memsz).next_multiple_of(PAGE_SIZE),
        );
        for page in (first..last).step_by(PAGE_SIZE) {
            let mut prot = PageProp::empty();
            for other in &loads {
                let (o_first, o_last) = (
                    (bias + other.vaddr) & !(PAGE_SIZE - 1),
                    bias + other.vaddr + other.memsz,
                );
                if o_first <= page && page < o_last {
                    prot |= prop_of(other.flags);
                }
            }
            space.mprotect(page, PAGE_SIZE, prot).map_err(map_err)?;
        }
    }
    let phdr = match segments.iter().find(|s| s.kind == PT_PHDR) {
        Some(p) => bias + p.vaddr,
        None => loads
            .iter()
            .find(|s| s.offset <= phoff && phoff < s.offset + s.filesz)
            .map(|s| bias + s.vaddr + (phoff - s.offset))
            .ok_or(Errno::ENOEXEC)?,
    };
    Ok(LoadedImage {
        entry: bias + entry,
        phdr,
        phent,
        phnum,
        end,
    })
}

fn prop_of(flags: u32) -> PageProp {
    let mut prop = PageProp::empty();
    prop.set(PageProp::READ, flags & PF_R != 0);
    prop.set(PageProp::WRITE, flags & PF_W != 0);
    prop.set(PageProp::EXEC, flags & PF_X != 0);
    prop
}
