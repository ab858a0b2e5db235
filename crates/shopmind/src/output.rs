//! Printing to standard output that ends quietly when the reader goes away.
//!
//! `println!` panics when standard output is a closed pipe (`shopmind stats
//! | head -5`). Everything the CLI prints goes through [`outln!`] and
//! [`out!`] instead: a closed pipe ends the process at once with status 0,
//! as a reader that stopped reading asked for, and any other write error
//! ends it with status 1 and a message.

use std::io::Write;

/// Writes `args` (and a line break) to standard output; see the module.
pub fn write(args: std::fmt::Arguments<'_>, newline: bool) {
    let mut out = std::io::stdout().lock();
    let result = out.write_fmt(args).and_then(|()| {
        if newline {
            out.write_all(b"\n")
        } else {
            Ok(())
        }
    });
    if let Err(e) = result {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// Whether `e`'s chain holds a closed pipe (a writer handed to a library,
/// such as a CSV writer on standard output, reports it as an error).
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<csv::Error>().is_some_and(|c| {
                matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}

/// `println!` that ends quietly on a closed pipe.
macro_rules! outln {
    () => {
        $crate::output::write(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::output::write(format_args!($($arg)*), true)
    };
}

/// `print!` that ends quietly on a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write(format_args!($($arg)*), false)
    };
}
