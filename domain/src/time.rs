use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch, UTC. The only way time enters `domain`:
/// callers read their clock (`worker::Date::now()`, `Date.now()`, a test value)
/// and pass it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Whole seconds, as Standard Webhooks' `webhook-timestamp` wants them.
    pub const fn seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    #[must_use]
    pub const fn plus_minutes(self, minutes: u32) -> Self {
        Self(self.0.saturating_add(minutes as i64 * 60_000))
    }
}
