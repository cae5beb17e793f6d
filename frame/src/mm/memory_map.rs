//! The boot memory map: a short list of disjoint, page-aligned usable physical ranges.

use super::PAGE_SIZE;

const MAX_REGIONS: usize = 64;

/// Usable physical memory at boot, as disjoint page-aligned `[start, end)` ranges.
pub(crate) struct MemoryMap {
    regions: [(usize, usize); MAX_REGIONS],
    len: usize,
}

impl MemoryMap {
    /// An empty map.
    pub(crate) const fn new() -> Self {
        Self {
            regions: [(0, 0); MAX_REGIONS],
            len: 0,
        }
    }

    /// Adds usable RAM `[start, end)`, shrunk inwards to page boundaries.
    pub(crate) fn add(&mut self, start: usize, end: usize) {
        let (start, end) = (start.next_multiple_of(PAGE_SIZE), end & !(PAGE_SIZE - 1));
        if start < end && self.len < MAX_REGIONS {
            self.regions[self.len] = (start, end);
            self.len += 1;
        }
    }

    /// Removes `[start, end)` (widened to page boundaries) from the usable ranges.
    pub(crate) fn reserve(&mut self, start: usize, end: usize) {
        let (start, end) = (start & !(PAGE_SIZE - 1), end.next_multiple_of(PAGE_SIZE));
        let old = self.regions;
        let old_len = self.len;
        self.len = 0;
        for &(s, e) in &old[..old_len] {
            if e <= start || end <= s {
                self.add(s, e);
            } else {
                self.add(s, start.max(s));
                self.add(end.min(e), e);
            }
        }
    }

    /// Drops everything at or above `limit`.
    pub(crate) fn clip(&mut self, limit: usize) {
        self.reserve(limit, usize::MAX & !(PAGE_SIZE - 1));
    }

    /// Takes `size` bytes (a multiple of the page size) from the end of the largest range.
    pub(crate) fn take(&mut self, size: usize) -> Option<usize> {
        let region = self.regions[..self.len]
            .iter_mut()
            .max_by_key(|(s, e)| e - s)?;
        if region.1 - region.0 < size {
            return None;
        }
        region.1 -= size;
        Some(region.1)
    }

    /// The usable ranges.
    pub(crate) fn regions(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.regions[..self.len]
            .iter()
            .copied()
            .filter(|(s, e)| s < e)
    }

    /// Total usable bytes.
    pub(crate) fn total(&self) -> usize {
        self.regions().map(|(s, e)| e - s).sum()
    }

    /// The lowest and one past the highest usable frame number.
    pub(crate) fn pfn_bounds(&self) -> (usize, usize) {
        let start = self.regions().map(|(s, _)| s).min().unwrap_or(0);
        let end = self.regions().map(|(_, e)| e).max().unwrap_or(0);
        (start / PAGE_SIZE, end / PAGE_SIZE)
    }
}

crate::ktest! {
    fn reserve_splits_and_aligns() {
        let mut map = MemoryMap::new();
        map.add(0x1000, 0x10_0000);
        map.add(0x20_0001, 0x30_0000); // start rounds up to 0x20_1000
        map.reserve(0x8800, 0x9000); // widened to 0x8000..0x9000
        let got: [(usize, usize); 3] = core::array::from_fn(|i| map.regions().nth(i).unwrap());
        assert_eq!(got, [(0x1000, 0x8000), (0x9000, 0x10_0000), (0x20_1000, 0x30_0000)]);
        assert_eq!(map.total(), 0x7000 + 0xf7000 + 0xff000);
        assert_eq!(map.take(0x10_0000), None);
        assert_eq!(map.take(0x1000), Some(0x2f_f000));
        map.clip(0x5000);
        assert_eq!(map.regions().count(), 1);
        assert_eq!(map.pfn_bounds(), (1, 5));
    }
}
