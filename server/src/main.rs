//! The `trace-server` command line.
fn main() {}
