//! Property tests: random sequences of address-space operations (mmap, munmap, mprotect, page
//! faults with stores, fork, dropping a space) checked after every step against a simple
//! reference model, on each page-table format.
//!
//! The model is a `BTreeMap` from page number to what the page is, stored as runs (start page
//! -> end page and state) so that 1 GiB mappings, whose statuses live in high-level entries,
//! cost one entry. Mapped pages are runs of one page that name a model frame; a frame's contents
//! (the marker word a store left in word 0) and its sharing between spaces are modelled too, so
//! copy-on-write is checked from the outside: a store in one space must never show in another.
//!
//! Addresses cluster around four anchors: 1 GiB, 4 GiB, 512 GiB (a root-entry boundary on the
//! 4-level formats; 64 GiB on Sv39) and the base of non-fixed mmaps (so that `MAP_FIXED` lands
//! where non-fixed mmap looks for room). Ranges are a few pages across 2 MiB and 1 GiB
//! boundaries, about 2 or 4 MiB unaligned, aligned multiples of 2 MiB, an aligned 1 GiB, or
//! around something a space already holds; faults mostly hit pages a space holds.
//!
//! After each operation every space is compared with its model: each page near the addresses
//! the operations used, both ends of every run, every page of short runs, and with `find_next`
//! that nothing exists between the runs. Physical frames must correspond one-to-one to model
//! frames and hold their marker words, and the number of live frames must match. At the end all
//! spaces are dropped and no page-table page or frame may remain.
//!
//! `PROPTEST_CASES` overrides the number of cases per format.
// With `shuttle`, the simulated memory's atomics work only inside a shuttle run (tests/shuttle.rs).
#![cfg(not(feature = "shuttle"))]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use vm_corten::sim::SimPlatform;
use vm_corten::{
    Access, NoFiles, PAGE_SIZE, PageProp, PageState, PagingArch, Status, Sv39, Sv48, VmError,
    VmSpace, X86_64,
};

const DEFAULT_CASES: u32 = 1024;
const MAX_OPS: usize = 60;
const MAX_SPACES: usize = 3;
/// Frames of simulated memory per case (page tables and data).
const FRAMES: usize = 1024;

const R: PageProp = PageProp::READ;
const RW: PageProp = PageProp::READ.union(PageProp::WRITE);
const NONE: PageProp = PageProp::empty();

/// Pages per 2 MiB and per 1 GiB.
const P2M: i64 = 512;
const P1G: u64 = 1 << 18;

// ---------------------------------------------------------------------------------------------
// The reference model.

/// What a page is, in the model. Absent from the map: nothing (`PageState::Invalid`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    /// Reserved anonymous memory, not populated: `Status::Anonymous { prop }`.
    Reserved(PageProp),
    /// `Status::Guard`.
    Guard,
    /// Mapped to model frame `frame`: readable and user, writable if `write`, copy-on-write if
    /// `cow`.
    Mapped { frame: u64, write: bool, cow: bool },
    /// A frame mapped with no access (`PROT_NONE` on a populated page).
    Inaccessible { frame: u64, cow: bool },
}

impl St {
    fn frame(self) -> Option<u64> {
        match self {
            St::Mapped { frame, .. } | St::Inaccessible { frame, .. } => Some(frame),
            _ => None,
        }
    }
}

/// The pages of one address space, as runs: start page -> (end page, state). Runs do not
/// overlap; pages in no run are invalid. Mapped and inaccessible runs are one page long.
#[derive(Clone, Debug, Default)]
struct Model {
    runs: BTreeMap<u64, (u64, St)>,
}

impl Model {
    /// Splits the run that strictly contains page `p` into two at `p`.
    fn split_at(&mut self, p: u64) {
        if let Some((&s, &(e, st))) = self.runs.range(..p).next_back()
            && e > p
        {
            self.runs.insert(s, (p, st));
            self.runs.insert(p, (e, st));
        }
    }

    fn clear(&mut self, r: Range<u64>) {
        self.split_at(r.start);
        self.split_at(r.end);
        let keys: Vec<u64> = self.runs.range(r).map(|(&k, _)| k).collect();
        for k in keys {
            self.runs.remove(&k);
        }
    }

    fn set(&mut self, r: Range<u64>, st: St) {
        self.clear(r.clone());
        self.runs.insert(r.start, (r.end, st));
    }

    fn get(&self, p: u64) -> Option<St> {
        self.runs
            .range(..=p)
            .next_back()
            .filter(|(_, (e, _))| *e > p)
            .map(|(_, (_, st))| *st)
    }

    /// The runs inside `r`, after splitting those that cross its ends.
    fn pieces(&mut self, r: Range<u64>) -> Vec<(Range<u64>, St)> {
        self.split_at(r.start);
        self.split_at(r.end);
        self.runs
            .range(r)
            .map(|(&s, &(e, st))| (s..e, st))
            .collect()
    }

    /// Whether every page of `r` is in some run.
    fn covers(&self, r: Range<u64>) -> bool {
        let mut at = r.start;
        if let Some((_, &(e, _))) = self.runs.range(..=at).next_back()
            && e > at
        {
            at = e;
        }
        for (&s, &(e, _)) in self.runs.range(r.start..r.end) {
            if s > at {
                return false;
            }
            at = at.max(e);
        }
        at >= r.end
    }

    fn frames(&self) -> impl Iterator<Item = u64> + '_ {
        self.runs.values().filter_map(|(_, st)| st.frame())
    }
}

// ---------------------------------------------------------------------------------------------
// Operations.

/// A range of pages, resolved against the anchors of the format and the chosen space's model.
#[derive(Clone, Debug)]
enum Where {
    /// `anchor + mb2 * 2 MiB + pages * 4 KiB`, `len` pages long.
    Near {
        anchor: usize,
        mb2: i64,
        pages: i64,
        len: u64,
    },
    /// An existing run of the space, its ends moved by a few pages.
    Run {
        run: Index,
        start_delta: i64,
        end_delta: i64,
    },
}

/// A page, like [`Where`].
#[derive(Clone, Debug)]
enum Target {
    Near {
        anchor: usize,
        mb2: i64,
        pages: i64,
    },
    Run {
        run: Index,
        page: Index,
    },
    /// A populated page of the space.
    Mapped(Index),
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    AnonRw,
    AnonR,
    AnonNone,
    Guard,
}

impl Kind {
    fn status(self) -> Status {
        match self {
            Kind::AnonRw => Status::Anonymous { prop: RW },
            Kind::AnonR => Status::Anonymous { prop: R },
            Kind::AnonNone => Status::Anonymous { prop: NONE },
            Kind::Guard => Status::Guard,
        }
    }

    fn state(self) -> St {
        match self.status() {
            Status::Anonymous { prop } => St::Reserved(prop),
            _ => St::Guard,
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    MmapFixed {
        space: Index,
        at: Where,
        kind: Kind,
    },
    MmapAny {
        space: Index,
        pages: u64,
        kind: Kind,
    },
    Munmap {
        space: Index,
        at: Where,
    },
    Mprotect {
        space: Index,
        at: Where,
        prot: PageProp,
    },
    Fault {
        space: Index,
        at: Target,
        access: Access,
    },
    Fork {
        space: Index,
    },
    Drop {
        space: Index,
    },
}

fn anchor() -> impl Strategy<Value = usize> {
    0..ANCHORS
}

/// Ranges; `within` weighs ranges inside one existing run (so that mprotect finds no hole).
fn where_strategy(within: u32) -> impl Strategy<Value = Where> {
    let near = |pages: Range<i64>, len: BoxedStrategy<u64>| {
        (anchor(), -2i64..=2, pages, len).prop_map(|(anchor, mb2, pages, len)| Where::Near {
            anchor,
            mb2,
            pages,
            len,
        })
    };
    prop_oneof![
        // A few pages, often across a 2 MiB or 1 GiB boundary.
        6 => near(-6..7, (1u64..=12).boxed()),
        // About 2 or 4 MiB, unaligned: splits high-level statuses at both ends.
        2 => near(-3..4, prop_oneof![510u64..=514, 1022u64..=1026].boxed()),
        // Aligned 2 MiB multiples: level-2 statuses.
        2 => near(0..1, prop_oneof![Just(512u64), Just(1024), Just(1536)].boxed()),
        // An aligned 1 GiB (level-3 status), or a little more.
        1 => (anchor(), prop_oneof![Just(0u64), Just(512)]).prop_map(|(anchor, extra)| {
            Where::Near {
                anchor,
                mb2: 0,
                pages: 0,
                len: P1G + extra,
            }
        }),
        4 => (any::<Index>(), -2i64..=2, -2i64..=2).prop_map(|(run, start_delta, end_delta)| {
            Where::Run {
                run,
                start_delta,
                end_delta,
            }
        }),
        within => (any::<Index>(), 0i64..=1, -1i64..=0).prop_map(
            |(run, start_delta, end_delta)| Where::Run {
                run,
                start_delta,
                end_delta,
            }
        ),
    ]
}

fn target_strategy() -> impl Strategy<Value = Target> {
    prop_oneof![
        1 => (anchor(), -2i64..=2, -3i64..4)
            .prop_map(|(anchor, mb2, pages)| Target::Near { anchor, mb2, pages }),
        4 => (any::<Index>(), any::<Index>()).prop_map(|(run, page)| Target::Run { run, page }),
        3 => any::<Index>().prop_map(Target::Mapped),
    ]
}

fn kind_strategy() -> impl Strategy<Value = Kind> {
    prop_oneof![
        4 => Just(Kind::AnonRw),
        2 => Just(Kind::AnonR),
        1 => Just(Kind::AnonNone),
        1 => Just(Kind::Guard),
    ]
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let space = any::<Index>;
    prop_oneof![
        4 => (space(), where_strategy(1), kind_strategy())
            .prop_map(|(space, at, kind)| Op::MmapFixed { space, at, kind }),
        1 => (space(), prop_oneof![1u64..=8, Just(512u64)], kind_strategy())
            .prop_map(|(space, pages, kind)| Op::MmapAny { space, pages, kind }),
        2 => (space(), where_strategy(1)).prop_map(|(space, at)| Op::Munmap { space, at }),
        3 => (
            space(),
            where_strategy(12),
            prop_oneof![Just(R), Just(RW), Just(NONE)]
        )
            .prop_map(|(space, at, prot)| Op::Mprotect { space, at, prot }),
        8 => (
            space(),
            target_strategy(),
            prop_oneof![
                4 => Just(Access::Write),
                3 => Just(Access::Read),
                1 => Just(Access::Exec)
            ]
        )
            .prop_map(|(space, at, access)| Op::Fault { space, at, access }),
        2 => space().prop_map(|space| Op::Fork { space }),
        1 => space().prop_map(|space| Op::Drop { space }),
    ]
}

// ---------------------------------------------------------------------------------------------
// Running a case.

const ANCHORS: usize = 4;

/// What the cases did, to see that the generator reaches the interesting paths.
#[derive(Default)]
struct Stats {
    faults_ok: AtomicUsize,
    faults_refused: AtomicUsize,
    cow_copies: AtomicUsize,
    mprotect_ok: AtomicUsize,
    mprotect_enomem: AtomicUsize,
    forks: AtomicUsize,
}

fn bump(counter: &AtomicUsize) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// One case: the spaces, their models, the model frames' contents.
struct World<'s, A: PagingArch> {
    stats: &'s Stats,
    mem: Arc<SimPlatform<A>>,
    spaces: Vec<(VmSpace<SimPlatform<A>>, Model)>,
    /// Contents (word 0) of each live model frame.
    contents: HashMap<u64, u64>,
    next_frame: u64,
    next_marker: u64,
    /// Anchors, in pages.
    anchors: [u64; ANCHORS],
    user_pages: u64,
    /// Pages next to the ends of every range the operations used: checked after every step.
    points: BTreeSet<u64>,
}

fn page_of(va: usize) -> u64 {
    (va / PAGE_SIZE) as u64
}

fn va_of(page: u64) -> usize {
    page as usize * PAGE_SIZE
}

impl<'s, A: PagingArch> World<'s, A> {
    fn new(stats: &'s Stats) -> Self {
        let mem = SimPlatform::<A>::new(FRAMES);
        let space = VmSpace::new(mem.clone()).unwrap();
        let user_pages = page_of(space.user_end());
        let gib = P1G;
        // 1 GiB, 4 GiB, a boundary of the root table on 4-level formats (512 GiB) or a high
        // address on Sv39, and the base of non-fixed mmaps (so MAP_FIXED lands in the arenas).
        let high = if A::LEVELS == 4 { 512 * gib } else { 64 * gib };
        let anchors = [gib, 4 * gib, high, user_pages / 2];
        World {
            stats,
            mem,
            spaces: vec![(space, Model::default())],
            contents: HashMap::new(),
            next_frame: 1,
            next_marker: 1,
            anchors,
            user_pages,
            points: BTreeSet::new(),
        }
    }

    fn space(&self, i: &Index) -> usize {
        i.index(self.spaces.len())
    }

    fn clamp(&self, start: i64, end: i64) -> Option<Range<u64>> {
        let start = start.max(1) as u64;
        let end = (end.max(0) as u64).min(self.user_pages);
        (start < end).then_some(start..end)
    }

    fn resolve(&self, s: usize, at: &Where) -> Option<Range<u64>> {
        match at {
            Where::Near {
                anchor,
                mb2,
                pages,
                len,
            } => {
                let start = self.anchors[*anchor] as i64 + mb2 * P2M + pages;
                self.clamp(start, start + *len as i64)
            }
            Where::Run {
                run,
                start_delta,
                end_delta,
            } => {
                let runs = &self.spaces[s].1.runs;
                if runs.is_empty() {
                    return None;
                }
                let (&rs, &(re, _)) = runs.iter().nth(run.index(runs.len())).unwrap();
                let (start, end) = (rs as i64 + start_delta, re as i64 + end_delta);
                self.clamp(start, end.max(start + 1))
            }
        }
    }

    fn resolve_page(&self, s: usize, at: &Target) -> u64 {
        match at {
            Target::Near { anchor, mb2, pages } => {
                (self.anchors[*anchor] as i64 + mb2 * P2M + pages) as u64
            }
            Target::Run { run, page } => {
                let runs = &self.spaces[s].1.runs;
                if runs.is_empty() {
                    return self.anchors[0];
                }
                let (&rs, &(re, _)) = runs.iter().nth(run.index(runs.len())).unwrap();
                rs + page.index((re - rs) as usize) as u64
            }
            Target::Mapped(i) => {
                let model = &self.spaces[s].1;
                let mapped: Vec<u64> = model
                    .runs
                    .iter()
                    .filter(|(_, (_, st))| st.frame().is_some())
                    .map(|(&p, _)| p)
                    .collect();
                if mapped.is_empty() {
                    let (run, page) = (*i, *i);
                    return self.resolve_page(s, &Target::Run { run, page });
                }
                mapped[i.index(mapped.len())]
            }
        }
    }

    fn note(&mut self, r: &Range<u64>) {
        for p in [r.start.wrapping_sub(1), r.start, r.end - 1, r.end] {
            if p < self.user_pages {
                self.points.insert(p);
            }
        }
    }

    /// References to model frame `frame` from all spaces.
    fn refs(&self, frame: u64) -> usize {
        self.spaces
            .iter()
            .map(|(_, m)| m.frames().filter(|&f| f == frame).count())
            .sum()
    }

    fn new_frame(&mut self, content: u64) -> u64 {
        let f = self.next_frame;
        self.next_frame += 1;
        self.contents.insert(f, content);
        f
    }

    /// Forgets the contents of frames no space maps any more.
    fn collect(&mut self) {
        let live: BTreeSet<u64> = self.spaces.iter().flat_map(|(_, m)| m.frames()).collect();
        self.contents.retain(|f, _| live.contains(f));
    }

    fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        match op {
            Op::MmapFixed { space, at, kind } => {
                let s = self.space(space);
                let Some(r) = self.resolve(s, at) else {
                    return Ok(());
                };
                self.note(&r);
                let len = va_of(r.end - r.start);
                let got = self.spaces[s]
                    .0
                    .mmap(Some(va_of(r.start)), len, kind.status());
                prop_assert_eq!(got, Ok(va_of(r.start)));
                self.spaces[s].1.set(r, kind.state());
            }
            Op::MmapAny { space, pages, kind } => {
                let s = self.space(space);
                let got = self.spaces[s].0.mmap(None, va_of(*pages), kind.status());
                prop_assert!(got.is_ok(), "non-fixed mmap of {} pages: {:?}", pages, got);
                let va = got.unwrap();
                prop_assert_eq!(va % PAGE_SIZE, 0);
                let r = page_of(va)..page_of(va) + pages;
                prop_assert!(r.end <= self.user_pages);
                let overlap = self.spaces[s].1.pieces(r.clone());
                prop_assert!(
                    overlap.is_empty(),
                    "non-fixed mmap at {:#x} overlaps {:?}",
                    va,
                    overlap
                );
                self.note(&r);
                self.spaces[s].1.set(r, kind.state());
            }
            Op::Munmap { space, at } => {
                let s = self.space(space);
                let Some(r) = self.resolve(s, at) else {
                    return Ok(());
                };
                self.note(&r);
                let got = self.spaces[s]
                    .0
                    .munmap(va_of(r.start), va_of(r.end - r.start));
                prop_assert_eq!(got, Ok(()));
                self.spaces[s].1.clear(r);
            }
            Op::Mprotect { space, at, prot } => {
                let s = self.space(space);
                let Some(r) = self.resolve(s, at) else {
                    return Ok(());
                };
                self.note(&r);
                let got = self.spaces[s]
                    .0
                    .mprotect(va_of(r.start), va_of(r.end - r.start), *prot);
                if !self.spaces[s].1.covers(r.clone()) {
                    prop_assert_eq!(got, Err(VmError::NoMemory), "mprotect over a hole");
                    bump(&self.stats.mprotect_enomem);
                    return Ok(());
                }
                prop_assert_eq!(got, Ok(()));
                bump(&self.stats.mprotect_ok);
                let pieces = self.spaces[s].1.pieces(r);
                for (range, st) in pieces {
                    let new = self.protect(st, *prot);
                    self.spaces[s].1.set(range, new);
                }
            }
            Op::Fault { space, at, access } => {
                let s = self.space(space);
                let page = self.resolve_page(s, at);
                if page >= self.user_pages {
                    return Ok(());
                }
                self.note(&(page..page + 1));
                let expect = self.fault(s, page, *access);
                let got = self.spaces[s]
                    .0
                    .handle_fault(va_of(page), *access, &NoFiles);
                prop_assert_eq!(got, expect, "fault {:?} at page {:#x}", access, page);
                bump(if got.is_ok() {
                    &self.stats.faults_ok
                } else {
                    &self.stats.faults_refused
                });
                if got.is_ok() && *access == Access::Write {
                    // The store that faulted.
                    let PageState::Mapped { pa, prop, .. } = self.spaces[s].0.query(va_of(page))
                    else {
                        return Err(TestCaseError::fail("write fault left no mapping"));
                    };
                    prop_assert!(prop.contains(PageProp::WRITE));
                    let marker = self.next_marker;
                    self.next_marker += 1;
                    self.mem.write_word(pa, 0, marker);
                    let Some(St::Mapped { frame, .. }) = self.spaces[s].1.get(page) else {
                        unreachable!()
                    };
                    self.contents.insert(frame, marker);
                }
            }
            Op::Fork { space } => {
                if self.spaces.len() >= MAX_SPACES {
                    return Ok(());
                }
                let s = self.space(space);
                let child = self.spaces[s].0.fork();
                bump(&self.stats.forks);
                prop_assert!(child.is_ok(), "fork: {:?}", child.as_ref().err());
                let model = &mut self.spaces[s].1;
                for (_, st) in model.runs.values_mut() {
                    *st = match *st {
                        St::Mapped {
                            frame, write: true, ..
                        } => St::Mapped {
                            frame,
                            write: false,
                            cow: true,
                        },
                        St::Inaccessible { frame, .. } => St::Inaccessible { frame, cow: true },
                        other => other,
                    };
                }
                let copy = model.clone();
                self.spaces.push((child.unwrap(), copy));
            }
            Op::Drop { space } => {
                let s = self.space(space);
                self.spaces.remove(s);
                if self.spaces.is_empty() {
                    let space = VmSpace::new(self.mem.clone()).unwrap();
                    self.spaces.push((space, Model::default()));
                }
            }
        }
        Ok(())
    }

    /// What `mprotect(prot)` makes of a page (see `VmSpace::mprotect`): a mapping that becomes
    /// writable stays copy-on-write while its frame is shared or was copy-on-write.
    fn protect(&self, st: St, prot: PageProp) -> St {
        match (st, prot) {
            (St::Reserved(_), _) => St::Reserved(prot),
            (St::Guard, _) => St::Guard,
            (St::Inaccessible { .. }, NONE) => st,
            (St::Mapped { frame, .. }, NONE) => St::Inaccessible { frame, cow: false },
            (St::Mapped { frame, .. } | St::Inaccessible { frame, .. }, R) => St::Mapped {
                frame,
                write: false,
                cow: false,
            },
            (St::Mapped { frame, cow, .. } | St::Inaccessible { frame, cow }, _) => {
                let shared = cow || self.refs(frame) > 1;
                St::Mapped {
                    frame,
                    write: !shared,
                    cow: shared,
                }
            }
        }
    }

    /// The outcome of a fault in the model, updating it.
    fn fault(&mut self, s: usize, page: u64, access: Access) -> Result<(), VmError> {
        let st = self.spaces[s].1.get(page);
        let new = match (st, access) {
            (_, Access::Exec) | (None | Some(St::Guard | St::Inaccessible { .. }), _) => {
                return Err(VmError::Fault);
            }
            (Some(St::Reserved(prop)), _) => {
                let needed = if access == Access::Write { RW } else { R };
                if !prop.contains(needed) {
                    return Err(VmError::Fault);
                }
                St::Mapped {
                    frame: self.new_frame(0),
                    write: prop.contains(PageProp::WRITE),
                    cow: false,
                }
            }
            (Some(St::Mapped { .. }), Access::Read) => return Ok(()),
            (Some(St::Mapped { write: true, .. }), Access::Write) => return Ok(()),
            (Some(St::Mapped { cow: false, .. }), Access::Write) => return Err(VmError::Fault),
            (Some(St::Mapped { frame, .. }), Access::Write) => {
                let frame = if self.refs(frame) == 1 {
                    frame
                } else {
                    bump(&self.stats.cow_copies);
                    self.new_frame(self.contents[&frame])
                };
                St::Mapped {
                    frame,
                    write: true,
                    cow: false,
                }
            }
        };
        self.spaces[s].1.set(page..page + 1, new);
        Ok(())
    }

    /// Compares every space with its model.
    fn check(&self) -> Result<(), TestCaseError> {
        let mut to_pa: HashMap<u64, usize> = HashMap::new();
        let mut to_frame: HashMap<usize, u64> = HashMap::new();
        for (n, (space, model)) in self.spaces.iter().enumerate() {
            let mut probes = self.points.clone();
            for (&s, &(e, _)) in &model.runs {
                probes.insert(s);
                probes.insert(e - 1);
                if e - s <= 64 {
                    probes.extend(s..e);
                }
            }
            for &p in &probes {
                let got = space.query(va_of(p));
                let want = model.get(p);
                let ok = match (want, got) {
                    (None, PageState::Invalid) => true,
                    (
                        Some(St::Reserved(prop)),
                        PageState::Status(Status::Anonymous { prop: q }),
                    ) => prop == q,
                    (Some(St::Guard), PageState::Status(Status::Guard)) => true,
                    (
                        Some(St::Mapped { frame, write, cow }),
                        PageState::Mapped { pa, prop, level },
                    ) => {
                        let mut expect = R | PageProp::USER;
                        expect.set(PageProp::WRITE, write);
                        expect.set(PageProp::COW, cow);
                        self.frame_is(frame, pa, &mut to_pa, &mut to_frame)?;
                        level == 1 && prop == expect
                    }
                    (
                        Some(St::Inaccessible { frame, cow }),
                        PageState::Status(Status::Inaccessible { pa, cow: c, user }),
                    ) => {
                        self.frame_is(frame, pa, &mut to_pa, &mut to_frame)?;
                        user && cow == c
                    }
                    _ => false,
                };
                prop_assert!(
                    ok,
                    "space {}, page {:#x} (va {:#x}): model {:?}, query {:?}",
                    n,
                    p,
                    va_of(p),
                    want,
                    got
                );
            }
            // Nothing between the runs.
            let cursor = space.lock(0..space.user_end()).unwrap();
            let mut at = 0;
            for (&s, &(e, _)) in &model.runs {
                if at < s {
                    let found = cursor.find_next(va_of(at)).map(|(va, _)| page_of(va));
                    prop_assert_eq!(found, Some(s), "space {}: find_next from page {:#x}", n, at);
                }
                at = e;
            }
            if at < self.user_pages {
                let found = cursor.find_next(va_of(at));
                prop_assert!(
                    found.is_none(),
                    "space {}: something after the last run, at {:?}",
                    n,
                    found
                );
            }
        }
        prop_assert_eq!(self.mem.live_frames(), self.contents.len(), "live frames");
        Ok(())
    }

    /// Checks that model frame `frame` is the physical frame `pa`, one to one, and holds its
    /// marker.
    fn frame_is(
        &self,
        frame: u64,
        pa: usize,
        to_pa: &mut HashMap<u64, usize>,
        to_frame: &mut HashMap<usize, u64>,
    ) -> Result<(), TestCaseError> {
        let a = *to_pa.entry(frame).or_insert(pa);
        let f = *to_frame.entry(pa).or_insert(frame);
        prop_assert!(
            a == pa && f == frame,
            "model frame {} is at {:#x} and {:#x}; {:#x} is model frames {} and {}",
            frame,
            a,
            pa,
            pa,
            f,
            frame
        );
        prop_assert_eq!(
            self.mem.read_word(pa, 0),
            self.contents[&frame],
            "contents of model frame {} at {:#x}",
            frame,
            pa
        );
        Ok(())
    }
}

fn run_case<A: PagingArch>(ops: &[Op], stats: &Stats) -> Result<(), TestCaseError> {
    let mut world = World::<A>::new(stats);
    for (i, op) in ops.iter().enumerate() {
        world
            .apply(op)
            .and_then(|()| {
                world.collect();
                world.check()
            })
            .map_err(|e| TestCaseError::fail(format!("after op {i} ({op:?}): {e}")))?;
    }
    let mem = world.mem.clone();
    drop(world);
    prop_assert_eq!(mem.live_tables(), 0, "page tables leaked");
    prop_assert_eq!(mem.live_frames(), 0, "frames leaked");
    Ok(())
}

fn model<A: PagingArch>() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let (ran, ops, stats) = (AtomicUsize::new(0), AtomicUsize::new(0), Stats::default());
    let start = std::time::Instant::now();
    let result = TestRunner::new(config).run(
        &proptest::collection::vec(op_strategy(), 1..=MAX_OPS),
        |case| {
            ran.fetch_add(1, Ordering::Relaxed);
            ops.fetch_add(case.len(), Ordering::Relaxed);
            run_case::<A>(&case, &stats)
        },
    );
    if let Err(e) = result {
        panic!("model({}): {e}", A::NAME);
    }
    // Straight to stderr, past the test harness's capture.
    let _ = writeln!(
        std::io::stderr(),
        "model({}): {} cases, {} operations in {:.1?} (faults: {} resolved, {} refused, {} \
         copy-on-write copies; mprotect: {} done, {} ENOMEM; {} forks)",
        A::NAME,
        ran.load(Ordering::Relaxed),
        ops.load(Ordering::Relaxed),
        start.elapsed(),
        stats.faults_ok.load(Ordering::Relaxed),
        stats.faults_refused.load(Ordering::Relaxed),
        stats.cow_copies.load(Ordering::Relaxed),
        stats.mprotect_ok.load(Ordering::Relaxed),
        stats.mprotect_enomem.load(Ordering::Relaxed),
        stats.forks.load(Ordering::Relaxed),
    );
}

#[test]
fn model_x86_64() {
    model::<X86_64>();
}

#[test]
fn model_sv39() {
    model::<Sv39>();
}

#[test]
fn model_sv48() {
    model::<Sv48>();
}
