//! What makes a person record valid.

use crate::errors::FieldErrors;
use crate::org::Gender;

pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_EMPLOYEE_NO_CHARS: usize = 40;

/// Trimmed, length-checked name. Returns the Swedish message on failure.
pub fn check_name(name: &str) -> Result<String, String> {
    let n = crate::text::single_line(name, "Namnet")?;
    if n.is_empty() {
        return Err("Namn måste fyllas i.".into());
    }
    if n.chars().count() > MAX_NAME_CHARS {
        return Err(format!("Namnet får vara högst {MAX_NAME_CHARS} tecken."));
    }
    Ok(n)
}

/// Lower-cased, trimmed e-mail with a plausible shape (one @, a dot in the
/// domain, no spaces). Deliverability is proven by mail, not by regex.
pub fn check_email(email: &str) -> Result<String, String> {
    let e = crate::text::single_line(email, "E-postadressen")?.to_lowercase();
    if e.is_empty() {
        return Err("E-postadress måste fyllas i.".into());
    }
    if e.chars().count() > MAX_EMAIL_CHARS {
        return Err(format!(
            "E-postadressen får vara högst {MAX_EMAIL_CHARS} tecken."
        ));
    }
    let valid = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !valid {
        return Err(format!(
            "”{}” är inte en giltig e-postadress.",
            crate::tabular::excerpt(email)
        ));
    }
    Ok(e)
}

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
    pub name: String,
    pub email: String,
    pub gender: Gender,
    pub employee_no: Option<String>,
}

/// Check the fields that need no lookup; every problem is reported at once.
pub fn check_person(d: &PersonDraft) -> Result<CheckedPerson, FieldErrors> {
    let mut errs = FieldErrors::new();
    let name = check_name(&d.name)
        .map_err(|m| errs.add("name", "invalid_name", m))
        .ok();
    let email = check_email(&d.email)
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
    fn email_is_normalised_and_checked() {
        assert_eq!(
            check_email(" Anna.Berg@Orebro.SE ").unwrap(),
            "anna.berg@orebro.se"
        );
        for bad in [
            "", "anna", "anna@", "@x.se", "a@b", "a b@c.se", "a@@b.se", "a@.se",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn over_long_name_is_refused() {
        let long = "Å".repeat(MAX_NAME_CHARS + 1);
        assert!(check_name(&long).is_err());
        assert!(check_name(&"Å".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(check_name("   ").is_err());
    }

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
