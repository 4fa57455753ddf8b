//! The statistics every bench reports, defined once so a "median" or a
//! "p99" in BENCHMARKS.md means the same thing in every table.
//!
//! - **median**: the middle value of the sorted sample; for an even count,
//!   the mean of the two middle values.
//! - **percentile p** (0 ≤ p ≤ 100): linear interpolation between the two
//!   nearest ranks, Hyndman & Fan's type 7 (the default of numpy, R and
//!   Excel's `PERCENTILE.INC`): on the sorted sample `x[0..n]`, position
//!   `h = p/100 · (n − 1)`, value `x[⌊h⌋] + (h − ⌊h⌋) · (x[⌊h⌋+1] − x[⌊h⌋])`.
//!   So p0 is the smallest value, p100 the largest and p50 the median, and a
//!   percentile never leaves the range of the sample.
//! - **max**: the largest value (p100).
//!
//! An empty sample has none of these (`None`), so no bench panics on a
//! round that measured nothing. NaN is not a measurement: it is dropped.

/// Measurements, sorted once, that every statistic reads.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    sorted: Vec<f64>,
}

impl Sample {
    pub fn new(values: impl IntoIterator<Item = f64>) -> Self {
        let mut sorted: Vec<f64> = values.into_iter().filter(|v| !v.is_nan()).collect();
        sorted.sort_by(f64::total_cmp);
        Self { sorted }
    }

    /// How many measurements (NaN not counted).
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    pub fn max(&self) -> Option<f64> {
        self.sorted.last().copied()
    }

    /// The middle value; for an even count, the mean of the two middle ones.
    pub fn median(&self) -> Option<f64> {
        let n = self.sorted.len();
        let upper = *self.sorted.get(n / 2)?;
        if n % 2 == 1 {
            return Some(upper);
        }
        Some(f64::midpoint(self.sorted[n / 2 - 1], upper))
    }

    /// Percentile `p` (0 ≤ p ≤ 100) by linear interpolation between the
    /// nearest ranks (see the module docs). `None` for an empty sample or a
    /// `p` outside 0..=100.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        if !(0.0..=100.0).contains(&p) {
            return None;
        }
        let last = self.sorted.len().checked_sub(1)?;
        #[allow(clippy::cast_precision_loss)]
        let h = p / 100.0 * last as f64;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let below = (h.floor() as usize).min(last);
        let lo = self.sorted[below];
        let hi = self.sorted.get(below + 1).copied().unwrap_or(lo);
        // The clamp keeps rounding from stepping outside [lo, hi], so
        // percentiles stay monotone in p.
        Some((lo + (h - h.floor()) * (hi - lo)).clamp(lo, hi))
    }
}

#[cfg(test)]
mod tests {
    use super::Sample;
    use proptest::prelude::*;

    #[test]
    fn an_empty_sample_has_no_statistics() {
        let s = Sample::new([]);
        assert_eq!(s.len(), 0);
        assert_eq!(s.median(), None);
        assert_eq!(s.percentile(50.0), None);
        assert_eq!(s.percentile(0.0), None);
        assert_eq!(s.max(), None);
    }

    #[test]
    fn the_median_of_an_odd_count_is_the_middle_value() {
        assert_eq!(Sample::new([3.0, 1.0, 2.0]).median(), Some(2.0));
        assert_eq!(Sample::new([7.0]).median(), Some(7.0));
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(Sample::new([4.0, 1.0, 3.0, 2.0]).median(), Some(2.5));
        assert_eq!(Sample::new([10.0, 20.0]).median(), Some(15.0));
    }

    #[test]
    fn percentiles_interpolate_between_the_nearest_ranks() {
        let s = Sample::new([40.0, 10.0, 30.0, 20.0]);
        assert_eq!(s.percentile(0.0), Some(10.0));
        assert_eq!(s.percentile(100.0), Some(40.0));
        assert_eq!(s.percentile(50.0), Some(25.0));
        // numpy.percentile([10, 20, 30, 40], 90) == 37.0
        let p90 = s.percentile(90.0).unwrap();
        assert!((p90 - 37.0).abs() < 1e-9, "{p90}");
        let five = Sample::new([1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(five.percentile(25.0), Some(2.0));
        assert_eq!(five.percentile(50.0), five.median());
    }

    #[test]
    fn a_single_value_is_every_percentile() {
        let s = Sample::new([4.2]);
        for p in [0.0, 1.0, 50.0, 99.0, 100.0] {
            assert_eq!(s.percentile(p), Some(4.2));
        }
    }

    #[test]
    fn a_percentile_outside_0_to_100_is_refused() {
        let s = Sample::new([1.0, 2.0]);
        assert_eq!(s.percentile(-1.0), None);
        assert_eq!(s.percentile(100.5), None);
        assert_eq!(s.percentile(f64::NAN), None);
    }

    #[test]
    fn nan_is_dropped() {
        let s = Sample::new([f64::NAN, 5.0, -1.0, 2.0]);
        assert_eq!(s.len(), 3);
        assert_eq!(s.percentile(0.0), Some(-1.0));
        assert_eq!(s.max(), Some(5.0));
        assert_eq!(s.median(), Some(2.0));
    }

    fn values() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(-1e9..1e9_f64, 1..200)
    }

    proptest! {
        #[test]
        fn the_median_lies_between_min_and_max(v in values()) {
            let min = v.iter().copied().fold(f64::INFINITY, f64::min);
            let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let s = Sample::new(v);
            prop_assert_eq!(s.max(), Some(max));
            let median = s.median().unwrap();
            prop_assert!(min <= median && median <= max, "{min} {median} {max}");
            let p50 = s.percentile(50.0).unwrap();
            prop_assert!((p50 - median).abs() <= 1e-6 * median.abs().max(1.0), "{p50} {median}");
        }

        #[test]
        fn percentiles_are_monotone_and_span_min_to_max(v in values(), a in 0.0..=100.0_f64, b in 0.0..=100.0_f64) {
            let min = v.iter().copied().fold(f64::INFINITY, f64::min);
            let s = Sample::new(v);
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(s.percentile(lo).unwrap() <= s.percentile(hi).unwrap());
            prop_assert_eq!(s.percentile(0.0), Some(min));
            prop_assert_eq!(s.percentile(100.0), s.max());
        }
    }
}
