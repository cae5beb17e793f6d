//! CPU masks: the set of CPUs a task may run on (`sched_setaffinity(2)`).
//!
//! A [`CpuMask`] is a fixed bitmap of [`CpuMask::MAX_CPUS`] bits; CPU numbers at or above that
//! are never members. Conversions to and from the little-endian byte layout of Linux's
//! `cpu_set_t` serve the system calls.

/// A set of CPU numbers below [`CpuMask::MAX_CPUS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct CpuMask {
    bits: [u64; 4],
}

impl CpuMask {
    /// The number of CPUs a mask can name.
    pub const MAX_CPUS: usize = 256;

    /// The empty mask.
    pub const fn empty() -> CpuMask {
        CpuMask { bits: [0; 4] }
    }

    /// CPUs `0..n` (all of them when `n >= MAX_CPUS`).
    pub fn first_n(n: usize) -> CpuMask {
        let mut m = CpuMask::empty();
        for cpu in 0..n.min(Self::MAX_CPUS) {
            m.insert(cpu);
        }
        m
    }

    /// Every CPU a mask can name.
    pub const fn all() -> CpuMask {
        CpuMask {
            bits: [u64::MAX; 4],
        }
    }

    /// The mask of one CPU (empty if `cpu >= MAX_CPUS`).
    pub fn single(cpu: usize) -> CpuMask {
        let mut m = CpuMask::empty();
        m.insert(cpu);
        m
    }

    /// Adds `cpu` (ignored if `cpu >= MAX_CPUS`).
    pub fn insert(&mut self, cpu: usize) {
        if cpu < Self::MAX_CPUS {
            self.bits[cpu / 64] |= 1 << (cpu % 64);
        }
    }

    /// Removes `cpu`.
    pub fn remove(&mut self, cpu: usize) {
        if cpu < Self::MAX_CPUS {
            self.bits[cpu / 64] &= !(1 << (cpu % 64));
        }
    }

    /// Whether `cpu` is in the mask.
    pub const fn contains(&self, cpu: usize) -> bool {
        cpu < Self::MAX_CPUS && self.bits[cpu / 64] & (1 << (cpu % 64)) != 0
    }

    /// Whether the mask has no CPU.
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|&w| w == 0)
    }

    /// The number of CPUs in the mask.
    pub fn count(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The CPUs in both masks.
    pub fn and(&self, other: &CpuMask) -> CpuMask {
        let mut bits = self.bits;
        for (b, o) in bits.iter_mut().zip(other.bits) {
            *b &= o;
        }
        CpuMask { bits }
    }

    /// The CPUs of the mask in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..Self::MAX_CPUS).filter(|&c| self.contains(c))
    }

    /// The lowest CPU of the mask.
    pub fn first(&self) -> Option<usize> {
        self.iter().next()
    }

    /// A mask from a `cpu_set_t` in memory: bit `i` of byte `j` is CPU `8 * j + i`. Bytes past
    /// [`Self::MAX_CPUS`] CPUs are ignored (Linux ignores CPUs that do not exist).
    pub fn from_le_bytes(bytes: &[u8]) -> CpuMask {
        let mut m = CpuMask::empty();
        for (j, &byte) in bytes.iter().enumerate().take(Self::MAX_CPUS / 8) {
            m.bits[j / 8] |= (byte as u64) << (8 * (j % 8));
        }
        m
    }

    /// Writes the mask as a `cpu_set_t` into `out` (CPUs past `8 * out.len()` are dropped, bytes
    /// past the mask are zeroed); returns the number of bytes written (all of `out`).
    pub fn to_le_bytes(&self, out: &mut [u8]) -> usize {
        for (j, byte) in out.iter_mut().enumerate() {
            *byte = if j < Self::MAX_CPUS / 8 {
                (self.bits[j / 8] >> (8 * (j % 8))) as u8
            } else {
                0
            };
        }
        out.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let mut m = CpuMask::first_n(3);
        assert_eq!(m.count(), 3);
        assert!(m.contains(2) && !m.contains(3));
        m.remove(0);
        m.insert(200);
        m.insert(999);
        assert_eq!(m.iter().collect::<std::vec::Vec<_>>(), [1, 2, 200]);
        assert_eq!(m.first(), Some(1));
        assert_eq!(m.and(&CpuMask::single(2)), CpuMask::single(2));
        assert!(m.and(&CpuMask::single(5)).is_empty());
        assert_eq!(CpuMask::all().count(), CpuMask::MAX_CPUS);
    }

    #[test]
    fn byte_layout_is_cpu_set_t() {
        let m = CpuMask::from_le_bytes(&[0b101, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(m.iter().collect::<std::vec::Vec<_>>(), [0, 2, 64]);
        let mut out = [0xffu8; 40];
        assert_eq!(m.to_le_bytes(&mut out), 40);
        assert_eq!(out[0], 0b101);
        assert_eq!(out[8], 1);
        assert!(out[33..].iter().all(|&b| b == 0));
        assert_eq!(CpuMask::from_le_bytes(&out), m);
    }
}
