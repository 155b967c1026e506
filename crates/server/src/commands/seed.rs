//! `ordercore seed --demo | --file F`.

use super::CommandError;
use crate::cli::SeedArgs;
use crate::config::Config;
use crate::database;
use ordercore_crypto::{Argon2Hasher, RandomTokens};
use ordercore_domain::model::ApplicationSlug;
use ordercore_store::SeedFile;
use ordercore_store::seed::{DEMO_PASSWORD, SeedPromotionKind};

/// The shortest application token a seed file may give: tokens are bearer
/// credentials, and a short one can be guessed.
pub const MIN_TOKEN_LEN: usize = 32;

/// `seed --demo` refuses a database holding non-demo data unless `--force`;
/// `seed --file` refuses short application tokens.
pub async fn seed(config: &Config, args: SeedArgs) -> Result<(), CommandError> {
    let (file, demo) = match &args.file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CommandError::Failed(format!("cannot read seed file {}: {e}", path.display()))
            })?;
            let file = SeedFile::from_json(&text)
                .map_err(|e| CommandError::Failed(format!("seed file {}: {e}", path.display())))?;
            check_tokens(&file)
                .map_err(|e| CommandError::Failed(format!("seed file {}: {e}", path.display())))?;
            (file, false)
        }
        None => (SeedFile::demo(), true),
    };
    let store = database::open_migrated(config).await?;
    if demo && !args.force {
        let found = database::non_demo_data(&store, &file, &RandomTokens).await?;
        if !found.is_empty() {
            return Err(CommandError::Failed(format!(
                "refusing to load the demo data: this database holds data the demo seed did \
                 not write ({}); the demo would overwrite application tokens with public \
                 ones. Use --force only on a throw-away database (docs/seed-file.md)",
                found.join(", ")
            )));
        }
    }
    let summary = store
        .seed(&file, &Argon2Hasher, &RandomTokens)
        .await
        .map_err(CommandError::failed)?;
    out!(
        "Seeded {} application(s), {} user(s), {} service(s), {} promotion(s), {} payment method(s); {} new row(s).",
        summary.applications,
        summary.users,
        summary.services,
        summary.promotions,
        summary.payment_methods,
        summary.inserted
    );
    if demo {
        out!("{}", demo_credentials(&file));
    }
    Ok(())
}

/// Refuses an application token shorter than [`MIN_TOKEN_LEN`], naming the
/// application and never the token.
pub fn check_tokens(file: &SeedFile) -> Result<(), String> {
    for app in &file.applications {
        let len = app.token.chars().count();
        if len < MIN_TOKEN_LEN {
            return Err(format!(
                "the token of application {} is too short ({len} characters, at least \
                 {MIN_TOKEN_LEN}): use a long random token",
                app.slug.as_str()
            ));
        }
    }
    Ok(())
}

/// What a newcomer needs to try the API, taken from the demo data itself.
/// Only the demo's published, fixed credentials are printed; a seed file's
/// passwords and tokens never are.
pub fn demo_credentials(demo: &SeedFile) -> String {
    let mut out =
        String::from("\nDemo credentials (demo data only: never use them in production)\n");
    out.push_str(&format!("  password of every demo user: {DEMO_PASSWORD}\n"));
    for user in &demo.users {
        let (role, application) = if user.client.is_some() {
            ("client", ApplicationSlug::Planoorder)
        } else if user.employee {
            ("employee", ApplicationSlug::Planox2)
        } else {
            ("liaison", ApplicationSlug::Planox2)
        };
        out.push_str(&format!(
            "  {role:<9} {:<24} log in with application {}\n",
            user.email.as_str(),
            application.as_str()
        ));
    }
    for app in &demo.applications {
        let role = app.role.as_str();
        out.push_str(&format!(
            "  application {:<11} token {} (acts as {role})\n",
            app.slug.as_str(),
            app.token
        ));
    }
    for p in &demo.promotions {
        let value = match p.kind {
            SeedPromotionKind::Percent => format!("{}% off", p.value as f64 / 100.0),
            SeedPromotionKind::Amount => format!("${:.2} off", p.value as f64 / 100.0),
        };
        out.push_str(&format!(
            "  promotion code {} ({value}, once per client)\n",
            p.code
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_application_tokens_are_refused_without_printing_them() {
        let mut file = ordercore_store::SeedFile::demo();
        file.applications[1].token = "short-secret-token".into();
        let e = super::check_tokens(&file).unwrap_err();
        assert!(e.contains("planoorder"), "{e}");
        assert!(!e.contains("short-secret-token"), "{e}");
        for app in &mut file.applications {
            app.token = "x".repeat(super::MIN_TOKEN_LEN);
        }
        assert!(super::check_tokens(&file).is_ok());
    }

    #[test]
    fn demo_credentials_name_the_users_and_the_promotion() {
        let text = super::demo_credentials(&ordercore_store::SeedFile::demo());
        assert!(text.contains("client@example.com"), "{text}");
        assert!(text.contains("staff@example.com"), "{text}");
        assert!(text.contains("demo-password"), "{text}");
        assert!(text.contains("WELCOME10"), "{text}");
    }
}
