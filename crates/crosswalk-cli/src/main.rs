//! The `crosswalk` binary: parses arguments, starts tracing, runs the command and maps the outcome to
//! an exit code (0 success, 1 a check failed, 2 bad usage or input). Errors are one line on stderr.
#![forbid(unsafe_code)]

mod bench;
mod bench_catalog;
mod bench_journal;
mod bench_ops;
mod catalog;
mod commands;
mod compliance;
mod config;
mod journal_cmd;
mod nis2_cmd;
mod oidc_cmd;
mod output;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = config::Cli::parse();
    init_tracing(&cli);
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            // One clear line (plus causes), never a backtrace.
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

fn init_tracing(cli: &config::Cli) {
    use tracing_subscriber::EnvFilter;
    let default = if matches!(cli.command, config::Command::Serve(_)) { "info,sqlx=warn,sea_orm=warn" } else { "warn" };
    let filter = EnvFilter::try_from_env("CROSSWALK_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // Logs go to stderr so that stdout stays machine-readable (e.g. `token create` prints only the token).
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::config::Cli::command().debug_assert();
    }
}
