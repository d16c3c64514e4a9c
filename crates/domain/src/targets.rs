//! The steering group's question, "are we on track?": a municipality's (or
//! the programme's) course hours against its commitment, compared with
//! where an even pace would have it by today, and where the current pace
//! ends at the programme's close.

use serde::Serialize;

/// How far behind the expected share still counts as "slightly behind"
/// rather than "behind": at least this share of the expected hours.
pub const SLIGHTLY_BEHIND_FROM: f64 = 0.8;

/// Where a municipality or the programme stands, in words (and a colour
/// that only repeats them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pace {
    OnTrack,
    SlightlyBehind,
    Behind,
    /// No commitment (or target) to measure against.
    NoTarget,
}

impl Pace {
    pub fn code(self) -> &'static str {
        match self {
            Pace::OnTrack => "on_track",
            Pace::SlightlyBehind => "slightly_behind",
            Pace::Behind => "behind",
            Pace::NoTarget => "no_target",
        }
    }
    /// The badge class the page uses next to the words.
    pub fn tone(self) -> &'static str {
        match self {
            Pace::OnTrack => "ok",
            Pace::SlightlyBehind => "warn",
            Pace::Behind => "bad",
            Pace::NoTarget => "",
        }
    }
}

/// `achieved_pct` of the commitment reached, `expected_pct` of it expected
/// by now at an even pace; `target` the commitment itself (hours).
pub fn pace(target: f64, achieved_pct: f64, expected_pct: f64) -> Pace {
    if target <= 0.0 {
        Pace::NoTarget
    } else if achieved_pct >= expected_pct {
        Pace::OnTrack
    } else if achieved_pct >= expected_pct * SLIGHTLY_BEHIND_FROM {
        Pace::SlightlyBehind
    } else {
        Pace::Behind
    }
}

/// The share of the commitment reached at the programme's end if the pace
/// so far goes on (`None` before any time has passed).
pub fn forecast_pct(achieved_pct: f64, expected_pct: f64) -> Option<f64> {
    (expected_pct > 0.0).then(|| achieved_pct * 100.0 / expected_pct)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_in_words() {
        assert_eq!(pace(100.0, 50.0, 50.0), Pace::OnTrack);
        assert_eq!(pace(100.0, 60.0, 50.0), Pace::OnTrack);
        assert_eq!(pace(100.0, 40.0, 50.0), Pace::SlightlyBehind);
        assert_eq!(pace(100.0, 39.9, 50.0), Pace::Behind);
        assert_eq!(pace(0.0, 10.0, 50.0), Pace::NoTarget);
        assert_eq!(Pace::Behind.code(), "behind");
        assert_eq!(Pace::OnTrack.tone(), "ok");
    }

    #[test]
    fn forecast_at_the_current_pace() {
        assert_eq!(forecast_pct(25.0, 50.0), Some(50.0));
        assert_eq!(forecast_pct(60.0, 40.0), Some(150.0));
        assert_eq!(forecast_pct(10.0, 0.0), None);
    }
}
