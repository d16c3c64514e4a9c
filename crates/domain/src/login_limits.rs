//! How often someone may try to sign in: a few attempts freely, then an
//! exponentially growing wait between attempts (per account and per client
//! address), instead of locking anyone out for a fixed time.
//!
//! An attempt is counted *before* the password is checked, as if it
//! failed; a successful sign-in then takes it back (`succeeded`). So
//! parallel guesses cannot all slip past the limit while their passwords
//! are being verified.

/// The limits for one kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failed attempts allowed without waiting.
    pub free: i64,
    /// The longest wait between attempts, in seconds.
    pub max_wait_secs: i64,
    /// After this long without an attempt the count starts over.
    pub forget_after_secs: i64,
}

/// Per account: 5 attempts, then 2, 4, 8 … seconds between attempts, at
/// most 15 minutes; forgotten after a day without attempts.
pub const PER_ACCOUNT: Policy = Policy {
    free: 5,
    max_wait_secs: 15 * 60,
    forget_after_secs: 24 * 3600,
};

/// Per client address: 20 attempts (an office behind one address), then
/// the same growing wait; forgotten after 15 minutes.
pub const PER_ADDRESS: Policy = Policy {
    free: 20,
    max_wait_secs: 15 * 60,
    forget_after_secs: 15 * 60,
};

/// What is recorded for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Throttle {
    /// Attempts counted as failures since the count last started over.
    pub failures: i64,
    /// When the last counted attempt was made (Unix seconds).
    pub last_at: i64,
    /// No attempt is checked before this time.
    pub next_at: i64,
}

/// The wait after `failures` failed attempts: nothing within the free
/// attempts, then 2^k seconds for the k-th failure beyond them, capped.
pub fn wait_after(failures: i64, p: &Policy) -> i64 {
    let k = failures - p.free + 1;
    if k <= 0 {
        return 0;
    }
    if k >= 62 {
        return p.max_wait_secs;
    }
    (1i64 << k).min(p.max_wait_secs)
}

/// A new attempt at `now`: the state to record (the attempt counted as a
/// failure), or the time from which the next attempt will be checked.
pub fn attempt(t: Throttle, now: i64, p: &Policy) -> Result<Throttle, i64> {
    let failures = if t.failures > 0 && now - t.last_at > p.forget_after_secs {
        0
    } else {
        t.failures
    };
    if failures > 0 && now < t.next_at {
        return Err(t.next_at);
    }
    let failures = failures + 1;
    Ok(Throttle {
        failures,
        last_at: now,
        next_at: now + wait_after(failures, p),
    })
}

/// The attempt counted by `attempt` succeeded: take it back.
pub fn succeeded(t: Throttle, p: &Policy) -> Throttle {
    let failures = (t.failures - 1).max(0);
    Throttle {
        failures,
        last_at: t.last_at,
        next_at: t.last_at + wait_after(failures, p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_free_attempts_then_a_growing_wait() {
        let p = PER_ACCOUNT;
        let mut t = Throttle::default();
        let now = 1_000_000;
        for i in 1..=5 {
            t = attempt(t, now, &p).expect("free attempt");
            assert_eq!(t.failures, i);
        }
        // The fifth failure asks for 2 seconds before the sixth attempt.
        assert_eq!(attempt(t, now, &p), Err(now + 2));
        assert_eq!(attempt(t, now + 1, &p), Err(now + 2));
        t = attempt(t, now + 2, &p).unwrap();
        assert_eq!(t.next_at, now + 2 + 4);
        t = attempt(t, now + 6, &p).unwrap();
        assert_eq!(t.next_at, now + 6 + 8);
    }

    #[test]
    fn the_wait_is_capped_and_forgotten_after_a_while() {
        let p = PER_ACCOUNT;
        assert_eq!(wait_after(4, &p), 0);
        assert_eq!(wait_after(5, &p), 2);
        assert_eq!(wait_after(6, &p), 4);
        assert_eq!(wait_after(30, &p), 15 * 60);
        assert_eq!(wait_after(i64::MAX, &p), 15 * 60);
        let t = Throttle {
            failures: 40,
            last_at: 0,
            next_at: 900,
        };
        assert_eq!(attempt(t, 100, &p), Err(900));
        let fresh = attempt(t, 24 * 3600 + 1, &p).unwrap();
        assert_eq!(fresh.failures, 1);
        assert_eq!(fresh.next_at, 24 * 3600 + 1);
    }

    #[test]
    fn success_takes_the_attempt_back() {
        let p = PER_ADDRESS;
        let mut t = Throttle::default();
        for _ in 0..30 {
            t = attempt(t, 50, &p).unwrap();
            t = succeeded(t, &p);
        }
        assert_eq!(
            t.failures, 0,
            "successful logins from one office never add up"
        );
        assert_eq!(t.next_at, 50);
    }
}
