//! Planning the term with the municipalities: what a municipality asks the
//! hub for (a local session, interest in a course that has no session yet)
//! and how the hub answers (planned as a session, merged with another
//! request, declined with a reason).

pub mod availability;
pub mod bus_factor;
pub mod go_no_go;
pub mod requests;
pub mod term;
pub mod volumes;
