//! The value axis of every chart: a "nice" step and a top that is a whole
//! number of steps, so gridlines land on round numbers and scaling never
//! divides by zero.

use super::drawable;

/// The gridlines of a value axis: a "nice" step (1, 2 or 5 × 10ⁿ) and a top
/// that is a whole number of steps, never zero, so scaling never divides
/// by zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scale {
    top: f64,
    step: f64,
}

impl Scale {
    pub(super) fn new(max: f64, whole: bool) -> Self {
        let max = drawable(max);
        let step = nice_step(max / 4.0, whole);
        let top = ((max / step).ceil() * step).max(step);
        Self { top, step }
    }

    /// Fixed top (percentages end at 100), four steps.
    pub(super) fn fixed(top: f64) -> Self {
        let top = if drawable(top) > 0.0 { top } else { 1.0 };
        Self {
            top,
            step: top / 4.0,
        }
    }

    /// Where `value` sits along an axis `length` long, from 0.
    pub(super) fn length(self, value: f64, length: f64) -> f64 {
        (drawable(value) / self.top).min(1.0) * length
    }

    /// The tick values from 0 to the top.
    pub(super) fn ticks(self) -> Vec<f64> {
        (0..=8u32)
            .map(|i| f64::from(i) * self.step)
            .take_while(|v| *v <= self.top + self.step / 2.0)
            .collect()
    }
}

fn nice_step(raw: f64, whole: bool) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mut magnitude = 1.0_f64;
    // Both loops are bounded: `raw` is finite and positive.
    while magnitude * 10.0 <= raw {
        magnitude *= 10.0;
    }
    while magnitude > raw {
        magnitude /= 10.0;
    }
    let step = [1.0, 2.0, 5.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    if whole {
        step.ceil().max(1.0)
    } else {
        step
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_get_nice_steps_and_never_a_zero_top() {
        assert_eq!(
            Scale::new(0.0, true),
            Scale {
                top: 1.0,
                step: 1.0
            }
        );
        assert_eq!(
            Scale::new(f64::NAN, false),
            Scale {
                top: 1.0,
                step: 1.0
            }
        );
        assert_eq!(
            Scale::new(7.0, true),
            Scale {
                top: 8.0,
                step: 2.0
            }
        );
        assert_eq!(
            Scale::new(2.0, true),
            Scale {
                top: 2.0,
                step: 1.0
            }
        );
        assert_eq!(
            Scale::new(130.0, true),
            Scale {
                top: 150.0,
                step: 50.0
            }
        );
        let hours = Scale::new(0.3, false);
        assert!((hours.step - 0.1).abs() < 1e-9 && (hours.top - 0.3).abs() < 1e-9);
        assert_eq!(
            Scale::fixed(100.0).ticks(),
            vec![0.0, 25.0, 50.0, 75.0, 100.0]
        );
        assert_eq!(Scale::new(7.0, true).ticks(), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
    }
}
