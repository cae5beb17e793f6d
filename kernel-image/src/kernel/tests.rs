//! In-kernel tests of what a safe crate gets from frame: the heap through `alloc`, and
//! registration of tests from outside frame.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

frame::ktest! {
    fn collections_work_on_the_kernel_heap() {
        let mut map = BTreeMap::new();
        for i in 0..2000u32 {
            map.insert(i, String::from("x").repeat((i % 7) as usize));
        }
        assert_eq!(map.len(), 2000);
        assert_eq!(map[&13].len(), 6);
        let v: Vec<u64> = (0..100_000).collect();
        assert_eq!(v.iter().sum::<u64>(), 99_999 * 100_000 / 2);
    }

    fn banner_facts_are_sane() {
        assert!(frame::mm::usable_memory() >= 16 << 20, "less than 16 MiB usable");
        assert!(frame::boot::cpu_count() >= 1);
        assert!(["x86_64", "riscv64"].contains(&frame::arch::ARCH_NAME));
    }
}
