//! Pacing: at most N request starts in any window of one second, for APIs whose documented
//! rate limit is low enough that a burst would be throttled. CloudTrail's LookupEvents allows
//! **2 requests per second per account and Region**: a run pages through thousands of
//! events, so it waits its turn before each call instead of relying on throttling retries.
//!
//! A [`Pacer`] remembers when its last N requests started (a sliding window). Each Region
//! gets its own pacer (the limit is per Region). The window is one second plus a small
//! margin: AWS counts requests when they *arrive*, and the network can bring two requests
//! sent exactly one second apart closer together.
//!
//! The pacer spaces the calls a caller makes; if AWS still throttles one (another process
//! of the account calls LookupEvents too), the SDK's retry policy repeats it after its
//! exponential backoff, outside the pacer.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// LookupEvents' documented limit: requests per second per account and Region.
pub const LOOKUP_EVENTS_PER_SECOND: u32 = 2;

/// Added to the one-second window to absorb network jitter.
pub const MARGIN: Duration = Duration::from_millis(50);

/// Lets at most `per_second` requests start in any window of one second (plus [`MARGIN`]).
#[derive(Debug)]
pub struct Pacer {
    per_second: usize,
    window: Duration,
    /// Start times of the last `per_second` requests (reserved, possibly in the future).
    starts: Mutex<VecDeque<Instant>>,
}

impl Default for Pacer {
    /// The LookupEvents pacer: [`LOOKUP_EVENTS_PER_SECOND`].
    fn default() -> Self {
        Pacer::new(LOOKUP_EVENTS_PER_SECOND)
    }
}

impl Pacer {
    /// A pacer of `per_second` starts per second (at least 1).
    pub fn new(per_second: u32) -> Pacer {
        Pacer {
            per_second: per_second.max(1) as usize,
            window: Duration::from_secs(1) + MARGIN,
            starts: Mutex::new(VecDeque::new()),
        }
    }

    /// Reserves the earliest start at or after `now` that keeps the limit, and returns it.
    /// Reservations are first come, first served: concurrent callers queue up.
    pub fn reserve(&self, now: Instant) -> Instant {
        let mut starts = self.starts.lock().expect("pacer lock");
        let at = if starts.len() < self.per_second {
            now
        } else {
            // The oldest of the last N starts leaves the window one window after it.
            let oldest = starts.pop_front().expect("non-empty");
            now.max(oldest + self.window)
        };
        // Keep the queue in start order even if a caller passed an earlier `now`.
        let at = starts.back().map_or(at, |&last| at.max(last));
        starts.push_back(at);
        at
    }

    /// Waits until the next request may start (tokio time).
    pub async fn wait(&self) {
        let at = self.reserve(Instant::now());
        tokio::time::sleep_until(at).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_more_than_n_starts_in_any_window() {
        let pacer = Pacer::new(2);
        let t0 = Instant::now();
        let starts: Vec<Instant> = (0..7).map(|_| pacer.reserve(t0)).collect();
        let window = Duration::from_secs(1) + MARGIN;
        assert_eq!(starts[0], t0);
        assert_eq!(starts[1], t0);
        assert_eq!(starts[2], t0 + window);
        assert_eq!(starts[3], t0 + window);
        assert_eq!(starts[6], t0 + 3 * window);
        for w in starts.windows(3) {
            assert!(w[2] - w[0] >= window, "{:?}", w);
        }
    }

    #[test]
    fn an_idle_pacer_lets_requests_start_at_once() {
        let pacer = Pacer::new(1);
        let t0 = Instant::now();
        assert_eq!(pacer.reserve(t0), t0);
        let later = t0 + Duration::from_secs(5);
        assert_eq!(pacer.reserve(later), later);
        // A zero rate is treated as one per second, not as "never".
        let zero = Pacer::new(0);
        assert_eq!(zero.reserve(t0), t0);
        assert!(zero.reserve(t0) > t0);
    }
}
