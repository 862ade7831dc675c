//! Settings that would make a deployment unsafe: fatal in production, a
//! warning elsewhere.

use anyhow::bail;
use secrecy::ExposeSecret;

use crate::settings::Settings;

/// Secrets that are published, so anyone could sign tokens with them:
/// UASAM's development default and the OTAS contract's fixture secret.
const PUBLISHED_SECRETS: [&str; 2] = ["some-jwt-secret", "test-secret-please-rotate"];

/// RFC 7518 §3.2: an HS256 key of at least 256 bits.
const SHORTEST_SECRET: usize = 32;

/// What makes a JWT secret unsafe; the same rule for the current secret and
/// the previous ones, which still verify tokens and so forge them as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weakness {
    /// Anyone can sign tokens with it.
    Published,
    /// Under RFC 7518's floor, and not allowed by `auth.allow_short_secret`.
    Short,
}

fn weakness(secret: &str, allow_short: bool) -> Option<Weakness> {
    if PUBLISHED_SECRETS.contains(&secret) {
        Some(Weakness::Published)
    } else if secret.len() < SHORTEST_SECRET && !allow_short {
        Some(Weakness::Short)
    } else {
        None
    }
}

/// What is unsafe in these settings, one sentence each; no secret is named.
pub fn concerns(settings: &Settings) -> Vec<String> {
    let mut concerns = Vec::new();
    let auth = &settings.auth;
    let short = |whose: &str| {
        format!("{whose} is shorter than {SHORTEST_SECRET} bytes (RFC 7518's floor for HS256); set auth.allow_short_secret=true to keep a shorter secret UASAM already uses")
    };
    match &auth.jwt_secret {
        Some(secret) if !secret.expose_secret().is_empty() => {
            match weakness(secret.expose_secret(), auth.allow_short_secret) {
                Some(Weakness::Published) => concerns.push("the JWT secret is a published one (UASAM's development default or the contract's fixture): anyone can sign tokens".to_owned()),
                Some(Weakness::Short) => concerns.push(short("the JWT secret")),
                None => {}
            }
        }
        _ => concerns.push("the JWT secret is empty".to_owned()),
    }
    if let Ok(secrets) = auth.secrets() {
        let previous: Vec<Weakness> = secrets
            .iter()
            .skip(1)
            .filter_map(|s| weakness(s.expose_secret(), auth.allow_short_secret))
            .collect();
        if previous.contains(&Weakness::Published) {
            concerns.push(
                "a previous JWT secret is a published one: anyone can sign tokens".to_owned(),
            );
        }
        if previous.contains(&Weakness::Short) {
            concerns.push(short("a previous JWT secret"));
        }
    }
    let explicit_database = settings
        .database
        .url
        .as_ref()
        .is_some_and(|url| !url.expose_secret().is_empty());
    if !explicit_database {
        concerns.push(
            "no database URL is set (DATABASE_URL): the service would serve a local SQLite file"
                .to_owned(),
        );
    }
    concerns
}

/// Refuses unsafe settings in production, with the first reason; warns
/// about them elsewhere.
pub fn check(settings: &Settings) -> anyhow::Result<()> {
    let concerns = concerns(settings);
    if settings.environment == "production" {
        if let Some(first) = concerns.first() {
            bail!("refusing to start in production: {first}");
        }
    }
    for concern in concerns {
        tracing::warn!("not safe for production: {concern}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRONG: &str = "a-strong-secret-of-forty-bytes-0123456789";

    fn concerns_with(overrides: &[(&str, &str)]) -> anyhow::Result<Vec<String>> {
        let mut all = vec![
            ("database.url", "postgres://otas@127.0.0.1/otas"),
            ("auth.jwt_secret", STRONG),
        ];
        all.extend_from_slice(overrides);
        Ok(concerns(&Settings::with_overrides(&all)?))
    }

    #[test]
    fn a_short_previous_secret_is_a_concern_naming_no_secret() -> anyhow::Result<()> {
        let concerns =
            concerns_with(&[("auth.previous_jwt_secrets", &format!("{STRONG}-older, x"))])?;

        assert_eq!(concerns.len(), 1, "{concerns:?}");
        assert!(
            concerns[0].starts_with("a previous JWT secret is shorter than 32 bytes"),
            "{concerns:?}"
        );
        assert!(!concerns[0].contains(STRONG), "{concerns:?}");
        Ok(())
    }

    #[test]
    fn allow_short_secret_keeps_a_short_previous_secret_too() -> anyhow::Result<()> {
        let concerns = concerns_with(&[
            ("auth.previous_jwt_secrets", "x"),
            ("auth.allow_short_secret", "true"),
        ])?;

        assert!(concerns.is_empty(), "{concerns:?}");
        Ok(())
    }

    #[test]
    fn strong_previous_secrets_are_no_concern() -> anyhow::Result<()> {
        let concerns = concerns_with(&[(
            "auth.previous_jwt_secrets",
            &format!("{STRONG}-1,{STRONG}-2"),
        )])?;

        assert!(concerns.is_empty(), "{concerns:?}");
        Ok(())
    }
}
