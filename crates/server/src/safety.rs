//! Settings that would make a deployment unsafe: fatal in production (the
//! gate lists them, [`crate::gate`]), a warning elsewhere.

use secrecy::ExposeSecret;

use crate::gate::Problem;
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

/// What is unsafe in these settings, each with its fix; no secret is
/// named. An empty secret is not among them: `serve` refuses it in every
/// environment ([`crate::gate::settings_problems`]).
pub fn concerns(settings: &Settings) -> Vec<Problem> {
    let mut concerns = Vec::new();
    let auth = &settings.auth;
    let new_secret = "set JWT_SECRET (or OTAS__AUTH__JWT_SECRET) to a random secret of 32 bytes or more, the one UASAM signs with (e.g. openssl rand -base64 48)";
    let short = |whose: &str| {
        Problem::new(
            format!("{whose} is shorter than {SHORTEST_SECRET} bytes (RFC 7518's floor for HS256)"),
            "use a secret of 32 bytes or more, or set auth.allow_short_secret=true (OTAS__AUTH__ALLOW_SHORT_SECRET) to keep a shorter secret UASAM already uses",
        )
    };
    if let Some(secret) = auth
        .jwt_secret
        .as_ref()
        .filter(|s| !s.expose_secret().is_empty())
    {
        match weakness(secret.expose_secret(), auth.allow_short_secret) {
            Some(Weakness::Published) => concerns.push(Problem::new(
                "the JWT secret is a published one (UASAM's development default or the contract's fixture): anyone can sign tokens",
                new_secret,
            )),
            Some(Weakness::Short) => concerns.push(short("the JWT secret")),
            None => {}
        }
    }
    if let Ok(secrets) = auth.secrets() {
        let previous: Vec<Weakness> = secrets
            .iter()
            .skip(1)
            .filter_map(|s| weakness(s.expose_secret(), auth.allow_short_secret))
            .collect();
        if previous.contains(&Weakness::Published) {
            concerns.push(Problem::new(
                "a previous JWT secret is a published one: anyone can sign tokens",
                "remove it from OTAS__AUTH__PREVIOUS_JWT_SECRETS (or the previous secrets' file)",
            ));
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
    if settings.database.url.as_ref().is_some_and(|url| {
        otas_postgres_adapter::several_hosts_any_of_which_may_take_writes(url.expose_secret())
    }) {
        concerns.push(Problem::new(
            "the database URL lists several hosts without target_session_attrs=read-write: libpq keeps the first that answers, a standby after a failover, and every session creation would answer 503",
            "add target_session_attrs=read-write to DATABASE_URL (pg_autoctl show uri prints such a URL)",
        ));
    }
    if !explicit_database {
        concerns.push(Problem::new(
            "no database URL is set: the service would serve a local SQLite file",
            "set DATABASE_URL (or OTAS__DATABASE__URL) to postgres://user:password@host:port/database",
        ));
    }
    concerns
}

/// Warns about unsafe settings outside production (in production they are
/// problems of the gate, and `serve` refuses).
pub fn warn(settings: &Settings) {
    if settings.environment == "production" {
        return;
    }
    for concern in concerns(settings) {
        tracing::warn!("not safe for production: {concern}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRONG: &str = "a-strong-secret-of-forty-bytes-0123456789";

    fn concerns_with(overrides: &[(&str, &str)]) -> anyhow::Result<Vec<Problem>> {
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
            concerns[0]
                .what
                .starts_with("a previous JWT secret is shorter than 32 bytes"),
            "{concerns:?}"
        );
        assert!(!concerns[0].to_string().contains(STRONG), "{concerns:?}");
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

    #[test]
    fn a_url_of_several_hosts_without_a_writable_target_is_a_concern() -> anyhow::Result<()> {
        let any = concerns_with(&[("database.url", "postgres://u@h1:5432,h2:5432/otas")])?;
        let writable = concerns_with(&[(
            "database.url",
            "postgres://u@h1:5432,h2:5432/otas?target_session_attrs=read-write",
        )])?;

        assert_eq!(any.len(), 1, "{any:?}");
        assert!(
            any[0]
                .to_string()
                .contains("target_session_attrs=read-write"),
            "{any:?}"
        );
        assert!(writable.is_empty(), "{writable:?}");
        Ok(())
    }
}
