//! `ordercore`: see `ordercore --help` and README.md.

use clap::Parser;
use ordercore_server::cli::{Cli, Command, KeysAction};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Needs no settings: it must work where the configuration is refused for
    // want of the key it prints.
    if let Command::Keys {
        action: KeysAction::Generate,
    } = cli.command
    {
        println!("{}", ordercore_server::commands::generate_key());
        return ExitCode::SUCCESS;
    }
    let config = match ordercore_server::config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ordercore: {e}");
            eprintln!("ordercore: start-up refused; see docs/configuration.md");
            return ExitCode::from(2);
        }
    };
    ordercore_server::telemetry::init(&config.log);
    // Test builds only (cargo feature `failpoints`): crash points named in
    // FAILPOINTS are armed for the life of the process.
    #[cfg(feature = "failpoints")]
    let _crash_points = {
        if let Ok(points) = std::env::var("FAILPOINTS") {
            tracing::warn!(failpoints = %points, "crash points armed (a test build)");
        }
        fail::FailScenario::setup()
    };
    let json_logs = config.log.format == ordercore_server::config::LogFormat::Json;
    let outcome =
        actix_web::rt::System::new().block_on(ordercore_server::commands::run(cli.command, config));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Once: as a log event when logs are JSON (one object per line
            // for the shipper), else as one plain line.
            if json_logs {
                tracing::error!(error = %e, "ordercore stopped with an error");
            } else {
                eprintln!("ordercore: {e}");
            }
            ExitCode::FAILURE
        }
    }
}
