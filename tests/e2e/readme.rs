//! The README walkthrough runs verbatim against a server started the way
//! `make run` starts one.

use crate::BIN;
use ordercore_e2e::server::Instance;
use ordercore_e2e::tests_dir;
use std::process::Command;

const START: &str = "# --- walkthrough ---";
const END: &str = "# --- end of walkthrough ---";

fn script() -> std::path::PathBuf {
    tests_dir().join("readme_walkthrough.sh")
}

/// The walkthrough part of the script, as README.md must quote it.
fn walkthrough() -> String {
    let text = std::fs::read_to_string(script()).unwrap();
    let start = text.find(START).expect("walkthrough start marker") + START.len();
    let end = text.find(END).expect("walkthrough end marker");
    text[start..end].trim().to_string()
}

#[test]
fn the_readme_quotes_the_walkthrough_script_verbatim() {
    let readme = std::fs::read_to_string(tests_dir().join("../README.md")).unwrap();
    assert!(
        readme.contains(&walkthrough()),
        "README.md does not quote tests/readme_walkthrough.sh verbatim (copy the part between the markers)"
    );
}

#[tokio::test]
async fn the_readme_walkthrough_works_against_make_run() {
    // `make run`: migrate, seed --demo, serve — default database file in the
    // working directory, simulated processor, log mailer.
    let server = Instance::like_make_run(BIN).start();
    assert!(
        server.instance.dir().join("ordercore.db").exists(),
        "the default database is ./ordercore.db"
    );
    let run = || {
        Command::new("bash")
            .arg(script())
            .env("BASE", &server.base)
            .output()
            .expect("bash")
    };
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the walkthrough failed:\n{stdout}\n{stderr}\nserver log:\n{}",
        server.log()
    );
    assert!(
        stdout.contains("\"promotion\":{\"code\":\"WELCOME10\""),
        "{stdout}"
    );
    assert!(stdout.contains("\"status\":\"submitted\""), "{stdout}");
    let card = |stdout: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix("card: "))
            .map(str::to_string)
    };
    let first_card = card(&stdout).expect("the card line");

    // A second run reuses the card, and stops at the first failure (the
    // once-per-client promotion) with a non-zero status, before step 5.
    let again = run();
    let stdout = String::from_utf8_lossy(&again.stdout);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(!again.status.success(), "{stdout}\n{stderr}");
    assert_eq!(card(&stdout), Some(first_card), "{stdout}");
    assert!(
        stderr.contains("unexpected answer") && stderr.contains("promotion-expended"),
        "{stderr}"
    );
    assert!(!stdout.contains("\"status\":\"submitted\""), "{stdout}");
}
