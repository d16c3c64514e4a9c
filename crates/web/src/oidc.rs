//! OpenID Connect: the providers from the configuration file, and the
//! protocol with each (authorization code flow with PKCE, `state` and
//! `nonce`). Everything that touches tokens and keys is done by the
//! `openidconnect` crate; this module only wires it: discovery documents
//! and key sets are cached per provider and fetched again when a token is
//! signed with a key the cache does not know (keys rotate).
//!
//! The HTTP client follows no redirects (a provider that answers a token
//! request with a redirect must not send the code elsewhere) and gives up
//! after a few seconds.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use domain::sign_in::MatchOn;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret,
    CsrfToken, IdToken, IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    SignatureVerificationError,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

/// How far the provider's clock may be ahead of ours for a token to count
/// as not yet expired.
pub const CLOCK_SKEW_SECS: i64 = 120;
/// How long one request to a provider may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

// Configuration ---------------------------------------------------------------------

/// The configuration file (`NAVET_CONFIG` or `--config FILE`), as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default)]
    pub login: LoginSection,
    /// `[privacy.retention]`: the retention schedule (docs/privacy.md).
    #[serde(default)]
    pub privacy: domain::retention::PrivacySection,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginSection {
    #[serde(default)]
    pub oidc: Vec<ProviderEntry>,
}

/// One `[[login.oidc]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderEntry {
    pub id: String,
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub client_secret_env: Option<String>,
    pub municipality: String,
    #[serde(rename = "match")]
    pub match_on: String,
    pub claim: String,
}

/// A provider ready to use: the secret resolved, the settings checked.
#[derive(Debug, Clone)]
pub struct Provider {
    pub id: String,
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub municipality: String,
    pub match_on: MatchOn,
    pub claim: String,
}

impl FileConfig {
    /// Read the file's text; errors name the line (and the provider).
    pub fn parse(text: &str) -> Result<FileConfig, String> {
        let c: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = std::collections::HashSet::new();
        for (i, p) in c.login.oidc.iter().enumerate() {
            let at = format!("[[login.oidc]] nummer {} (id = \"{}\")", i + 1, p.id);
            if !domain::sign_in::valid_provider_id(&p.id) {
                return Err(format!(
                    "{at}: id får bara ha små bokstäver a–z, siffror och -"
                ));
            }
            if !seen.insert(p.id.clone()) {
                return Err(format!("{at}: id finns redan"));
            }
            domain::sign_in::issuer_allowed(&p.issuer).map_err(|m| format!("{at}: issuer: {m}"))?;
            if MatchOn::parse(&p.match_on).is_none() {
                return Err(format!(
                    "{at}: match måste vara \"email\" eller \"employee_no\""
                ));
            }
            for (field, v) in [
                ("label", &p.label),
                ("client_id", &p.client_id),
                ("municipality", &p.municipality),
                ("claim", &p.claim),
            ] {
                if v.trim().is_empty() {
                    return Err(format!("{at}: {field} saknas"));
                }
            }
            if p.client_secret.is_some() == p.client_secret_env.is_some() {
                return Err(format!(
                    "{at}: ange antingen client_secret_env (namnet på en miljövariabel) eller client_secret"
                ));
            }
        }
        Ok(c)
    }

    /// The providers with their secrets, looked up with `env` for
    /// `client_secret_env` (the binary passes the process environment).
    pub fn providers(&self, env: impl Fn(&str) -> Option<String>) -> Result<Vec<Provider>, String> {
        self.login
            .oidc
            .iter()
            .map(|p| {
                let secret = match (&p.client_secret, &p.client_secret_env) {
                    (Some(s), _) => s.clone(),
                    (None, Some(var)) => env(var).filter(|s| !s.is_empty()).ok_or_else(|| {
                        format!(
                            "[[login.oidc]] id = \"{}\": miljövariabeln {var} är inte satt",
                            p.id
                        )
                    })?,
                    (None, None) => unreachable!("checked in parse"),
                };
                Ok(Provider {
                    id: p.id.clone(),
                    label: p.label.clone(),
                    issuer: p.issuer.trim_end_matches('/').to_string(),
                    client_id: p.client_id.clone(),
                    client_secret: secret,
                    municipality: p.municipality.clone(),
                    match_on: MatchOn::parse(&p.match_on).unwrap_or(MatchOn::Email),
                    claim: p.claim.clone(),
                })
            })
            .collect()
    }
}

// The protocol ---------------------------------------------------------------------

/// Every claim of the ID token besides the standard ones (for `claim` settings
/// such as `employee_no` or `upn`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    pub rest: HashMap<String, serde_json::Value>,
}
impl AdditionalClaims for OtherClaims {}

type NavetIdToken = IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// Why a provider's answer was not accepted. `code()` goes to the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OidcError {
    /// Discovery, key set or token endpoint could not be reached or read.
    ProviderDown(String),
    /// The provider refused the code (used twice, expired, not ours).
    CodeRefused(String),
    /// The ID token failed a check (signature, key, audience, issuer, nonce, expiry).
    BadToken(String),
}

impl OidcError {
    pub fn code(&self) -> &'static str {
        match self {
            OidcError::ProviderDown(_) => "oidc_provider_down",
            OidcError::CodeRefused(_) => "oidc_code_refused",
            OidcError::BadToken(_) => "oidc_bad_token",
        }
    }
    pub fn detail(&self) -> &str {
        match self {
            OidcError::ProviderDown(d) | OidcError::CodeRefused(d) | OidcError::BadToken(d) => d,
        }
    }
}

/// What goes to the provider, and what must be kept until it answers.
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The verified answer.
pub struct Finished {
    /// The configured claim's value, if the token has it.
    pub claim_value: Option<String>,
    /// The ID token as received (hint for the end-session endpoint).
    pub id_token: String,
}

/// The providers and a cache of their discovery documents (with key sets).
pub struct Registry {
    providers: Vec<Provider>,
    buttons: Arc<Vec<(String, String)>>,
    http: openidconnect::reqwest::Client,
    cache: Mutex<HashMap<String, Arc<ProviderMetadataWithLogout>>>,
}

impl Registry {
    pub fn new(providers: Vec<Provider>) -> Registry {
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .build()
            .expect("HTTP client for OpenID providers");
        Registry {
            buttons: Arc::new(
                providers
                    .iter()
                    .map(|p| (p.id.clone(), p.label.clone()))
                    .collect(),
            ),
            providers,
            http,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    /// (id, label) of each provider, for the login page.
    pub fn buttons(&self) -> Arc<Vec<(String, String)>> {
        self.buttons.clone()
    }

    pub fn get(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// The provider's discovery document with its key set; fetched when
    /// not cached or when `refresh` (an unknown key was seen).
    async fn metadata(
        &self,
        p: &Provider,
        refresh: bool,
    ) -> Result<Arc<ProviderMetadataWithLogout>, OidcError> {
        let mut cache = self.cache.lock().await;
        if !refresh {
            if let Some(m) = cache.get(&p.id) {
                return Ok(m.clone());
            }
        }
        let issuer = IssuerUrl::new(p.issuer.clone())
            .map_err(|e| OidcError::ProviderDown(format!("issuer: {e}")))?;
        let m = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::ProviderDown(error_chain(&e)))?;
        let m = Arc::new(m);
        cache.insert(p.id.clone(), m.clone());
        Ok(m)
    }

    fn client(
        p: &Provider,
        m: &ProviderMetadataWithLogout,
        redirect: &str,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        OidcError,
    > {
        let redirect = RedirectUrl::new(redirect.to_string())
            .map_err(|e| OidcError::ProviderDown(format!("redirect: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            m.clone(),
            ClientId::new(p.client_id.clone()),
            Some(ClientSecret::new(p.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// The address to send the browser to, with a fresh `state`, `nonce`
    /// and PKCE challenge (S256).
    pub async fn start(&self, p: &Provider, redirect: &str) -> Result<Started, OidcError> {
        let m = self.metadata(p, false).await?;
        let client = Self::client(p, &m, redirect)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchange the code (with the PKCE verifier) and verify the ID token:
    /// signature against the provider's keys (fetched again once if the key
    /// is unknown), issuer, audience, expiry (with [`CLOCK_SKEW_SECS`]) and
    /// `nonce`.
    pub async fn finish(
        &self,
        p: &Provider,
        redirect: &str,
        code: &str,
        nonce: &str,
        pkce_verifier: &str,
    ) -> Result<Finished, OidcError> {
        let m = self.metadata(p, false).await?;
        let client = Self::client(p, &m, redirect)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::ProviderDown(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                openidconnect::RequestTokenError::ServerResponse(r) => {
                    OidcError::CodeRefused(r.to_string())
                }
                other => OidcError::ProviderDown(error_chain(&other)),
            })?;
        use openidconnect::TokenResponse;
        let raw = response
            .id_token()
            .ok_or_else(|| OidcError::BadToken("svaret saknar ID-token".into()))?
            .to_string();
        let token: NavetIdToken = raw
            .parse()
            .map_err(|e: serde_json::Error| OidcError::BadToken(e.to_string()))?;
        let nonce = Nonce::new(nonce.to_string());
        let claim_value = match self.verify(p, &m, redirect, &token, &nonce) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                // The provider may have rotated its keys since we cached them.
                let fresh = self.metadata(p, true).await?;
                self.verify(p, &fresh, redirect, &token, &nonce)
            }
            other => other,
        }
        .map_err(|e| OidcError::BadToken(error_chain(&e)))?;
        Ok(Finished {
            claim_value,
            id_token: raw,
        })
    }

    fn verify(
        &self,
        p: &Provider,
        m: &ProviderMetadataWithLogout,
        redirect: &str,
        token: &NavetIdToken,
        nonce: &Nonce,
    ) -> Result<Option<String>, ClaimsVerificationError> {
        let client = Self::client(p, m, redirect)
            .map_err(|e| ClaimsVerificationError::Other(e.detail().to_string()))?;
        let verifier: openidconnect::IdTokenVerifier<CoreJsonWebKey> = client
            .id_token_verifier()
            .set_time_fn(|| chrono::Utc::now() - chrono::Duration::seconds(CLOCK_SKEW_SECS));
        let claims = token.claims(&verifier, nonce)?;
        Ok(claim_value(claims, &p.claim))
    }

    /// Where to send the browser after a local logout, when the provider
    /// publishes an end-session endpoint.
    pub async fn end_session_url(
        &self,
        provider_id: &str,
        id_token: &str,
        after: &str,
    ) -> Option<String> {
        let p = self.get(provider_id)?;
        let m = self.metadata(p, false).await.ok()?;
        let endpoint = m.additional_metadata().end_session_endpoint.clone()?;
        let token: NavetIdToken = id_token.parse().ok()?;
        let mut req = LogoutRequest::from(endpoint)
            .set_id_token_hint(&token)
            .set_client_id(ClientId::new(p.client_id.clone()));
        if let Ok(u) = PostLogoutRedirectUrl::new(after.to_string()) {
            req = req.set_post_logout_redirect_uri(u);
        }
        Some(req.http_get_url().to_string())
    }
}

/// The value of the configured claim: a standard claim or any other one
/// (strings, and numbers as written).
fn claim_value(
    claims: &openidconnect::IdTokenClaims<OtherClaims, CoreGenderClaim>,
    claim: &str,
) -> Option<String> {
    let standard = match claim {
        "email" => claims.email().map(|e| e.as_str().to_string()),
        "sub" => Some(claims.subject().as_str().to_string()),
        "preferred_username" => claims.preferred_username().map(|u| u.as_str().to_string()),
        _ => None,
    };
    standard
        .or_else(|| match claims.additional_claims().rest.get(claim)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|v| !v.trim().is_empty())
}

/// An error and its causes on one line (for the log and audit detail).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[login.oidc]]
id = "kumla"
label = "Kumla kommun"
issuer = "https://login.example.se/kumla"
client_id = "navet"
client_secret_env = "NAVET_OIDC_KUMLA_SECRET"
municipality = "Kumla"
match = "email"
claim = "email"
"#;

    #[test]
    fn the_documented_form_reads_and_takes_its_secret_from_the_environment() {
        let c = FileConfig::parse(GOOD).unwrap();
        let ps = c
            .providers(|k| (k == "NAVET_OIDC_KUMLA_SECRET").then(|| "s3".to_string()))
            .unwrap();
        assert_eq!(ps[0].client_secret, "s3");
        assert_eq!(ps[0].match_on, MatchOn::Email);
        let missing = c.providers(|_| None).unwrap_err();
        assert!(missing.contains("NAVET_OIDC_KUMLA_SECRET"), "{missing}");
    }

    #[test]
    fn bad_settings_are_named() {
        let http = GOOD.replace("https://login.example.se", "http://login.example.se");
        assert!(FileConfig::parse(&http).unwrap_err().contains("issuer"));
        let both = GOOD.replace("claim = ", "client_secret = \"x\"\nclaim = ");
        assert!(FileConfig::parse(&both)
            .unwrap_err()
            .contains("client_secret_env"));
        let bad_match = GOOD.replace("match = \"email\"", "match = \"sub\"");
        assert!(FileConfig::parse(&bad_match).unwrap_err().contains("match"));
        let typo = GOOD.replace("label", "lable");
        let e = FileConfig::parse(&typo).unwrap_err();
        assert!(e.contains("line"), "{e}");
        let twice = format!("{GOOD}{GOOD}");
        assert!(FileConfig::parse(&twice)
            .unwrap_err()
            .contains("finns redan"));
        assert!(FileConfig::parse("").unwrap().login.oidc.is_empty());
    }
}
