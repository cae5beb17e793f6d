//! The real-time classes (`SCHED_FIFO`, `SCHED_RR`): strict priorities 1..=99, higher first.
//!
//! The real-time queue keeps one FIFO list per priority and a bitmap of the non-empty ones, so the
//! highest waiting priority is found in constant time. Invariants: the lists hold every
//! runnable real-time task of the CPU except the current one, each once, in the list of its
//! priority; bit `p` of the bitmap is set exactly when list `p` is non-empty.
//!
//! The policy rules, applied by [`crate::RunQueue`]: a real-time task always runs before any
//! fair or idle task; a higher priority arriving preempts a lower one, which goes back to the
//! head of its list (it keeps its turn); a FIFO task runs until it blocks, yields (to the tail
//! of its list) or is preempted; an RR task does the same but also goes to the tail when its
//! quantum ([`crate::Tunables::rr_quantum_ns`]) runs out while another task of its priority
//! waits.

use alloc::collections::VecDeque;

use crate::policy::RT_PRIO_MAX;

/// The waiting real-time tasks of one CPU (see the module docs).
#[derive(Debug)]
pub(crate) struct RtQueue<T> {
    lists: [VecDeque<T>; RT_PRIO_MAX as usize + 1],
    bitmap: u128,
    nr: usize,
}

impl<T: Copy + Eq> RtQueue<T> {
    /// An empty queue.
    pub(crate) fn new() -> RtQueue<T> {
        RtQueue {
            lists: core::array::from_fn(|_| VecDeque::new()),
            bitmap: 0,
            nr: 0,
        }
    }

    /// The number of waiting tasks.
    pub(crate) fn len(&self) -> usize {
        self.nr
    }

    /// The number of waiting tasks at `prio`.
    pub(crate) fn len_at(&self, prio: u8) -> usize {
        self.lists.get(prio as usize).map_or(0, VecDeque::len)
    }

    /// The highest priority with a waiting task.
    pub(crate) fn highest(&self) -> Option<u8> {
        (self.bitmap != 0).then(|| (127 - self.bitmap.leading_zeros()) as u8)
    }

    /// Queues `id` at the tail (`tail`) or the head of its priority's list.
    pub(crate) fn push(&mut self, prio: u8, id: T, tail: bool) {
        let p = (prio.min(RT_PRIO_MAX)) as usize;
        if tail {
            self.lists[p].push_back(id);
        } else {
            self.lists[p].push_front(id);
        }
        self.bitmap |= 1 << p;
        self.nr += 1;
    }

    /// Removes `id` from the list of `prio`; whether it was there.
    pub(crate) fn remove(&mut self, prio: u8, id: T) -> bool {
        let p = (prio.min(RT_PRIO_MAX)) as usize;
        let Some(i) = self.lists[p].iter().position(|&x| x == id) else {
            return false;
        };
        self.lists[p].remove(i);
        self.after_removal(p);
        true
    }

    /// Takes the head of the highest non-empty list.
    pub(crate) fn pop_highest(&mut self) -> Option<T> {
        let p = self.highest()? as usize;
        let id = self.lists[p].pop_front();
        self.after_removal(p);
        id
    }

    /// The waiting tasks, lowest priority and latest in line first (the best to migrate).
    pub(crate) fn iter_rev(&self) -> impl Iterator<Item = T> + '_ {
        self.lists.iter().flat_map(|l| l.iter().rev().copied())
    }

    fn after_removal(&mut self, p: usize) {
        self.nr -= 1;
        if self.lists[p].is_empty() {
            self.bitmap &= !(1 << p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highest_priority_first_fifo_within() {
        let mut q = RtQueue::new();
        q.push(10, 1u32, true);
        q.push(50, 2, true);
        q.push(50, 3, true);
        q.push(99, 4, true);
        q.push(50, 5, false);
        assert_eq!(q.highest(), Some(99));
        let order: std::vec::Vec<u32> = core::iter::from_fn(|| q.pop_highest()).collect();
        assert_eq!(order, [4, 5, 2, 3, 1]);
        assert_eq!(q.len(), 0);
        assert_eq!(q.highest(), None);
    }

    #[test]
    fn remove_keeps_bitmap_exact() {
        let mut q = RtQueue::new();
        q.push(1, 7u32, true);
        q.push(2, 8, true);
        assert!(q.remove(2, 8));
        assert!(!q.remove(2, 8));
        assert_eq!((q.highest(), q.len(), q.len_at(1)), (Some(1), 1, 1));
    }
}
