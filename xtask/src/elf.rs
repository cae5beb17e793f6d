//! Just enough ELF to tell what machine a user-space binary is for and whether it is static.

/// `e_machine` of x86-64.
pub const EM_X86_64: u16 = 62;
/// `e_machine` of RISC-V.
pub const EM_RISCV: u16 = 243;

const PT_INTERP: u32 = 3;
const PT_DYNAMIC: u32 = 2;

/// What the header of a 64-bit little-endian ELF file says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElfInfo {
    /// `e_type` (2 executable, 3 shared object or PIE).
    pub kind: u16,
    /// `e_machine`.
    pub machine: u16,
    /// No `PT_INTERP` and no `PT_DYNAMIC`: the kernel can run it without a loader.
    pub is_static: bool,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Reads the ELF header and program headers of `bytes`.
pub fn inspect(bytes: &[u8]) -> Result<ElfInfo, String> {
    if bytes.get(..4) != Some(b"\x7fELF") {
        return Err("not an ELF file".into());
    }
    if bytes[4] != 2 || bytes.get(5) != Some(&1) {
        return Err("not a 64-bit little-endian ELF file".into());
    }
    let bad = || "truncated ELF header".to_string();
    let kind = u16_at(bytes, 16).ok_or_else(bad)?;
    let machine = u16_at(bytes, 18).ok_or_else(bad)?;
    let phoff = u64_at(bytes, 32).ok_or_else(bad)? as usize;
    let phentsize = u16_at(bytes, 54).ok_or_else(bad)? as usize;
    let phnum = u16_at(bytes, 56).ok_or_else(bad)? as usize;
    let mut is_static = true;
    for i in 0..phnum {
        let p_type = u32_at(bytes, phoff + i * phentsize).ok_or("truncated program headers")?;
        if p_type == PT_INTERP || p_type == PT_DYNAMIC {
            is_static = false;
        }
    }
    Ok(ElfInfo {
        kind,
        machine,
        is_static,
    })
}

/// A name for `e_machine`.
pub fn machine_name(machine: u16) -> String {
    match machine {
        EM_X86_64 => "x86-64".into(),
        EM_RISCV => "RISC-V".into(),
        other => format!("machine {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(machine: u16, phdrs: &[u32]) -> Vec<u8> {
        let mut b = vec![0u8; 64 + 56 * phdrs.len()];
        b[..6].copy_from_slice(b"\x7fELF\x02\x01");
        b[16..18].copy_from_slice(&2u16.to_le_bytes());
        b[18..20].copy_from_slice(&machine.to_le_bytes());
        b[32..40].copy_from_slice(&64u64.to_le_bytes());
        b[54..56].copy_from_slice(&56u16.to_le_bytes());
        b[56..58].copy_from_slice(&(phdrs.len() as u16).to_le_bytes());
        for (i, t) in phdrs.iter().enumerate() {
            b[64 + 56 * i..68 + 56 * i].copy_from_slice(&t.to_le_bytes());
        }
        b
    }

    #[test]
    fn reads_machine_and_linkage() {
        let info = inspect(&header(EM_RISCV, &[1, 1, 4])).unwrap();
        assert_eq!(
            (info.kind, info.machine, info.is_static),
            (2, EM_RISCV, true)
        );
        let info = inspect(&header(EM_X86_64, &[6, PT_INTERP, 1])).unwrap();
        assert_eq!((info.machine, info.is_static), (EM_X86_64, false));
        assert!(inspect(b"#!/bin/sh\n").is_err());
        assert!(inspect(&header(EM_RISCV, &[1])[..60]).is_err());
    }

    #[test]
    fn reads_the_running_xtask() {
        // The host binary itself: dynamically linked on a Debian host.
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let info = inspect(&exe).unwrap();
        if cfg!(target_arch = "x86_64") {
            assert_eq!(info.machine, EM_X86_64);
        }
    }
}
