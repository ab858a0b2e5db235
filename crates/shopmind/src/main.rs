//! The `shopmind` command: generate, import, stats, serve, demo, split,
//! eval, recommend, train, models, bench, price, forecast, inventory,
//! assistant.
//!
//! Exit codes (the whole error chain is printed to stderr): 0 success;
//! 1 the request or its data cannot be used (an invalid field, a missing id,
//! a conflict — the caller's to fix); 2 bad command-line usage; 69 the
//! service cannot answer yet (no active model, busy, stopped); 70 an
//! internal fault (ours: a store failure, a model that cannot be encoded or
//! loaded, an engine's numerical failure). The service layer's error
//! variants map to 1, 69 and 70 in [`exit_code`], as the HTTP API maps them
//! to 4xx, 503 and 500.

#[macro_use]
mod output;

mod assistant;
mod bench;
mod cli;
mod commands;
mod config;
mod files;
mod forecast;
mod import;
mod inventory;
mod open;
mod price;
mod progress;
mod recommend;
mod train;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use tracing_subscriber::EnvFilter;

/// The command line, with the configuration file's settings under it.
fn parse_cli() -> Result<cli::Cli, ExitCode> {
    let matches = cli::Cli::command().get_matches();
    let mut cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    if let Some(path) = cli.global.config.clone() {
        match config::read(&path) {
            Ok(file) => config::apply(&mut cli, &matches, file),
            Err(e) => {
                eprintln!("error: {e:#}");
                return Err(ExitCode::from(2));
            }
        }
    }
    Ok(cli)
}

fn main() -> ExitCode {
    let cli = match parse_cli() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let filter = EnvFilter::try_new(&cli.global.log).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(commands::run(cli));
    // Work still on the blocking pool (a computation a shutdown abandoned)
    // must not hold the exit: dropping the runtime would wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit_code(&e)
        }
    }
}

/// The exit code of a failed command: the service layer's verdict when a
/// `ServiceError` is in the chain, else 1.
fn exit_code(e: &anyhow::Error) -> ExitCode {
    use shopmind_service::ServiceError as S;
    let service = e.chain().find_map(|c| c.downcast_ref::<S>());
    match service {
        Some(s) if s.is_callers_fault() => ExitCode::FAILURE,
        Some(S::NoActiveModel(_) | S::NotReady(_) | S::Busy(_) | S::Stopped(_)) => {
            ExitCode::from(69)
        }
        Some(S::Internal { .. }) => ExitCode::from(70),
        _ => ExitCode::FAILURE,
    }
}
