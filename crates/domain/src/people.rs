//! What makes a person record valid.

use crate::errors::FieldErrors;
use crate::fields::{Email, PersonName};
use crate::org::Gender;

pub use crate::fields::{MAX_EMAIL_CHARS, MAX_NAME_CHARS};
pub const MAX_EMPLOYEE_NO_CHARS: usize = 40;

pub fn check_gender(g: &str) -> Result<Gender, String> {
    Gender::parse(g).ok_or_else(|| {
        format!(
            "Okänt kön ”{}”: ange kvinna, man, annat eller ej angivet.",
            crate::tabular::excerpt(g)
        )
    })
}

pub fn check_employee_no(no: &str) -> Result<Option<String>, String> {
    let n = no.trim();
    if n.is_empty() {
        return Ok(None);
    }
    if n.chars().count() > MAX_EMPLOYEE_NO_CHARS {
        return Err(format!(
            "Anställningsnumret får vara högst {MAX_EMPLOYEE_NO_CHARS} tecken."
        ));
    }
    Ok(Some(n.to_string()))
}

/// A person as typed in a form or sent to the API, before names of roles,
/// municipalities and units are resolved to ids.
#[derive(Debug, Clone, Default)]
pub struct PersonDraft {
    pub name: String,
    pub email: String,
    pub gender: String,
    pub employee_no: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedPerson {
    pub name: PersonName,
    pub email: Email,
    pub gender: Gender,
    pub employee_no: Option<String>,
}

/// Check the fields that need no lookup; every problem is reported at once.
pub fn check_person(d: &PersonDraft) -> Result<CheckedPerson, FieldErrors> {
    let mut errs = FieldErrors::new();
    let name = PersonName::parse(&d.name)
        .map_err(|m| errs.add("name", "invalid_name", m))
        .ok();
    let email = Email::parse(&d.email)
        .map_err(|m| errs.add("email", "invalid_email", m))
        .ok();
    let gender = check_gender(&d.gender)
        .map_err(|m| errs.add("gender", "invalid_gender", m))
        .ok();
    let employee_no = check_employee_no(&d.employee_no)
        .map_err(|m| errs.add("employee_no", "invalid_employee_no", m))
        .ok();
    match (name, email, gender, employee_no) {
        (Some(name), Some(email), Some(gender), Some(employee_no)) if errs.is_empty() => {
            Ok(CheckedPerson {
                name,
                email,
                gender,
                employee_no,
            })
        }
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_problems_are_reported_with_their_field() {
        let e = check_person(&PersonDraft {
            name: "".into(),
            email: "nope".into(),
            gender: "kanske".into(),
            employee_no: "".into(),
        })
        .unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "gender"]);
    }
}
