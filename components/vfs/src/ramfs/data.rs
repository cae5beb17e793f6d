//! The contents of a ramfs regular file: sparse 4 KiB pages.
//!
//! Pages never written are holes that read as zeros, so `truncate -s 1G` or a write far past the
//! end costs nothing until data lands there. Allocation is fallible: running out of memory or of
//! the file system's capacity gives `ENOSPC` (tmpfs's errno), never a panic.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::collections::btree_map::Entry;
use alloc::vec::Vec;

use super::FsShared;
use crate::error::{Error, Result};

/// Page size of file data.
pub(crate) const PAGE: usize = 4096;

/// Largest file size (`MAX_LFS_FILESIZE`); writes or truncations beyond give `EFBIG`.
pub(crate) const MAX_FILE_SIZE: u64 = i64::MAX as u64;

/// A file's size and pages.
#[derive(Default)]
pub(crate) struct FileData {
    pub(crate) size: u64,
    pages: BTreeMap<u64, Box<[u8]>>,
}

impl FileData {
    /// Number of pages holding data.
    pub(crate) fn pages(&self) -> u64 {
        self.pages.len() as u64
    }

    /// Reads at `offset`; holes read as zeros.
    pub(crate) fn read(&self, offset: u64, buf: &mut [u8]) -> usize {
        if offset >= self.size {
            return 0;
        }
        let n = buf
            .len()
            .min((self.size - offset).min(usize::MAX as u64) as usize);
        let mut done = 0;
        while done < n {
            let pos = offset + done as u64;
            let (index, in_page) = (pos / PAGE as u64, (pos % PAGE as u64) as usize);
            let len = (PAGE - in_page).min(n - done);
            let dst = &mut buf[done..done + len];
            match self.pages.get(&index) {
                Some(page) => dst.copy_from_slice(&page[in_page..in_page + len]),
                None => dst.fill(0),
            }
            done += len;
        }
        n
    }

    /// Writes at `offset`, allocating pages; a short count if space runs out part way.
    pub(crate) fn write(&mut self, fs: &FsShared, offset: u64, buf: &[u8]) -> Result<usize> {
        let end = offset
            .checked_add(buf.len() as u64)
            .filter(|&e| e <= MAX_FILE_SIZE)
            .ok_or(Error::EFBIG)?;
        if buf.is_empty() {
            return Ok(0);
        }
        let mut done = 0;
        while done < buf.len() {
            let pos = offset + done as u64;
            let (index, in_page) = (pos / PAGE as u64, (pos % PAGE as u64) as usize);
            let len = (PAGE - in_page).min(buf.len() - done);
            let page = match self.page_mut(fs, index) {
                Ok(page) => page,
                Err(e) if done == 0 => return Err(e),
                Err(_) => break,
            };
            page[in_page..in_page + len].copy_from_slice(&buf[done..done + len]);
            done += len;
        }
        let written_end = if done == buf.len() {
            end
        } else {
            offset + done as u64
        };
        self.size = self.size.max(written_end);
        Ok(done)
    }

    /// Sets the size, freeing pages past it and zeroing the tail of the last one.
    pub(crate) fn truncate(&mut self, fs: &FsShared, len: u64) -> Result<()> {
        if len > MAX_FILE_SIZE {
            return Err(Error::EFBIG);
        }
        if len < self.size {
            let first_gone = len.div_ceil(PAGE as u64);
            let gone = self.pages.split_off(&first_gone);
            fs.release_pages(gone.len() as u64);
            let in_page = (len % PAGE as u64) as usize;
            if in_page != 0
                && let Some(page) = self.pages.get_mut(&(len / PAGE as u64))
            {
                page[in_page..].fill(0);
            }
        }
        self.size = len;
        Ok(())
    }

    /// Frees every page (when the file's last reference goes).
    pub(crate) fn clear(&mut self, fs: &FsShared) {
        fs.release_pages(self.pages.len() as u64);
        self.pages.clear();
        self.size = 0;
    }

    fn page_mut(&mut self, fs: &FsShared, index: u64) -> Result<&mut [u8]> {
        match self.pages.entry(index) {
            Entry::Occupied(page) => Ok(page.into_mut()),
            Entry::Vacant(slot) => {
                fs.reserve_pages(1)?;
                let mut page = Vec::new();
                if page.try_reserve_exact(PAGE).is_err() {
                    fs.release_pages(1);
                    return Err(Error::ENOSPC);
                }
                page.resize(PAGE, 0);
                Ok(slot.insert(page.into_boxed_slice()))
            }
        }
    }
}
