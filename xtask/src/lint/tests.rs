//! Tests of the lint rules on the fixture crates under `xtask/fixtures/lint`.
//!
//! The source fixtures break the rules on purpose (unsafe blocks without `// SAFETY:`, unsafe
//! code in untrusted crates), so they are not Rust files of this project: their sources are
//! kept as `*.rs.txt`, and each test copies its fixture to a scratch directory as `*.rs`
//! before checking it. The dependency fixtures (`dep-*`) are plain Cargo workspaces.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Tier, Violation, lines::code_lines, run, source::check_crate};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/lint")
        .join(name)
}

/// Copies source fixture `name` to a fresh scratch directory, `*.rs.txt` renamed to `*.rs`,
/// and returns that directory.
fn materialize(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let to = std::env::temp_dir()
        .join(format!(
            "xtask-lint-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ))
        .join(name);
    copy_as_rust(&fixture(name), &to);
    to
}

fn copy_as_rust(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("scratch directory");
    for entry in std::fs::read_dir(from)
        .expect("fixture directory")
        .flatten()
    {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            copy_as_rust(&path, &to.join(&name));
        } else {
            let name = name.strip_suffix(".txt").unwrap_or(&name);
            std::fs::copy(&path, to.join(name)).expect("copy a fixture file");
        }
    }
}

/// Runs the source checks on a copy of fixture `name` (root `src/lib.rs`); returns the copy's
/// directory (removed again by now; violations name files in it) and the violations.
fn check(name: &str, tier: Tier) -> (PathBuf, Vec<Violation>) {
    let dir = materialize(name);
    let src = dir.join("src");
    let found = check_crate(name, tier, &src, &[src.join("lib.rs")]).violations;
    let _ = std::fs::remove_dir_all(dir.parent().unwrap_or(&dir));
    (dir, found)
}

/// Asserts exactly one violation, in `file` (relative to the fixture) at `line`, naming `what`.
fn assert_one(name: &str, tier: Tier, file: &str, line: Option<usize>, what: &str) {
    let (dir, found) = check(name, tier);
    assert_eq!(found.len(), 1, "{name}: {found:#?}");
    let v = &found[0];
    assert_eq!(v.file, dir.join(file), "{v}");
    assert_eq!(v.line, line, "{v}");
    assert!(v.message.contains(what) && v.message.contains(name), "{v}");
}

#[test]
fn ok_fixtures_pass() {
    assert_eq!(check("untrusted-ok", Tier::Untrusted).1, []);
    let dir = materialize("trusted-ok");
    let src = dir.join("src");
    let checked = check_crate("trusted-ok", Tier::Trusted, &src, &[src.join("lib.rs")]);
    let _ = std::fs::remove_dir_all(dir.parent().unwrap_or(&dir));
    assert_eq!(checked.violations, []);
    assert_eq!(checked.unsafe_blocks, 7);
    // Unsafe code anywhere is not checked in host crates.
    assert_eq!(check("untrusted-unsafe-block", Tier::Host).1, []);
}

#[test]
fn untrusted_violations() {
    let forbid = "lacks `#![forbid(unsafe_code)]`";
    assert_one(
        "untrusted-no-forbid",
        Tier::Untrusted,
        "src/lib.rs",
        None,
        forbid,
    );
    let block = "unsafe block in untrusted crate";
    assert_one(
        "untrusted-unsafe-block",
        Tier::Untrusted,
        "src/lib.rs",
        Some(6),
        block,
    );
    assert_one(
        "untrusted-asm",
        Tier::Untrusted,
        "src/lib.rs",
        Some(6),
        "`asm!`",
    );
    let attr = "`#[unsafe(no_mangle)]` attribute";
    assert_one(
        "untrusted-no-mangle",
        Tier::Untrusted,
        "src/lib.rs",
        Some(5),
        attr,
    );
    assert_one(
        "untrusted-extern-block",
        Tier::Untrusted,
        "src/lib.rs",
        Some(4),
        "extern block",
    );
    let sub = "untrusted-unsafe-in-submodule";
    assert_one(
        sub,
        Tier::Untrusted,
        "src/sub/mod.rs",
        Some(5),
        "unsafe impl",
    );
}

#[test]
fn trusted_violations() {
    let name = "trusted-missing-safety";
    assert_one(
        name,
        Tier::Trusted,
        "src/lib.rs",
        Some(8),
        "without a `// SAFETY:` comment",
    );
    assert_one(
        "trusted-distant-safety",
        Tier::Trusted,
        "src/lib.rs",
        Some(10),
        "without a `// SAFETY:` comment",
    );
    let name = "trusted-unsafe-fn-no-doc";
    assert_one(
        name,
        Tier::Trusted,
        "src/lib.rs",
        Some(8),
        "unsafe fn `read` without a `# Safety`",
    );
}

#[test]
fn dependency_rules_and_tcb() {
    let report = run(&fixture("dep-workspace")).expect("cargo metadata on the fixture workspace");
    let mut found: Vec<String> = report.violations.iter().map(Violation::to_string).collect();
    found.sort();
    let b = "untrusted-b/Cargo.toml: untrusted crate `untrusted-b` depends on";
    let expected = [
        "no-tier/Cargo.toml: package `no-tier` declares no `[package.metadata.framekernel] tier`; \
         expected \"trusted\", \"untrusted\" or \"host\""
            .to_string(),
        format!("{b} host crate `host-tool` (via untrusted-b -> untrusted-c -> host-tool)"),
        format!(
            "{b} unvetted crate `unvetted-two` (via untrusted-b -> vetted-one -> unvetted-two)"
        ),
        "untrusted-c/Cargo.toml: untrusted crate `untrusted-c` depends on host crate `host-tool` \
         (via untrusted-c -> host-tool)"
            .to_string(),
        "vetted-crates.toml:4: vetted crate `empty-reason` has no reason".to_string(),
    ];
    assert_eq!(found, expected);
    assert!(!report.passed());
    let tcb = &report.tcb;
    assert_eq!(
        (tcb.trusted_lines, tcb.kernel_lines, tcb.unsafe_blocks),
        (3, 5, 1)
    );
    let names: Vec<&str> = tcb.per_crate.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, ["trusted-a", "untrusted-b", "untrusted-c"]);
}

#[test]
fn counts_code_lines() {
    let src = r##"//! Doc.
/* block /* nested */
   still comment */ fn f() {}

    // comment
let s = "// not a comment
/* neither */";
let r = r#"a "quoted" /* string"#; /* trailing
comment */
let c = '"'; let d = '\''; let l: &'static str = "x"; // end
/** doc block */
"##;
    assert_eq!(code_lines(src), 5);
}
