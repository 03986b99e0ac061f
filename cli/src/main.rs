//! `afina`: validate datasets, train and use classifiers from the command line.
//!
//! A thin shell over `afina-dataset` and `afina-trainer`: argument parsing, file I/O and
//! printing live here, nothing else.

mod augment;
mod commands;
mod convert;
mod device;
mod embed;
mod input;
mod train;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = commands::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("afina: {error:#}");
            ExitCode::from(2)
        }
    }
}
