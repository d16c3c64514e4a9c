//! Password hashing with Argon2id (the crate's default parameters), run off
//! the async threads because it is deliberately slow.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

pub use domain::passwords::MIN_PASSWORD_CHARS;

pub fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing")
        .to_string()
}

pub fn verify_blocking(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .expect("hash task")
}

/// Verify; with no stored hash a dummy verification still runs so an
/// unknown e-mail takes as long as a wrong password.
pub async fn verify(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_blocking(&password, &h),
        None => {
            let _ = verify_blocking(&password, dummy_hash());
            false
        }
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_blocking("dummy password for timing"))
}

/// The password policy (`domain::passwords`) for the account with this
/// e-mail and name.
pub fn check_strength(pw: &str, email: &str, name: &str) -> Result<(), String> {
    domain::passwords::check_password(pw, email, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let h = hash_blocking("korrekt häst batteri");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_blocking("korrekt häst batteri", &h));
        assert!(!verify_blocking("fel", &h));
        assert!(!verify_blocking("x", "not a hash"));
    }
}
