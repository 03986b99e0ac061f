//! `afina`: validate datasets, train and use classifiers from the command line.
//!
//! A thin shell over `afina-dataset` and `afina-trainer`: argument parsing, file I/O and
//! printing live here, nothing else.

mod augment;
mod commands;
mod convert;
mod device;
mod embed;
mod encoder_file;
mod input;
mod train;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: the whole-file quality report allocates and frees
/// millions of small strings and keys across threads, and glibc's allocator took a quarter of
/// its time (BENCHMARKS.md, issue 18).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
