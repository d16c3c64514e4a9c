//! The bus factor of a course: how many active trainers are qualified to
//! lead it. A course with fewer than two depends on one person
//! ("personberoende"): one illness and no session can be held.

/// The fewest active, qualified trainers a course should have.
pub const MIN_TRAINERS: i64 = 2;

/// Whether a course with `active_qualified` trainers depends on one person.
pub fn is_person_dependent(active_qualified: i64) -> bool {
    active_qualified < MIN_TRAINERS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fewer_than_two_trainers_is_person_dependent() {
        assert!(is_person_dependent(0));
        assert!(is_person_dependent(1));
        assert!(!is_person_dependent(2));
        assert!(!is_person_dependent(15));
    }
}
