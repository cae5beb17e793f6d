//! Links the kernel with frame's linker script for the target architecture.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("none") {
        return; // a hosted build is only the stub that says how to build the kernel
    }
    let dir =
        std::env::var("DEP_FRAME_LINKER_SCRIPT_DIR").expect("frame publishes its linker scripts");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap();
    println!("cargo::rustc-link-arg-bins=-T{dir}/{arch}.ld");
    println!("cargo::rustc-link-arg-bins=--no-pie");
    println!("cargo::rerun-if-changed={dir}/{arch}.ld");
}
