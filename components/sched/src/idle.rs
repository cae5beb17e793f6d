//! The idle policy (`SCHED_IDLE`) and the per-CPU idle fallback.
//!
//! `SCHED_IDLE` tasks run only when no real-time or fair task of the CPU is runnable; any such
//! task arriving preempts them at once. Among themselves they take turns round robin with the
//! quantum [`crate::Tunables::idle_quantum_ns`] (nice is kept but not used).
//!
//! When no task at all is runnable, [`crate::RunQueue::pick_next`] returns `None`: the kernel
//! then runs its own per-CPU idle loop (halt until an interrupt), which is not a task of the
//! queue. Invariant of the idle queue: it holds every runnable `SCHED_IDLE` task of the CPU except
//! the current one, each once.

use alloc::collections::VecDeque;

/// The waiting `SCHED_IDLE` tasks of one CPU, in turn order.
#[derive(Debug)]
pub(crate) struct IdleQueue<T> {
    list: VecDeque<T>,
}

impl<T: Copy + Eq> IdleQueue<T> {
    /// An empty queue.
    pub(crate) fn new() -> IdleQueue<T> {
        IdleQueue {
            list: VecDeque::new(),
        }
    }

    /// The number of waiting tasks.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// Queues `id` at the tail (`tail`) or at the head.
    pub(crate) fn push(&mut self, id: T, tail: bool) {
        if tail {
            self.list.push_back(id);
        } else {
            self.list.push_front(id);
        }
    }

    /// Removes `id`; whether it was there.
    pub(crate) fn remove(&mut self, id: T) -> bool {
        let Some(i) = self.list.iter().position(|&x| x == id) else {
            return false;
        };
        self.list.remove(i);
        true
    }

    /// Takes the next task in turn.
    pub(crate) fn pop_next(&mut self) -> Option<T> {
        self.list.pop_front()
    }

    /// The waiting tasks, latest in line first (the best to migrate).
    pub(crate) fn iter_rev(&self) -> impl Iterator<Item = T> + '_ {
        self.list.iter().rev().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_order() {
        let mut q = IdleQueue::new();
        q.push(1u32, true);
        q.push(2, true);
        q.push(3, false);
        assert!(q.remove(2));
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop_next(), Some(3));
        assert_eq!(q.pop_next(), Some(1));
        assert_eq!(q.pop_next(), None);
    }
}
