//! The few statistics the figures need, over plain numbers: the median,
//! the 90th percentile by nearest rank, and a count as a float.

/// The middle value (the mean of the two middle ones for an even count).
pub fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values.get(mid).copied()
    } else {
        Some((values.get(mid.checked_sub(1)?)? + values.get(mid)?) / 2.0)
    }
}

/// The 90th percentile by nearest rank: the smallest value at least 90 %
/// of the values do not exceed. It is always a real observed time.
pub fn p90(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let rank = (values.len() * 9).div_ceil(10);
    values.get(rank.checked_sub(1)?).copied()
}

/// A count as a float, for ratios and scaling. Counts here are at most a
/// few thousand; anything beyond `u32` saturates rather than needing a cast.
pub fn count_f64(n: usize) -> f64 {
    u32::try_from(n).map_or(f64::from(u32::MAX), f64::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_nearest_rank_90th_percentiles() {
        let mut odd = [3.0, 1.0, 2.0];
        assert_eq!(median(&mut odd), Some(2.0));
        let mut even = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(median(&mut even), Some(2.5));
        assert_eq!(p90(&mut even), Some(4.0));
        let mut ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(p90(&mut ten), Some(9.0));
        let mut twenty: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(p90(&mut twenty), Some(18.0));
        assert_eq!(median(&mut []), None);
        assert_eq!(p90(&mut []), None);
        assert_eq!(p90(&mut [7.0]), Some(7.0));
    }
}
