//! In-kernel tests of tasks, preemption, wait queues, sleeping and the sleeping mutex. They
//! run on every CPU that is online (`cargo xtask test` boots the ktests with 4).

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use core::time::Duration;

use super::{TaskOptions, WaitQueue, current, disable_preempt, sleep, yield_now};
use crate::sync::Mutex;

/// The last online CPU (the boot CPU if it is alone).
fn other_cpu() -> usize {
    crate::smp::online_cpus().last().unwrap_or(0)
}

/// Spins until `done` holds or `seconds` of uptime pass; panics with `what` on timeout.
fn wait_for(seconds: u64, what: &str, done: impl Fn() -> bool) {
    let deadline = crate::timer::uptime() + Duration::from_secs(seconds);
    while !done() {
        assert!(crate::timer::uptime() < deadline, "timed out: {what}");
        sleep(Duration::from_millis(10));
    }
}

crate::ktest! {
    fn tasks_run_on_the_cpu_they_are_pinned_to() {
        let tasks: Vec<_> = crate::smp::online_cpus()
            .map(|cpu| {
                let seen = Arc::new(AtomicUsize::new(usize::MAX));
                let s = seen.clone();
                let task = TaskOptions::new(move || {
                    s.store(crate::cpu::current_id(), Ordering::SeqCst);
                })
                .name("pinned")
                .cpu(cpu)
                .spawn();
                (cpu, seen, task)
            })
            .collect();
        for (cpu, seen, task) in tasks {
            task.join();
            assert!(task.has_exited());
            assert_eq!(seen.load(Ordering::SeqCst), cpu, "task pinned to CPU {cpu}");
        }
    }

    fn a_task_has_its_own_identity_and_stack() {
        fn in_linear_map(va: usize) -> bool {
            (crate::arch::PHYS_OFFSET..crate::arch::PHYS_OFFSET + crate::arch::LINEAR_MAP_SIZE)
                .contains(&va)
        }
        let here = 0u64;
        let sp = &here as *const u64 as usize;
        assert!(!in_linear_map(sp), "the test runs on a heap stack ({sp:#x})");
        let me = current();
        let outer = me.id();
        let inner = Arc::new(AtomicUsize::new(0));
        let i = inner.clone();
        let task = TaskOptions::new(move || {
            let here = 0u64;
            let sp = &here as *const u64 as usize;
            let t = current();
            assert_eq!(t.name(), "child");
            i.store(t.id() as usize, Ordering::SeqCst);
            // The stack is the task's own, from the heap (in the linear map), not the boot
            // stack (in the kernel image) that this test runs on.
            assert!(in_linear_map(sp), "child stack at {sp:#x}");
        })
        .name("child")
        .spawn();
        task.join();
        let child = inner.load(Ordering::SeqCst) as u64;
        assert!(child != 0 && child != outer, "child id {child}, parent {outer}");
        assert_eq!(current().id(), outer);
    }

    fn wait_queue_ping_pong_across_cpus() {
        const ROUNDS: usize = 2000;
        struct Court {
            ball: AtomicUsize,
            queue: WaitQueue,
        }
        let court = Arc::new(Court { ball: AtomicUsize::new(0), queue: WaitQueue::new() });
        let player = |parity: usize, cpu: usize| {
            let c = court.clone();
            TaskOptions::new(move || {
                for _ in 0..ROUNDS {
                    let n = c.queue.wait_until(|| {
                        let n = c.ball.load(Ordering::SeqCst);
                        (n % 2 == parity).then_some(n)
                    });
                    c.ball.store(n + 1, Ordering::SeqCst);
                    c.queue.wake_all();
                }
            })
            .name("player")
            .cpu(cpu)
            .spawn()
        };
        let a = player(0, 0);
        let b = player(1, other_cpu());
        a.join();
        b.join();
        assert_eq!(court.ball.load(Ordering::SeqCst), 2 * ROUNDS);
    }

    fn mutex_keeps_a_counter_exact_under_contention() {
        const TASKS: usize = 8;
        const ROUNDS: usize = 300;
        // A plain (non-atomic) read-modify-write with a yield in the middle: without mutual
        // exclusion, increments are lost.
        let counter = Arc::new(Mutex::new(0usize));
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let c = counter.clone();
                TaskOptions::new(move || {
                    for _ in 0..ROUNDS {
                        let mut guard = c.lock();
                        let v = *guard;
                        yield_now();
                        *guard = v + 1;
                    }
                })
                .name("counter")
                .spawn()
            })
            .collect();
        for t in tasks {
            t.join();
        }
        assert_eq!(*counter.lock(), TASKS * ROUNDS);
    }

    fn a_spinning_task_is_preempted_by_the_tick() {
        // Two tasks on one CPU; the first spins without ever yielding until the second has
        // run. Only a preemption by the tick lets the second run.
        let cpu = other_cpu();
        let second_ran = Arc::new(AtomicBool::new(false));
        let (s1, s2) = (second_ran.clone(), second_ran.clone());
        let spinner = TaskOptions::new(move || {
            while !s1.load(Ordering::SeqCst) {
                core::hint::spin_loop();
            }
        })
        .name("spinner")
        .cpu(cpu)
        .spawn();
        let other = TaskOptions::new(move || s2.store(true, Ordering::SeqCst))
            .name("second")
            .cpu(cpu)
            .spawn();
        wait_for(10, "the spinning task was never preempted", || {
            second_ran.load(Ordering::SeqCst)
        });
        spinner.join();
        other.join();
    }

    fn a_preempt_guard_holds_off_the_tick() {
        // The holder spins, unpreemptible, until this task tells it to go on: they need two
        // CPUs.
        if crate::smp::online_count() < 2 {
            log::warn!("ktest: a_preempt_guard_holds_off_the_tick needs 2 CPUs; skipped");
            return;
        }
        let cpu = other_cpu();
        let guarding = Arc::new(AtomicBool::new(false));
        let queued = Arc::new(AtomicBool::new(false));
        let other_ran = Arc::new(AtomicBool::new(false));
        let ran_during_guard = Arc::new(AtomicBool::new(true));
        let (g, q, o1, d) =
            (guarding.clone(), queued.clone(), other_ran.clone(), ran_during_guard.clone());
        let holder = TaskOptions::new(move || {
            {
                let _guard = disable_preempt();
                g.store(true, Ordering::SeqCst);
                while !q.load(Ordering::SeqCst) {
                    core::hint::spin_loop();
                }
                // The other task is queued here now; spin through 3 ticks of this CPU.
                let start = crate::timer::cpu_ticks(crate::cpu::current_id());
                while crate::timer::cpu_ticks(crate::cpu::current_id()) < start + 3 {
                    core::hint::spin_loop();
                }
                d.store(o1.load(Ordering::SeqCst), Ordering::SeqCst);
            }
            // Now a tick may switch to the other task.
            while !o1.load(Ordering::SeqCst) {
                core::hint::spin_loop();
            }
        })
        .name("guarded")
        .cpu(cpu)
        .spawn();
        wait_for(10, "the guarded task did not start", || guarding.load(Ordering::SeqCst));
        let o2 = other_ran.clone();
        let other = TaskOptions::new(move || o2.store(true, Ordering::SeqCst))
            .name("other")
            .cpu(cpu)
            .spawn();
        queued.store(true, Ordering::SeqCst);
        holder.join();
        other.join();
        assert!(
            !ran_during_guard.load(Ordering::SeqCst),
            "a task ran on the CPU while its running task held a PreemptGuard"
        );
    }

    fn sleep_lasts_at_least_its_duration() {
        let start = crate::timer::uptime();
        sleep(Duration::from_millis(50));
        let slept = crate::timer::uptime() - start;
        assert!(slept >= Duration::from_millis(50), "slept {slept:?}");
        // Many sleepers at once, on every CPU.
        let woke = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let w = woke.clone();
                TaskOptions::new(move || {
                    sleep(Duration::from_millis(10 * (i % 4)));
                    w.fetch_add(1, Ordering::SeqCst);
                })
                .spawn()
            })
            .collect();
        for t in tasks {
            t.join();
        }
        assert_eq!(woke.load(Ordering::SeqCst), 16);
    }

    fn a_deadline_wait_ends_at_its_deadline_or_at_its_wake_up() {
        let queue = Arc::new(WaitQueue::new());
        // Nobody wakes it: it returns `None`, not before the deadline.
        let start = crate::timer::uptime();
        let deadline = start + Duration::from_millis(30);
        assert_eq!(queue.wait_until_deadline(|| None::<()>, deadline), None);
        assert!(crate::timer::uptime() >= deadline);
        // Woken long before its deadline, from another CPU: it returns the value at once.
        let flag = Arc::new(AtomicBool::new(false));
        let (q, f) = (queue.clone(), flag.clone());
        let waker = TaskOptions::new(move || {
            sleep(Duration::from_millis(20));
            f.store(true, Ordering::SeqCst);
            q.wake_all();
        })
        .name("waker")
        .cpu(other_cpu())
        .spawn();
        let start = crate::timer::uptime();
        let got = queue.wait_until_deadline(
            || flag.load(Ordering::SeqCst).then_some(7),
            start + Duration::from_secs(10),
        );
        assert_eq!(got, Some(7));
        assert!(crate::timer::uptime() - start < Duration::from_secs(5));
        waker.join();
        // The woken wait took itself off the queue.
        assert!(queue.is_empty());
    }

    fn a_task_leaves_a_cpu_its_affinity_no_longer_allows_even_with_nothing_else_to_run() {
        if crate::smp::online_count() < 2 {
            log::warn!("ktest: the affinity move test needs 2 CPUs; skipped");
            return;
        }
        let (from, to) = (0, other_cpu());
        let seen = Arc::new(AtomicUsize::new(usize::MAX));
        let s = seen.clone();
        // This task sleeps in `join` meanwhile: CPU `from` has nothing else to run.
        let task = TaskOptions::new(move || {
            assert_eq!(crate::cpu::current_id(), from);
            current().set_affinity(1 << to);
            yield_now();
            s.store(crate::cpu::current_id(), Ordering::SeqCst);
        })
        .name("mover")
        .cpu(from)
        .spawn();
        task.join();
        assert_eq!(seen.load(Ordering::SeqCst), to);
    }
}
