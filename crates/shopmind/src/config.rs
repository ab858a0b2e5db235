//! `shopmind.toml`: the one configuration file, layered under the
//! environment and the flags.
//!
//! A setting comes from, in increasing precedence: the built-in default,
//! the file given by `--config FILE` (or `SHOPMIND_CONFIG`), a `SHOPMIND_…`
//! environment variable, a command-line flag. The file's keys are the long
//! flags' names with `_` for `-`: the options every command takes at the top
//! level, `serve`'s in a `[serve]` table. An unknown key, or a value of the
//! wrong type, is refused with its line and column, so a misspelt setting
//! never goes unnoticed. `shopmind config check FILE` validates a file and
//! prints the settings it gives, with the database URL's password redacted
//! (the form `serve` logs at start).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;

use crate::cli::{Cli, Command, Global, ServeArgs};

/// The file's settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    database_schema: Option<String>,
    log: Option<String>,
    #[serde(default)]
    serve: ServeConfig,
}

/// The `[serve]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeConfig {
    addr: Option<SocketAddr>,
    insecure_no_auth: Option<bool>,
    no_worker: Option<bool>,
    rate_limit: Option<f64>,
    request_timeout_seconds: Option<f64>,
    shutdown_grace_seconds: Option<f64>,
    cors_origins: Option<Vec<String>>,
    retrain_every: Option<String>,
    retrain_algorithm: Option<String>,
    retrain_metric: Option<String>,
    retrain_min_gain: Option<f64>,
}

/// Reads and checks a configuration file.
pub fn read(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    parse(&text).with_context(|| format!("configuration file {}", path.display()))
}

fn parse(text: &str) -> anyhow::Result<FileConfig> {
    let config: FileConfig = toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(r) = config.serve.rate_limit
        && !(r.is_finite() && r > 0.0)
    {
        bail!("serve.rate_limit must be a positive number of requests per second");
    }
    Ok(config)
}

/// Whether `id` was given on the command line or in the environment (which
/// both outrank the file).
fn given(m: &ArgMatches, id: &str) -> bool {
    matches!(
        m.value_source(id),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    )
}

/// Puts the file's settings under the ones the command line and the
/// environment gave.
pub fn apply(cli: &mut Cli, matches: &ArgMatches, file: FileConfig) {
    let g = &mut cli.global;
    if let Some(v) = file.data_dir
        && !given(matches, "data_dir")
    {
        g.data_dir = v;
    }
    if let Some(v) = file.database_url
        && !given(matches, "database_url")
    {
        g.database_url = Some(v);
    }
    if let Some(v) = file.database_schema
        && !given(matches, "database_schema")
    {
        g.database_schema = Some(v);
    }
    if let Some(v) = file.log
        && !given(matches, "log")
    {
        g.log = v;
    }
    if let (Command::Serve(a), Some(("serve", m))) = (&mut cli.command, matches.subcommand()) {
        apply_serve(a, m, file.serve);
    }
}

fn apply_serve(a: &mut ServeArgs, m: &ArgMatches, s: ServeConfig) {
    macro_rules! take {
        ($field:ident) => {
            if let Some(v) = s.$field
                && !given(m, stringify!($field))
            {
                a.$field = v;
            }
        };
        ($field:ident, opt) => {
            if let Some(v) = s.$field
                && !given(m, stringify!($field))
            {
                a.$field = Some(v);
            }
        };
    }
    take!(addr);
    take!(insecure_no_auth);
    take!(no_worker);
    take!(rate_limit, opt);
    take!(request_timeout_seconds);
    take!(shutdown_grace_seconds);
    take!(cors_origins);
    take!(retrain_every, opt);
    take!(retrain_algorithm);
    take!(retrain_metric);
    take!(retrain_min_gain);
}

/// The settings a `serve` runs with, for the log and `config check`
/// (the database URL's password replaced by `***`).
pub fn describe(g: &Global, serve: Option<&ServeArgs>) -> String {
    let mut lines = vec![
        format!("data_dir = {:?}", g.data_dir.display().to_string()),
        format!(
            "database_url = {:?}",
            g.database_url
                .as_deref()
                .map(shopmind_store::redact)
                .unwrap_or_default()
        ),
        format!(
            "database_schema = {:?}",
            g.database_schema.as_deref().unwrap_or_default()
        ),
        format!("log = {:?}", g.log),
    ];
    if let Some(a) = serve {
        lines.push("[serve]".into());
        lines.push(format!("addr = \"{}\"", a.addr));
        lines.push(format!("insecure_no_auth = {}", a.insecure_no_auth));
        lines.push(format!("no_worker = {}", a.no_worker));
        if let Some(r) = a.rate_limit {
            lines.push(format!("rate_limit = {r}"));
        }
        lines.push(format!(
            "request_timeout_seconds = {}",
            a.request_timeout_seconds
        ));
        lines.push(format!(
            "shutdown_grace_seconds = {}",
            a.shutdown_grace_seconds
        ));
        lines.push(format!("cors_origins = {:?}", a.cors_origins));
        if let Some(e) = &a.retrain_every {
            lines.push(format!("retrain_every = {e:?}"));
            lines.push(format!("retrain_algorithm = {:?}", a.retrain_algorithm));
            lines.push(format!("retrain_metric = {:?}", a.retrain_metric));
            lines.push(format!("retrain_min_gain = {}", a.retrain_min_gain));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use clap::{CommandFactory, FromArgMatches};

    fn cli(args: &[&str], file: &str) -> Cli {
        let matches = Cli::command().try_get_matches_from(args).unwrap();
        let mut cli = Cli::from_arg_matches(&matches).unwrap();
        apply(&mut cli, &matches, parse(file).unwrap());
        cli
    }

    #[test]
    fn the_file_fills_what_flags_leave_at_their_defaults() {
        let file = r#"
            data_dir = "/var/lib/shopmind"
            database_url = "postgres://app:s3cret@db:5432/shop"
            [serve]
            addr = "0.0.0.0:9000"
            no_worker = true
            rate_limit = 50.0
            cors_origins = ["https://shop.example"]
        "#;
        let c = cli(&["shopmind", "serve"], file);
        let Command::Serve(a) = &c.command else {
            panic!("not serve")
        };
        assert_eq!(c.global.data_dir, PathBuf::from("/var/lib/shopmind"));
        assert_eq!(a.addr.to_string(), "0.0.0.0:9000");
        assert!(a.no_worker);
        assert_eq!(a.rate_limit, Some(50.0));
        assert_eq!(a.cors_origins, ["https://shop.example"]);
        // A flag outranks the file.
        let c = cli(&["shopmind", "serve", "--addr", "127.0.0.1:1234"], file);
        let Command::Serve(a) = &c.command else {
            panic!("not serve")
        };
        assert_eq!(a.addr.to_string(), "127.0.0.1:1234");
        assert!(a.no_worker, "the rest still comes from the file");
        // The password never shows.
        let text = describe(&c.global, Some(a));
        assert!(text.contains("postgres://app:***@db:5432/shop"), "{text}");
        assert!(!text.contains("s3cret"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_with_their_place() {
        let e = parse("data_dir = \"x\"\n[serve]\nadress = \"0.0.0.0:1\"\n").unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("adress") && msg.contains("line 3"), "{msg}");
        let e = parse("[serve]\naddr = \"not an address\"\n").unwrap_err();
        assert!(format!("{e:#}").contains("line 2"), "{e:#}");
        assert!(parse("[serve]\nrate_limit = -1.0\n").is_err());
        assert!(parse("").is_ok());
    }
}
