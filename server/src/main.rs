//! The `trace-server` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use trace_proto::code::Form;
use trace_server::code_command::{self, Output};
use trace_server::{epcis, import, prefixes};

mod serve_args;

/// See the `mimalloc` entry of Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// rfid-trace server: traceability records from RFID reads, and the tools around them.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode codes — EPC hex, EPC URIs, GS1 element strings and scanner data, GS1 Digital
    /// Links, 20-digit drug traceability codes, tag UIDs — into their canonical identity and
    /// every other form. Reads one code per line from stdin when none are given. Exits with
    /// status 1 when any input is invalid.
    Code {
        /// The form of the inputs (auto: detect each input's form).
        #[arg(long = "as", value_enum, default_value_t = FormArg::Auto)]
        form: FormArg,
        /// One JSON object per input instead of a table.
        #[arg(long)]
        json: bool,
        /// A GS1 Company Prefix table to add to GS1's built-in list (`PREFIX LENGTH` lines
        /// or GS1's gcpprefixformatlist.xml); may be repeated, later entries win.
        #[arg(long = "gcp-table", value_name = "FILE")]
        gcp_tables: Vec<PathBuf>,
        /// The codes; stdin lines when omitted.
        inputs: Vec<String>,
    },
    /// Run the server: MQTT ingest (embedded broker unless --mqtt), the store, the HTTP
    /// API. Tokens come from the config file (hashed) or from TRACE_ADMIN_TOKEN,
    /// TRACE_SUPERVISOR_TOKEN and TRACE_OPERATOR_TOKEN, never from flags.
    Serve(serve_args::ServeArgs),
    /// Run a whole supply chain on this machine: the server, an embedded broker and a
    /// trace-gateway process per site with emulated readers (food, medicine, gas
    /// cylinders), then print the pages to open and serve until Ctrl-C.
    #[cfg(feature = "embedded-broker")]
    Demo(trace_server::demo::DemoArgs),
    /// Bulk-load the shared trace workload (the CSV files and meta.json of
    /// ../shared/bench/trace-workload/gen.py) into the store, as captured events.
    Import {
        /// The store's data folder.
        #[arg(long, default_value = "./data")]
        data: PathBuf,
        /// The folder gen.py wrote.
        #[arg(long)]
        workload: PathBuf,
    },
    /// EPCIS 2.0 JSON-LD tools.
    Epcis {
        #[command(subcommand)]
        command: EpcisCommand,
    },
}

#[derive(Debug, Subcommand)]
enum EpcisCommand {
    /// Print the CBV 2.0 event hash ID (ni:///sha-256;…?ver=CBV2.0) of every event of EPCIS
    /// 2.0 JSON-LD documents (EPCISDocument, EPCISQueryDocument or a single event), one line
    /// per event in document order. Exits with an error listing every problem of the first
    /// document that is not valid EPCIS 2.0.
    Hash {
        /// Print the pre-hash string each hash is computed from instead of the hash.
        #[arg(long)]
        prehash: bool,
        /// The JSON-LD files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

/// The `--as` values, one per [`Form`].
#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormArg {
    Auto,
    EpcHex,
    EpcUri,
    ElementString,
    ScanData,
    DigitalLink,
    CnDrug,
}

impl From<FormArg> for Form {
    fn from(arg: FormArg) -> Self {
        match arg {
            FormArg::Auto => Form::Auto,
            FormArg::EpcHex => Form::EpcHex,
            FormArg::EpcUri => Form::EpcUri,
            FormArg::ElementString => Form::ElementString,
            FormArg::ScanData => Form::ScanData,
            FormArg::DigitalLink => Form::DigitalLink,
            FormArg::CnDrug => Form::CnDrug,
        }
    }
}

fn main() -> anyhow::Result<ExitCode> {
    match Cli::parse().command {
        Command::Serve(args) => {
            serve_args::run(args)?;
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(feature = "embedded-broker")]
        Command::Demo(args) => Ok(if trace_server::demo::run(args)? {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }),
        Command::Code {
            form,
            json,
            gcp_tables,
            inputs,
        } => {
            let table = prefixes::load(&gcp_tables)?;
            let output = if json { Output::Json } else { Output::Table };
            let mut stdout = std::io::stdout().lock();
            let invalid = code_command::run(
                code_command::inputs(inputs),
                form.into(),
                &table,
                output,
                &mut stdout,
            )
            .context("writing the output")?;
            Ok(if invalid > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Import { data, workload } => {
            let mut stderr = std::io::stderr().lock();
            let mut stdout = std::io::stdout().lock();
            import::cli::run(&data, &workload, &mut stderr, &mut stdout)
                .with_context(|| format!("importing {}", workload.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Epcis {
            command: EpcisCommand::Hash { prehash, files },
        } => {
            let table = prefixes::load(&[] as &[PathBuf])?;
            let mut stdout = std::io::stdout().lock();
            epcis::cli::hash_command(&files, prehash, &table, &mut stdout)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
