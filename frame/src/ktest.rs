//! In-kernel tests: a registry filled at link time, and its runner.
//!
//! [`ktest!`](crate::ktest) defines test functions and places a [`KTest`] record for each in
//! the `.ktest` link section; the linker script gathers them between `__ktest_start` and
//! `__ktest_end`, so [`registry`] sees the tests of every crate linked into the kernel with no
//! central list. [`run_all`] runs them in link order and prints one line per test, which
//! `cargo xtask test` parses from the serial log:
//!
//! ```text
//! ktest: running 12 tests
//! ktest: ok   frame::mm::tests::frame_roundtrip
//! ktest: FAIL kernel_image::tests::broken: panicked at src/tests.rs:9:5: ...
//! ktest: result: 11 passed, 1 failed, 0 not run
//! ```
//!
//! A test fails by panicking (`assert!` and friends). The kernel cannot unwind, so a failure
//! ends the run: the panic handler prints the `FAIL` line and the result, counting the tests
//! that did not get to run, and powers off with [`ExitStatus::TestFailed`](crate::power::ExitStatus).
//! A kernel fault inside a test is reported the same way, after the fault report.
//!
//! `ktest.filter=TEXT` on the command line runs only the tests whose full name contains TEXT.
//! `ktest.inject=panic`, `ktest.inject=null-deref` and `ktest.inject=rodata-write` append a
//! test that panics, dereferences null or writes to the kernel's read-only data, which is how
//! `cargo xtask test` checks that failures, faults and the kernel's page protections work.

use core::sync::atomic::{AtomicUsize, Ordering};

/// One registered test.
#[repr(C)]
pub struct KTest {
    /// The test function's name.
    pub name: &'static str,
    /// The module that defines it (`module_path!()`).
    pub module: &'static str,
    /// The test body; it fails by panicking.
    pub run: fn(),
}

/// Defines in-kernel tests and registers them in the `.ktest` section.
///
/// ```ignore
/// frame::ktest! {
///     fn vec_grows() {
///         let v: Vec<u32> = (0..1000).collect();
///         assert_eq!(v.len(), 1000);
///     }
/// }
/// ```
#[macro_export]
macro_rules! ktest {
    ($($(#[$attr:meta])* fn $name:ident() $body:block)*) => {
        $(
            $(#[$attr])*
            fn $name() $body

            const _: () = {
                #[used]
                #[unsafe(link_section = ".ktest")]
                static KTEST: $crate::ktest::KTest = $crate::ktest::KTest {
                    name: stringify!($name),
                    module: module_path!(),
                    run: $name,
                };
            };
        )*
    };
}

unsafe extern "C" {
    safe static __ktest_start: u8;
    safe static __ktest_end: u8;
}

/// Every test linked into the kernel.
pub fn registry() -> &'static [KTest] {
    let start = (&raw const __ktest_start).cast::<KTest>();
    let end = (&raw const __ktest_end).cast::<KTest>();
    let len = (end as usize - start as usize) / size_of::<KTest>();
    // The linker script puts only `.ktest` between the two symbols, and only `ktest!` emits
    // there: each entry is an aligned `KTest` static whose size is a multiple of its alignment.
    // SAFETY: so the entries form an array of `len` immutable `KTest`s that live forever.
    unsafe { core::slice::from_raw_parts(start, len) }
}

/// What a finished run found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Tests that passed.
    pub passed: usize,
}

const NONE: usize = usize::MAX;
/// Index (into [`selected`]) of the running test, or `NONE`.
static CURRENT: AtomicUsize = AtomicUsize::new(NONE);
static PASSED: AtomicUsize = AtomicUsize::new(0);
static PLANNED: AtomicUsize = AtomicUsize::new(0);

static INJECTED_PANIC: KTest = KTest {
    name: "injected_panic",
    module: module_path!(),
    run: injected_panic,
};
static INJECTED_RODATA_WRITE: KTest = KTest {
    name: "injected_rodata_write",
    module: module_path!(),
    run: injected_rodata_write,
};
static INJECTED_NULL_DEREF: KTest = KTest {
    name: "injected_null_deref",
    module: module_path!(),
    run: injected_null_deref,
};

fn injected_panic() {
    panic!("injected failure (ktest.inject=panic)");
}

/// A word of the kernel's read-only data.
static READ_ONLY_WORD: u64 = 0x5eed;

fn injected_rodata_write() {
    crate::arch::rewrite_word(&READ_ONLY_WORD);
    panic!(
        "a write to read-only kernel data at {:#x} did not fault",
        &raw const READ_ONLY_WORD as usize
    );
}

fn injected_null_deref() {
    let value = crate::arch::load_from_null();
    panic!("load from address 0 returned {value:#x} instead of faulting");
}

/// The tests the command line selects, in run order. Allocation-free, so the panic path can
/// use it.
fn selected() -> impl Iterator<Item = &'static KTest> {
    let filter = crate::boot::cmdline_param("ktest.filter").unwrap_or("");
    let injected = match crate::boot::cmdline_param("ktest.inject") {
        Some("panic") => Some(&INJECTED_PANIC),
        Some("null-deref") => Some(&INJECTED_NULL_DEREF),
        Some("rodata-write") => Some(&INJECTED_RODATA_WRITE),
        _ => None,
    };
    registry()
        .iter()
        .filter(move |t| matches(t, filter))
        .chain(injected)
}

/// Whether `module::name` contains `filter`.
fn matches(test: &KTest, filter: &str) -> bool {
    let (module, name, f) = (
        test.module.as_bytes(),
        test.name.as_bytes(),
        filter.as_bytes(),
    );
    let full_len = module.len() + 2 + name.len();
    let byte = |i: usize| match i {
        i if i < module.len() => module[i],
        i if i < module.len() + 2 => b':',
        i => name[i - module.len() - 2],
    };
    f.is_empty()
        || (0..=full_len.saturating_sub(f.len()))
            .any(|at| f.len() <= full_len && f.iter().enumerate().all(|(j, &c)| byte(at + j) == c))
}

/// Runs the tests selected by the command line; returns only if all passed.
pub fn run_all() -> Summary {
    let planned = selected().count();
    PLANNED.store(planned, Ordering::Relaxed);
    crate::println!("ktest: running {planned} tests");
    for (i, test) in selected().enumerate() {
        CURRENT.store(i, Ordering::SeqCst);
        log::debug!("ktest: run  {}::{}", test.module, test.name);
        (test.run)();
        CURRENT.store(NONE, Ordering::SeqCst);
        PASSED.fetch_add(1, Ordering::Relaxed);
        crate::println!("ktest: ok   {}::{}", test.module, test.name);
    }
    let passed = PASSED.load(Ordering::Relaxed);
    crate::println!("ktest: result: {passed} passed, 0 failed, 0 not run");
    Summary { passed }
}

/// Called by the panic handler: if a test is running, reports it failed and returns true.
pub(crate) fn report_panic(info: &core::panic::PanicInfo<'_>) -> bool {
    match info.location() {
        Some(at) => report_failure(format_args!("panicked at {at}: {}", info.message())),
        None => report_failure(format_args!("panicked: {}", info.message())),
    }
}

/// Called after a kernel fault report: if a test is running, reports it failed.
pub(crate) fn report_abort(reason: &str) {
    report_failure(format_args!("{reason}"));
}

fn report_failure(reason: core::fmt::Arguments<'_>) -> bool {
    let index = CURRENT.swap(NONE, Ordering::SeqCst);
    let Some(test) = (index != NONE).then(|| selected().nth(index)).flatten() else {
        return false;
    };
    let passed = PASSED.load(Ordering::Relaxed);
    let not_run = PLANNED.load(Ordering::Relaxed).saturating_sub(passed + 1);
    crate::console::emergency_print(format_args!(
        "\nktest: FAIL {}::{}: {reason}\nktest: result: {passed} passed, 1 failed, {not_run} not run\n",
        test.module, test.name
    ));
    true
}

crate::ktest! {
    fn filter_matches_across_the_separator() {
        let t = KTest { name: "beta", module: "alpha::tests", run: || {} };
        assert!(matches(&t, ""));
        assert!(matches(&t, "alpha::tests::beta"));
        assert!(matches(&t, "tests::be"));
        assert!(!matches(&t, "beta::"));
        assert!(!matches(&t, "alpha::tests::beta::gamma"));
    }
}
