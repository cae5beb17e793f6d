//! reboot(2) magic numbers and commands (`include/uapi/linux/reboot.h`).

/// First magic argument.
pub const LINUX_REBOOT_MAGIC1: u32 = 0xfee1_dead;
/// Second magic argument (Linus Torvalds' birthday, 28 Dec 1969).
pub const LINUX_REBOOT_MAGIC2: u32 = 0x2812_1969;
/// Alternative second magic.
pub const LINUX_REBOOT_MAGIC2A: u32 = 0x0512_1996;
/// Alternative second magic.
pub const LINUX_REBOOT_MAGIC2B: u32 = 0x1604_1998;
/// Alternative second magic.
pub const LINUX_REBOOT_MAGIC2C: u32 = 0x2011_2000;

/// Whether `magic1` and `magic2` are a valid pair (else reboot(2) fails with `EINVAL`).
pub const fn reboot_magic_ok(magic1: u32, magic2: u32) -> bool {
    magic1 == LINUX_REBOOT_MAGIC1
        && matches!(
            magic2,
            LINUX_REBOOT_MAGIC2
                | LINUX_REBOOT_MAGIC2A
                | LINUX_REBOOT_MAGIC2B
                | LINUX_REBOOT_MAGIC2C
        )
}

/// Restart.
pub const LINUX_REBOOT_CMD_RESTART: u32 = 0x0123_4567;
/// Halt.
pub const LINUX_REBOOT_CMD_HALT: u32 = 0xCDEF_0123;
/// Ctrl-Alt-Del reboots.
pub const LINUX_REBOOT_CMD_CAD_ON: u32 = 0x89AB_CDEF;
/// Ctrl-Alt-Del sends `SIGINT` to init.
pub const LINUX_REBOOT_CMD_CAD_OFF: u32 = 0x0000_0000;
/// Power off.
pub const LINUX_REBOOT_CMD_POWER_OFF: u32 = 0x4321_FEDC;
/// Restart with a command string.
pub const LINUX_REBOOT_CMD_RESTART2: u32 = 0xA1B2_C3D4;
/// Hibernate.
pub const LINUX_REBOOT_CMD_SW_SUSPEND: u32 = 0xD000_FCE2;
/// Boot a kexec-loaded kernel.
pub const LINUX_REBOOT_CMD_KEXEC: u32 = 0x4558_4543;
