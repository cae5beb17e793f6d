//! Publishes the directory of frame's linker scripts to dependent build scripts.
//!
//! The memory layout belongs to frame (its boot code and the `.ktest` registry depend on it),
//! but only the final binary may pass `-T`. A kernel binary's build script reads
//! `DEP_FRAME_LINKER_SCRIPT_DIR` and links with `<dir>/<arch>.ld`.

fn main() {
    let dir = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("linker");
    println!("cargo::metadata=LINKER_SCRIPT_DIR={}", dir.display());
    println!("cargo::rerun-if-changed=linker");
}
