//! Model checking of the locking protocol with shuttle: `cargo test -p vm-corten --features
//! shuttle --test shuttle`.
//!
//! With the `shuttle` feature every atomic of the protocol (page-table entries, lock bits, the
//! stray flags, RCU counters, the simulated memory's words and reference counts) is a scheduling
//! point, and spinning yields, so shuttle explores interleavings of whole transactions down to
//! single loads and stores. The simulated memory panics on touching a freed page table, on
//! freeing one twice or while it is locked, and on dropping a reference that does not exist;
//! shuttle fails on a deadlock (every thread blocked) or a livelock (a step bound).
//!
//! Outcomes are checked for linearizability: each operation is one transaction, so the results
//! of all operations and the final state must be those of *some* sequential order of the
//! threads' operations that keeps each thread's program order; the set of such outcomes is
//! computed beforehand with a small model, over every interleaving.
//!
//! Shuttle runs every atomic as `SeqCst`: weaker orderings are not explored here.
//! `SHUTTLE_ITERATIONS` overrides the number of random schedules per scenario (PCT runs half
//! as many).
#![cfg(feature = "shuttle")]

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::ops::Range;
use std::sync::Arc;
use std::time::Instant;

use shuttle::scheduler::{PctScheduler, RandomScheduler};
use shuttle::sync::atomic::{AtomicBool, Ordering};
use shuttle::{Config, Runner, thread};
use vm_corten::sim::SimPlatform;
use vm_corten::{
    Access, NoFiles, PAGE_SIZE, PageProp, PageState, PagingArch, Status, Sv39, VmError, VmSpace,
    X86_64,
};

const P: usize = PAGE_SIZE;
const M2: usize = 2 << 20;
/// 1 GiB: the regions below straddle this level-3 boundary and the 2 MiB one above it.
const G: usize = 1 << 30;
/// The 2 MiB boundary the scenarios crowd around.
const B: usize = G + M2;
/// Frames of simulated memory per schedule.
const FRAMES: usize = 64;

const R: PageProp = PageProp::READ;
const RW: PageProp = PageProp::READ.union(PageProp::WRITE);

fn anon(prop: PageProp) -> Status {
    Status::Anonymous { prop }
}

/// Runs `f` under shuttle's random scheduler for `random` schedules, then under PCT (depth 3)
/// for half as many, and reports how many ran.
fn explore<F>(name: &str, random: usize, f: F)
where
    F: Fn() + Send + Sync + Clone + 'static,
{
    let random = std::env::var("SHUTTLE_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(random);
    let mut config = Config::new();
    config.silence_warnings = true; // about non-SeqCst orderings: see the module docs
    config.stack_size = 1 << 20;
    let start = Instant::now();
    let n_random = Runner::new(RandomScheduler::new(random), config.clone()).run(f.clone());
    let n_pct = Runner::new(PctScheduler::new(3, random / 2), config).run(f);
    // Straight to stderr, past the test harness's capture.
    let _ = writeln!(
        std::io::stderr(),
        "shuttle: {name}: {} schedules ({n_random} random, {n_pct} PCT) in {:.1?}",
        n_random + n_pct,
        start.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// A sequential model of the pages the operations touch, and the outcomes of all interleavings.

/// What a page is, in the model and as observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Page {
    Invalid,
    Reserved(PageProp),
    Guard,
    Mapped(PageProp),
}

impl Page {
    fn of(state: PageState) -> Page {
        match state {
            PageState::Invalid => Page::Invalid,
            PageState::Status(Status::Anonymous { prop }) => Page::Reserved(prop),
            PageState::Status(Status::Guard) => Page::Guard,
            PageState::Mapped { prop, level: 1, .. } => Page::Mapped(prop),
            other => panic!("unexpected page state {other:?}"),
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    /// `mmap(MAP_FIXED)`.
    Mmap(Range<usize>, Status),
    /// `munmap`.
    Munmap(Range<usize>),
    /// A page fault.
    Fault(usize, Access),
    /// A transaction through a cursor on the range: checks (with per-page flags) that no other
    /// cursor holds any of its pages, then marks the range with the status, or unmaps it.
    Locked(Range<usize>, Option<Status>),
}

impl Op {
    /// The pages whose state tells this operation's effect apart: its ends and their
    /// neighbours.
    fn points(&self) -> Vec<usize> {
        match self {
            Op::Mmap(r, _) | Op::Munmap(r) | Op::Locked(r, _) => {
                vec![r.start - P, r.start, r.end - P, r.end]
            }
            Op::Fault(va, _) => vec![*va],
        }
    }
}

/// An operation's result: 0 for success, else the error's number.
fn code(r: Result<(), VmError>) -> u8 {
    match r {
        Ok(()) => 0,
        Err(VmError::InvalidArgument) => 1,
        Err(VmError::NoMemory) => 2,
        Err(VmError::Fault) => 3,
    }
}

/// The results of each thread's operations, and the final state of the probed pages.
type Outcome = (Vec<Vec<u8>>, Vec<Page>);

/// The model: the state of each probed page.
#[derive(Clone)]
struct Model {
    probes: Vec<usize>,
    pages: Vec<Page>,
}

impl Model {
    fn new(probes: &[usize]) -> Self {
        Model {
            probes: probes.to_vec(),
            pages: vec![Page::Invalid; probes.len()],
        }
    }

    fn fill(&mut self, r: &Range<usize>, page: Page) {
        for (va, p) in self.probes.iter().zip(&mut self.pages) {
            if r.contains(va) {
                *p = page;
            }
        }
    }

    fn apply(&mut self, op: &Op) -> Result<(), VmError> {
        let of = |s: &Status| match *s {
            Status::Anonymous { prop } => Page::Reserved(prop),
            Status::Guard => Page::Guard,
            other => unimplemented!("{other:?}"),
        };
        match op {
            Op::Mmap(r, s) | Op::Locked(r, Some(s)) => self.fill(r, of(s)),
            Op::Munmap(r) | Op::Locked(r, None) => self.fill(r, Page::Invalid),
            Op::Fault(va, access) => {
                let i = self.probes.iter().position(|p| p == va).unwrap();
                let needed = match access {
                    Access::Read => R,
                    Access::Write => PageProp::WRITE,
                    Access::Exec => PageProp::EXEC,
                };
                match self.pages[i] {
                    Page::Mapped(prop) if prop.contains(needed) => {}
                    Page::Reserved(prop) if prop.contains(needed) => {
                        self.pages[i] = Page::Mapped(prop | PageProp::USER);
                    }
                    _ => return Err(VmError::Fault),
                }
            }
        }
        Ok(())
    }
}

/// Every outcome of running the threads' programs in some interleaving, after `setup`.
fn outcomes(probes: &[usize], setup: &[Op], programs: &[Vec<Op>]) -> HashSet<Outcome> {
    fn walk(
        model: &Model,
        programs: &[Vec<Op>],
        at: &mut Vec<usize>,
        results: &mut Vec<Vec<u8>>,
        out: &mut HashSet<Outcome>,
    ) {
        let mut done = true;
        for t in 0..programs.len() {
            if at[t] == programs[t].len() {
                continue;
            }
            done = false;
            let mut next = model.clone();
            let result = next.apply(&programs[t][at[t]]);
            at[t] += 1;
            results[t].push(code(result));
            walk(&next, programs, at, results, out);
            results[t].pop();
            at[t] -= 1;
        }
        if done {
            out.insert((results.clone(), model.pages.clone()));
        }
    }
    let mut model = Model::new(probes);
    for op in setup {
        model.apply(op).unwrap();
    }
    let mut out = HashSet::new();
    let mut at = vec![0; programs.len()];
    let mut results = vec![Vec::new(); programs.len()];
    walk(&model, programs, &mut at, &mut results, &mut out);
    out
}

/// The pages to observe: every point of every operation.
fn probes_of(setup: &[Op], programs: &[Vec<Op>]) -> Vec<usize> {
    let set: BTreeSet<usize> = setup
        .iter()
        .chain(programs.iter().flatten())
        .flat_map(Op::points)
        .collect();
    set.into_iter().collect()
}

/// Per-page "a cursor holds this page" flags over `window`.
struct Inside {
    window: Range<usize>,
    flags: Vec<AtomicBool>,
}

impl Inside {
    fn new(window: Range<usize>) -> Self {
        let flags = window.clone().step_by(P).map(|_| AtomicBool::new(false));
        Inside {
            flags: flags.collect(),
            window,
        }
    }

    fn flags(&self, r: &Range<usize>) -> impl Iterator<Item = &AtomicBool> {
        assert!(self.window.start <= r.start && r.end <= self.window.end);
        let first = (r.start - self.window.start) / P;
        self.flags[first..first + (r.end - r.start) / P].iter()
    }
}

fn run<A: PagingArch>(
    space: &VmSpace<SimPlatform<A>>,
    inside: &Inside,
    op: &Op,
) -> Result<(), VmError> {
    match op {
        Op::Mmap(r, s) => space.mmap(Some(r.start), r.end - r.start, *s).map(|_| ()),
        Op::Munmap(r) => space.munmap(r.start, r.end - r.start),
        Op::Fault(va, access) => space.handle_fault(*va, *access, &NoFiles),
        Op::Locked(r, s) => {
            let mut cursor = space.lock(r.clone())?;
            for flag in inside.flags(r) {
                assert!(
                    !flag.swap(true, Ordering::SeqCst),
                    "two cursors hold a page of {r:#x?}"
                );
            }
            thread::yield_now();
            match s {
                Some(s) => cursor.mark(r.clone(), *s).map(|_| ())?,
                None => cursor.unmap(r.clone()).map(|_| ())?,
            }
            thread::yield_now();
            for flag in inside.flags(r) {
                flag.store(false, Ordering::SeqCst);
            }
            Ok(())
        }
    }
}

/// A scenario: `setup` runs alone, then one thread per program; the results and the final
/// state must be an outcome of some interleaving, and nothing may leak.
fn linearizable<A: PagingArch>(
    name: &str,
    schedules: usize,
    setup: Vec<Op>,
    programs: Vec<Vec<Op>>,
) {
    let probes = probes_of(&setup, &programs);
    let expected = Arc::new(outcomes(&probes, &setup, &programs));
    let window = probes[0]..probes[probes.len() - 1] + P;
    let (setup, programs) = (Arc::new(setup), Arc::new(programs));
    explore(name, schedules, move || {
        let mem = SimPlatform::<A>::new(FRAMES);
        let space = Arc::new(VmSpace::new(mem.clone()).unwrap());
        let inside = Arc::new(Inside::new(window.clone()));
        for op in setup.iter() {
            run(&space, &inside, op).unwrap();
        }
        let threads: Vec<_> = (0..programs.len())
            .map(|t| {
                let (space, inside, programs) = (space.clone(), inside.clone(), programs.clone());
                thread::spawn(move || {
                    programs[t]
                        .iter()
                        .map(|op| code(run(&space, &inside, op)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let pages: Vec<Page> = probes.iter().map(|&va| Page::of(space.query(va))).collect();
        let mapped = pages
            .iter()
            .filter(|p| matches!(p, Page::Mapped(_)))
            .count();
        let outcome = (results, pages);
        assert!(
            expected.contains(&outcome),
            "not linearizable: {outcome:?} (probes {probes:#x?})"
        );
        // Faults only populate probed pages: exactly those frames are live.
        assert_eq!(mem.live_frames(), mapped, "frames");
        drop(space);
        assert_eq!(mem.live_tables(), 0, "page tables leaked");
        assert_eq!(mem.live_frames(), 0, "frames leaked");
    });
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

/// Cursors on overlapping ranges exclude each other. The first thread's range spans two leaf
/// tables (its top is their parent) and its unmap empties the left one, which is unlinked and
/// retired while the second thread may be waiting on its lock (it must find it stray and start
/// over); the others mark their ranges, creating leaf tables again, and fault.
#[test]
fn overlapping_cursors() {
    let setup = vec![
        Op::Mmap(B - 3 * P..B + 3 * P, anon(RW)),
        Op::Fault(B - 3 * P, Access::Write),
        Op::Fault(B + 2 * P, Access::Read),
    ];
    let programs = vec![
        vec![Op::Locked(B - 3 * P..B + P, None)],
        vec![
            Op::Locked(B - P..B, Some(anon(R))),
            Op::Fault(B - P, Access::Read),
        ],
        vec![
            Op::Locked(B..B + 2 * P, Some(Status::Guard)),
            Op::Fault(B + 2 * P, Access::Write),
        ],
    ];
    linearizable::<X86_64>("overlapping cursors", 1200, setup, programs);
}

/// mmap, munmap and faults on adjacent and overlapping ranges around a 2 MiB and a 1 GiB
/// boundary: page-table pages are created (splitting statuses) and retired (unmapping whole
/// entries under a higher top) while other threads descend without locks.
fn churn<A: PagingArch>(name: &str, schedules: usize) {
    let setup = vec![Op::Mmap(G..B, anon(RW))];
    let programs = vec![
        vec![
            Op::Fault(G + P, Access::Write),
            Op::Munmap(G..B + P),
            Op::Mmap(B - 2 * P..B + 2 * P, anon(RW)),
        ],
        vec![
            Op::Fault(B - P, Access::Write),
            Op::Fault(G + P, Access::Read),
            Op::Munmap(B - P..B + P),
        ],
        vec![
            Op::Mmap(G - P..G + 2 * P, anon(R)),
            Op::Fault(B, Access::Read),
            Op::Munmap(G - P..B),
        ],
    ];
    linearizable::<A>(name, schedules, setup, programs);
}

#[test]
fn churn_x86_64() {
    churn::<X86_64>("mmap/munmap/fault churn (x86-64)", 500);
}

#[test]
fn churn_sv39() {
    churn::<Sv39>("mmap/munmap/fault churn (sv39)", 300);
}

/// Cursors on disjoint ranges under different leaf tables hold their locks at the same time:
/// each waits, holding its cursor, until the other holds its own.
#[test]
fn disjoint_cursors_run_in_parallel() {
    explore("disjoint cursors", 200, || {
        let mem = SimPlatform::<X86_64>::new(FRAMES);
        let space = Arc::new(VmSpace::new(mem.clone()).unwrap());
        space.mmap(Some(B - P), 2 * P, anon(RW)).unwrap();
        let arrived = Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
        let threads: Vec<_> = [B - P, B]
            .into_iter()
            .enumerate()
            .map(|(me, va)| {
                let (space, arrived) = (space.clone(), arrived.clone());
                thread::spawn(move || {
                    let cursor = space.lock(va..va + P).unwrap();
                    arrived[me].store(true, Ordering::SeqCst);
                    let mut spins = 0;
                    while !arrived[1 - me].load(Ordering::SeqCst) {
                        spins += 1;
                        assert!(spins < 100_000, "the other cursor never got its lock");
                        thread::yield_now();
                    }
                    drop(cursor);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        drop(space);
        assert_eq!((mem.live_tables(), mem.live_frames()), (0, 0));
    });
}

/// Two threads that both remember one last-level table (each faulted in it before) fault the
/// same page at once, and each then stores to it: the page is mapped once (one frame, which
/// both stores reach), however their leaf transactions on the table interleave.
#[test]
fn leaf_transactions_on_one_table() {
    explore("leaf transactions on one table", 300, || {
        let mem = SimPlatform::<X86_64>::new(FRAMES);
        let space = Arc::new(VmSpace::new(mem.clone()).unwrap());
        space.mmap(Some(B), 4 * P, anon(RW)).unwrap();
        space.handle_fault(B, Access::Write, &NoFiles).unwrap();
        let threads: Vec<_> = [1usize, 2]
            .into_iter()
            .map(|me| {
                let (space, mem) = (space.clone(), mem.clone());
                thread::spawn(move || {
                    // Remember the table (a fault of this thread's own page), then race.
                    space
                        .handle_fault(B + me * P, Access::Write, &NoFiles)
                        .unwrap();
                    space
                        .handle_fault(B + 3 * P, Access::Write, &NoFiles)
                        .unwrap();
                    store(&space, &mem, B + 3 * P, me as u64);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(mem.live_frames(), 4, "a page mapped twice leaks a frame");
        drop(space);
        assert_eq!((mem.live_tables(), mem.live_frames()), (0, 0));
    });
}

/// A store as a CPU does it: translate (faulting until the page is writable) and write while
/// the translation holds (here: under a cursor on the page, as a TLB shootdown would order it).
fn store<A: PagingArch>(
    space: &VmSpace<SimPlatform<A>>,
    mem: &SimPlatform<A>,
    va: usize,
    value: u64,
) {
    for _ in 0..4 {
        {
            let cursor = space.lock(va..va + P).unwrap();
            if let PageState::Mapped { pa, prop, .. } = cursor.query(va)
                && prop.contains(PageProp::WRITE)
            {
                mem.write_word(pa, 0, value);
                return;
            }
        }
        space.handle_fault(va, Access::Write, &NoFiles).unwrap();
    }
    panic!("store to {va:#x} keeps faulting");
}

/// A load, like [`store`].
fn load<A: PagingArch>(space: &VmSpace<SimPlatform<A>>, mem: &SimPlatform<A>, va: usize) -> u64 {
    for _ in 0..4 {
        {
            let cursor = space.lock(va..va + P).unwrap();
            if let PageState::Mapped { pa, .. } = cursor.query(va) {
                return mem.read_word(pa, 0);
            }
        }
        space.handle_fault(va, Access::Read, &NoFiles).unwrap();
    }
    panic!("load from {va:#x} keeps faulting");
}

/// fork while the parent stores to its pages and another thread maps and unmaps next to them:
/// the child is a snapshot of one moment (a store is in it only if every earlier store of the
/// same thread is), and after fork neither space sees the other's stores.
#[test]
fn fork_concurrent_with_faults() {
    explore("fork vs faults", 400, || {
        let mem = SimPlatform::<X86_64>::new(FRAMES);
        let parent = Arc::new(VmSpace::new(mem.clone()).unwrap());
        parent.mmap(Some(B - 2 * P), 4 * P, anon(RW)).unwrap();
        store(&parent, &mem, B - 2 * P, 1);
        store(&parent, &mem, B, 3);
        parent.mmap(Some(G), 2 * P, anon(RW)).unwrap();

        let forker = {
            let (parent, mem) = (parent.clone(), mem.clone());
            thread::spawn(move || {
                let child = parent.fork().unwrap();
                let c1 = load(&child, &mem, B - 2 * P);
                let c3 = load(&child, &mem, B);
                store(&child, &mem, B - 2 * P, 100);
                (child, c1, c3)
            })
        };
        let writer = {
            let (parent, mem) = (parent.clone(), mem.clone());
            thread::spawn(move || {
                store(&parent, &mem, B - 2 * P, 200);
                store(&parent, &mem, B, 300);
                store(&parent, &mem, B - P, 7);
            })
        };
        let mapper = {
            let parent = parent.clone();
            thread::spawn(move || {
                let r = [
                    parent.handle_fault(G, Access::Write, &NoFiles),
                    parent.munmap(G - P, 3 * P),
                    parent.mmap(Some(G + P), 2 * P, anon(R)).map(|_| ()),
                ];
                assert_eq!(r, [Ok(()), Ok(()), Ok(())]);
            })
        };
        let (child, c1, c3) = forker.join().unwrap();
        writer.join().unwrap();
        mapper.join().unwrap();

        assert!(c1 == 1 || c1 == 200, "child saw {c1}");
        assert!(c3 == 3 || c3 == 300, "child saw {c3}");
        assert!(
            c3 == 3 || c1 == 200,
            "the child has a later store but not an earlier one"
        );
        let c7 = load(&child, &mem, B - P);
        assert!(
            c7 == 0 || (c7 == 7 && c3 == 300),
            "child saw {c7} (and {c3})"
        );
        assert_eq!(load(&child, &mem, B - 2 * P), 100);
        assert_eq!(load(&child, &mem, B), c3);
        assert_eq!(load(&parent, &mem, B - 2 * P), 200);
        assert_eq!(load(&parent, &mem, B), 300);
        assert_eq!(load(&parent, &mem, B - P), 7);
        // The child's copy of the mapper's pages is a state between two of its operations.
        let seen = [G - P, G, G + P, G + 2 * P].map(|va| Page::of(child.query(va)));
        let cow = Page::Mapped(R | PageProp::USER | PageProp::COW);
        let (i, rw) = (Page::Invalid, Page::Reserved(RW));
        let states = [
            [i, rw, rw, i],
            [i, cow, rw, i],
            [i, i, i, i],
            [i, i, Page::Reserved(R), Page::Reserved(R)],
        ];
        assert!(states.contains(&seen), "child's pages around G: {seen:?}");
        drop(child);
        drop(parent);
        assert_eq!(mem.live_tables(), 0, "page tables leaked");
        assert_eq!(mem.live_frames(), 0, "frames leaked");
    });
}
