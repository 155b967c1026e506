//! `ordercore seed --demo | --file F`.

use super::CommandError;
use crate::cli::SeedArgs;
use crate::config::Config;
use crate::wiring;
use ordercore_crypto::{Argon2Hasher, RandomTokens};
use ordercore_store::SeedFile;
use ordercore_store::seed::{DEMO_PASSWORD, SeedPromotionKind};

pub async fn seed(config: &Config, args: SeedArgs) -> Result<(), CommandError> {
    let (file, demo) = match &args.file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CommandError::Failed(format!("cannot read seed file {}: {e}", path.display()))
            })?;
            let file = SeedFile::from_json(&text)
                .map_err(|e| CommandError::Failed(format!("seed file {}: {e}", path.display())))?;
            (file, false)
        }
        None => (SeedFile::demo(), true),
    };
    let store = wiring::connect_for_command(config)?;
    let summary = store
        .seed(&file, &Argon2Hasher, &RandomTokens)
        .await
        .map_err(|e| CommandError::Failed(format!("{e} (has `ordercore migrate` run?)")))?;
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

/// What a newcomer needs to try the API, taken from the demo data itself.
/// Only the demo's published, fixed credentials are printed; a seed file's
/// passwords and tokens never are.
pub fn demo_credentials(demo: &SeedFile) -> String {
    let mut out =
        String::from("\nDemo credentials (demo data only: never use them in production)\n");
    out.push_str(&format!("  password of every demo user: {DEMO_PASSWORD}\n"));
    for user in &demo.users {
        let (role, application) = if user.client.is_some() {
            ("client", "planoorder")
        } else if user.employee {
            ("employee", "planox2")
        } else {
            ("liaison", "planox2")
        };
        out.push_str(&format!(
            "  {role:<9} {:<24} log in with application {application}\n",
            user.email.as_str()
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
    fn demo_credentials_name_the_users_and_the_promotion() {
        let text = super::demo_credentials(&ordercore_store::SeedFile::demo());
        assert!(text.contains("client@example.com"), "{text}");
        assert!(text.contains("staff@example.com"), "{text}");
        assert!(text.contains("demo-password"), "{text}");
        assert!(text.contains("WELCOME10"), "{text}");
    }
}
