//! Nice values and load weights: Linux's `sched_prio_to_weight` table.
//!
//! A fair task's share of a CPU is proportional to its weight. Nice 0 weighs [`NICE_0_WEIGHT`]
//! (1024); each nice step changes the weight by about 1.25x, so a task one nice level lower gets
//! about 10% more CPU than one a level higher. The table is Linux's, so shares match Linux's.

/// The lowest (most favourable) nice value.
pub const NICE_MIN: i8 = -20;
/// The highest (least favourable) nice value.
pub const NICE_MAX: i8 = 19;
/// The weight of a nice-0 task; virtual runtime advances at wall-clock speed at this weight.
pub const NICE_0_WEIGHT: u32 = 1024;

/// Linux's `sched_prio_to_weight`: the weight of nice `-20 + i` at index `i`.
const PRIO_TO_WEIGHT: [u32; 40] = [
    88761, 71755, 56483, 46273, 36291, // -20 .. -16
    29154, 23254, 18705, 14949, 11916, // -15 .. -11
    9548, 7620, 6100, 4904, 3906, // -10 .. -6
    3121, 2501, 1991, 1586, 1277, // -5 .. -1
    1024, 820, 655, 526, 423, // 0 .. 4
    335, 272, 215, 172, 137, // 5 .. 9
    110, 87, 70, 56, 45, // 10 .. 14
    36, 29, 23, 18, 15, // 15 .. 19
];

/// The load weight of a nice value; values outside `-20..=19` are clamped into it.
pub const fn nice_to_weight(nice: i8) -> u32 {
    let n = if nice < NICE_MIN {
        NICE_MIN
    } else if nice > NICE_MAX {
        NICE_MAX
    } else {
        nice
    };
    PRIO_TO_WEIGHT[(n - NICE_MIN) as usize]
}

/// The nice value whose weight is closest to `weight` (the inverse of [`nice_to_weight`]).
pub fn weight_to_nice(weight: u32) -> i8 {
    let mut best = 0usize;
    for (i, &w) in PRIO_TO_WEIGHT.iter().enumerate() {
        if w.abs_diff(weight) < PRIO_TO_WEIGHT[best].abs_diff(weight) {
            best = i;
        }
    }
    // The table has 40 entries, so the index fits an i8.
    best as i8 + NICE_MIN
}

/// Whether `nice` is within `-20..=19`.
pub const fn nice_is_valid(nice: i32) -> bool {
    nice >= NICE_MIN as i32 && nice <= NICE_MAX as i32
}

/// Clamps a requested nice value into `-20..=19`, as `setpriority(2)` and `nice(2)` do.
pub const fn clamp_nice(nice: i32) -> i8 {
    if nice < NICE_MIN as i32 {
        NICE_MIN
    } else if nice > NICE_MAX as i32 {
        NICE_MAX
    } else {
        nice as i8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_linux_anchors() {
        assert_eq!(nice_to_weight(0), 1024);
        assert_eq!(nice_to_weight(-20), 88761);
        assert_eq!(nice_to_weight(19), 15);
        assert_eq!(nice_to_weight(5), 335);
        assert_eq!(nice_to_weight(100), 15);
        assert_eq!(nice_to_weight(-100), 88761);
    }

    #[test]
    fn weights_decrease_by_about_a_quarter_per_step() {
        for n in NICE_MIN..NICE_MAX {
            let (a, b) = (nice_to_weight(n) as f64, nice_to_weight(n + 1) as f64);
            let r = a / b;
            assert!((1.2..1.3).contains(&r), "nice {n}: ratio {r}");
        }
    }

    #[test]
    fn weight_to_nice_inverts() {
        for n in NICE_MIN..=NICE_MAX {
            assert_eq!(weight_to_nice(nice_to_weight(n)), n);
        }
        assert_eq!(weight_to_nice(1000), 0);
        assert_eq!(clamp_nice(-40), -20);
        assert_eq!(clamp_nice(40), 19);
        assert!(nice_is_valid(-20) && nice_is_valid(19) && !nice_is_valid(20));
    }
}
