//! The `biernic` command line.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use bier::config::{format_mac, parse_bfr_ids};
use bier::gen::{GenSpec, Generator};
use bier::{Bift, ConfigError, TargetKind};
use biernic::capture::CaptureWriter;
use biernic::engine::{Engine, ModelEngine};
use biernic::rtl::RtlEngine;
use clap::{Parser, Subcommand, ValueEnum};

mod devcmd;
use devcmd::{on_device, DeviceArgs, RecvOpts, SendOpts};

/// biernic: BIER multicast offload for an FPGA SmartNIC — tools for the reference model and the device.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Forward the frames of a capture; write one pcap per target as DIR/<target>.pcap.
    Forward {
        /// The BIFT config (TOML).
        #[arg(long)]
        bift: PathBuf,
        /// Input capture (pcap or pcapng, Ethernet).
        #[arg(long = "in", value_name = "IN.pcap")]
        input: PathBuf,
        /// Output folder (created if missing).
        #[arg(long, value_name = "DIR")]
        out_dir: PathBuf,
        /// Forwarding engine.
        #[arg(long, value_enum, default_value_t = EngineKind::Model)]
        engine: EngineKind,
        /// Target the frames arrive from (default: the first port target; `host` for the host).
        #[arg(long, value_name = "TARGET")]
        from: Option<String>,
        /// Do not show a progress bar.
        #[arg(long)]
        quiet: bool,
        /// Hardware build for `--engine rtl`.
        #[arg(long, value_enum, default_value_t = BuildKind::Wide)]
        build: BuildKind,
        /// Waveform file for `--engine rtl` (VCD).
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
    },
    /// BIFT tools.
    Bift {
        #[command(subcommand)]
        cmd: BiftCmd,
    },
    /// Write the generated Verilog of a build (top module `biernic_dataplane`, or `biernic_nic` for
    /// the nic-* builds).
    Verilog {
        /// Hardware build.
        #[arg(long, value_enum, default_value_t = BuildKind::Wide)]
        build: BuildKind,
        /// Output file (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Identify the NIC: its register blocks and build parameters.
    Info {
        #[command(flatten)]
        dev: DeviceArgs,
    },
    /// Print the NIC's counters and queue registers (non-zero ones unless --all).
    Stats {
        #[command(flatten)]
        dev: DeviceArgs,
        /// Also print counters that are 0.
        #[arg(long)]
        all: bool,
    },
    /// Send the frames of a capture through a transmit queue (the host ingress of the data plane).
    Send {
        #[command(flatten)]
        dev: DeviceArgs,
        /// Input capture (pcap or pcapng, Ethernet).
        #[arg(long = "in", value_name = "IN.pcap")]
        input: PathBuf,
        /// Transmit queue.
        #[arg(long, default_value_t = 0)]
        queue: usize,
        /// Load this BIFT first (a fresh --sim NIC has none and drops every frame).
        #[arg(long, value_name = "FILE")]
        bift: Option<PathBuf>,
        /// Capture what every receive queue got into DIR/rxq<q>.pcap, and with --sim what every
        /// port sent into DIR/port<p>.pcap.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// On a card: give up when nothing moved for this many milliseconds.
        #[arg(long, default_value_t = 1000)]
        timeout_ms: u64,
    },
    /// Receive the frames of one receive queue into a capture.
    Recv {
        #[command(flatten)]
        dev: DeviceArgs,
        /// Receive queue.
        #[arg(long, default_value_t = 0)]
        queue: usize,
        /// Output pcap.
        #[arg(long, value_name = "OUT.pcap")]
        out: PathBuf,
        /// Stop after this many frames.
        #[arg(long)]
        count: Option<u64>,
        /// Stop when no frame came for this many milliseconds (with --sim: when the NIC is idle).
        #[arg(long, default_value_t = 1000)]
        timeout_ms: u64,
        /// Load this BIFT first.
        #[arg(long, value_name = "FILE")]
        bift: Option<PathBuf>,
        /// With --sim: frames arriving on a network port, from this capture.
        #[arg(long, value_name = "IN.pcap", requires = "sim")]
        inject: Option<PathBuf>,
        /// Port the --inject frames arrive on.
        #[arg(long, default_value_t = 0)]
        port: usize,
        /// 9216-byte receive buffers (default 2048).
        #[arg(long)]
        jumbo: bool,
    },
    /// Generate BIER traffic for a BIFT into a pcap file.
    Gen {
        /// The BIFT config (TOML) the traffic is for.
        #[arg(long)]
        bift: PathBuf,
        /// Output pcap.
        #[arg(long, value_name = "OUT.pcap")]
        out: PathBuf,
        /// Number of frames.
        #[arg(long, default_value_t = 1000)]
        count: u64,
        /// RNG seed (same seed, same frames).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Smallest frame in bytes without FCS (raised to what the headers need).
        #[arg(long, default_value_t = 60)]
        min_len: usize,
        /// Largest frame in bytes without FCS (at most 9018).
        #[arg(long, default_value_t = 1514)]
        max_len: usize,
        /// Destination BFR-ids per frame, drawn from the configured ones (default: random count).
        #[arg(long)]
        fanout: Option<usize>,
        /// Fixed destinations, e.g. "1,5-9" (one set).
        #[arg(long, value_name = "BFR-IDS")]
        to: Option<String>,
        /// Fixed entropy (default: random per frame).
        #[arg(long)]
        entropy: Option<u32>,
        /// TTL.
        #[arg(long, default_value_t = 64)]
        ttl: u8,
        /// Probability of an 802.1Q tag.
        #[arg(long, default_value_t = 0.0)]
        vlan: f64,
        /// Probability of a malformed frame (every kind the forwarder drops).
        #[arg(long, default_value_t = 0.0)]
        malformed: f64,
        /// BFIR-id written into the frames.
        #[arg(long, default_value_t = 1)]
        bfir_id: u16,
    },
}

#[derive(Subcommand)]
enum BiftCmd {
    /// Load a BIFT into the NIC (shadow bank, then commit: hitless), read it back and compare.
    Load {
        /// The BIFT config (TOML).
        file: PathBuf,
        #[command(flatten)]
        dev: DeviceArgs,
    },
    /// Read the active BIFT back from the NIC's registers.
    Dump {
        #[command(flatten)]
        dev: DeviceArgs,
        /// Load this BIFT first (a fresh --sim NIC has none).
        #[arg(long, value_name = "FILE")]
        bift: Option<PathBuf>,
    },
    /// Show the compiled BIFT: BIFT-ids and the per-set, per-bucket, per-target F-BMs in hex.
    Show {
        /// The BIFT config (TOML).
        file: PathBuf,
        /// Also list targets whose F-BM is zero.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum EngineKind {
    /// The reference forwarder (bier crate).
    Model,
    /// The RTL data plane, verilated.
    Rtl,
}

#[derive(Clone, Copy, ValueEnum)]
enum BuildKind {
    /// 512-bit data path, BSL up to 1024, 10 targets, 4 network ingresses, 16 sets x 4 buckets.
    Wide,
    /// 64-bit data path, BSL up to 256, 4 targets, 2 network ingresses, 4 sets x 2 buckets.
    Narrow,
    /// As `wide` with BSL up to 2048 (Verilog only: Verilator 5.006 cannot simulate it, see hw/README.md).
    WideBsl2048,
    /// As `wide` with BSL up to 4096 (Verilog only).
    WideBsl4096,
    /// The NIC core (top `biernic_nic`: data plane + DMA engine) around the wide data plane:
    /// 2 ports, 8 transmit and 8 receive queues.
    NicWide,
    /// The NIC core around the narrow data plane: 2 ports, 2 transmit and 2 receive queues.
    NicNarrow,
}

impl BuildKind {
    fn params(self) -> biernic_hw::DataplaneParams {
        match self {
            BuildKind::Wide => biernic_hw::DataplaneParams::wide(),
            BuildKind::Narrow => biernic_hw::DataplaneParams::narrow(),
            BuildKind::WideBsl2048 => biernic_hw::DataplaneParams::wide_bsl2048(),
            BuildKind::WideBsl4096 => biernic_hw::DataplaneParams::wide_bsl4096(),
            BuildKind::NicWide => biernic_hw::NicParams::wide().dp,
            BuildKind::NicNarrow => biernic_hw::NicParams::narrow().dp,
        }
    }

    /// The Verilog of this build.
    fn verilog(self) -> String {
        match self {
            BuildKind::NicWide => biernic_hw::nic_verilog(&biernic_hw::NicParams::wide()),
            BuildKind::NicNarrow => biernic_hw::nic_verilog(&biernic_hw::NicParams::narrow()),
            _ => biernic_hw::dataplane_verilog(&self.params()),
        }
    }
}

/// An error and the exit code it maps to (2: bad configuration or usage; 1: everything else).
struct Failure {
    code: u8,
    message: String,
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure {
            code: 2,
            message: e.to_string(),
        }
    }
}

fn fail(code: u8, message: impl std::fmt::Display) -> Failure {
    Failure {
        code,
        message: message.to_string(),
    }
}

fn load(path: &Path) -> Result<Bift, Failure> {
    Ok(Bift::compile(&bier::Config::from_file(path)?)?)
}

/// Writes to standard output; a closed pipe (`biernic ... | head`) ends the output quietly instead of panicking.
fn write_stdout(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    match o.write_all(text.as_bytes()).and_then(|()| o.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(fail(1, format!("standard output: {e}"))),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("biernic: error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.cmd {
        Cmd::Forward {
            bift,
            input,
            out_dir,
            engine,
            from,
            quiet,
            build,
            trace,
        } => {
            if trace.is_some() && !matches!(engine, EngineKind::Rtl) {
                return Err(fail(2, "--trace needs --engine rtl"));
            }
            let table = load(&bift)?;
            let source = match from.as_deref() {
                Some("host") => table.targets().len(),
                Some(name) => table
                    .targets()
                    .iter()
                    .position(|t| t.name == name)
                    .ok_or_else(|| {
                        fail(
                            2,
                            format!("--from {name}: no such target in {}", bift.display()),
                        )
                    })?,
                None => table
                    .targets()
                    .iter()
                    .position(|t| t.is_port())
                    .unwrap_or(table.targets().len()),
            };
            let mut eng: Box<dyn Engine> = match engine {
                EngineKind::Model => Box::new(ModelEngine::new(table.clone())),
                EngineKind::Rtl => {
                    let b = match build {
                        BuildKind::Wide => biernic_sim::Build::Wide,
                        BuildKind::Narrow => biernic_sim::Build::Narrow,
                        _ => {
                            return Err(fail(
                                2,
                                "--engine rtl simulates the wide and narrow builds only",
                            ))
                        }
                    };
                    Box::new(RtlEngine::new(&table, b, trace.as_deref()).map_err(|e| fail(2, e))?)
                }
            };
            let progress = !quiet && std::io::stderr().is_terminal();
            let summary =
                biernic::forward::run(&table, eng.as_mut(), &input, &out_dir, source, progress)
                    .map_err(|e| fail(1, e))?;
            write_stdout(&format!("engine: {}\n{}", eng.name(), summary.render()))?;
            Ok(())
        }
        Cmd::Verilog { build, out } => {
            let v = build.verilog();
            match out {
                Some(path) => std::fs::write(&path, v)
                    .map_err(|e| fail(1, format!("{}: {e}", path.display())))?,
                None => write_stdout(&v)?,
            }
            Ok(())
        }
        Cmd::Bift {
            cmd: BiftCmd::Show { file, all },
        } => {
            let b = load(&file)?;
            write_stdout(&show(&b, all))?;
            Ok(())
        }
        Cmd::Info { dev } => on_device!(&dev, |nic| devcmd::info(nic)),
        Cmd::Stats { dev, all } => on_device!(&dev, |nic| devcmd::stats(nic, all)),
        Cmd::Bift {
            cmd: BiftCmd::Load { file, dev },
        } => on_device!(&dev, |nic| devcmd::bift_load(nic, &file)),
        Cmd::Bift {
            cmd: BiftCmd::Dump { dev, bift },
        } => on_device!(&dev, |nic| devcmd::bift_dump(nic, bift.as_deref())),
        Cmd::Send {
            dev,
            input,
            queue,
            bift,
            out_dir,
            timeout_ms,
        } => {
            let o = SendOpts {
                input,
                queue,
                bift,
                out_dir,
                timeout: Duration::from_millis(timeout_ms),
            };
            on_device!(&dev, |nic| devcmd::send(nic, &o))
        }
        Cmd::Recv {
            dev,
            queue,
            out,
            count,
            timeout_ms,
            bift,
            inject,
            port,
            jumbo,
        } => {
            let o = RecvOpts {
                queue,
                out,
                count,
                timeout: Duration::from_millis(timeout_ms),
                bift,
                inject,
                port,
                jumbo,
            };
            on_device!(&dev, |nic| devcmd::recv(nic, &o))
        }
        Cmd::Gen {
            bift,
            out,
            count,
            seed,
            min_len,
            max_len,
            fanout,
            to,
            entropy,
            ttl,
            vlan,
            malformed,
            bfir_id,
        } => {
            let table = load(&bift)?;
            let bfr_ids = match to {
                None => None,
                Some(s) => Some(parse_bfr_ids(&s).map_err(|m| fail(2, format!("--to: {m}")))?),
            };
            if entropy.is_some_and(|e| e >= 1 << 20) {
                return Err(fail(2, "--entropy must fit in 20 bits"));
            }
            if !(0.0..=1.0).contains(&vlan) || !(0.0..=1.0).contains(&malformed) {
                return Err(fail(2, "--vlan and --malformed are probabilities in 0..1"));
            }
            let spec = GenSpec {
                seed,
                min_len,
                max_len,
                fanout,
                bfr_ids,
                entropy,
                ttl,
                vlan,
                malformed,
                bfir_id,
            };
            let mut g = Generator::new(&table, spec).map_err(|e| fail(2, e))?;
            let mut w = CaptureWriter::create(&out).map_err(|e| fail(1, e))?;
            for i in 0..count {
                let (f, _) = g.next_frame();
                // One frame per microsecond, so that captures have distinct, ordered timestamps.
                w.write(Duration::from_micros(i), &f)
                    .map_err(|e| fail(1, e))?;
            }
            w.finish().map_err(|e| fail(1, e))?;
            write_stdout(&format!("wrote {count} frames to {}\n", out.display()))?;
            Ok(())
        }
    }
}

fn show(b: &Bift, all: bool) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let c = b.config();
    let _ = writeln!(
        s,
        "sub-domain {}  BSL {}  sets {}  ECMP buckets {}  targets {}",
        c.sub_domain,
        b.bsl(),
        b.sets(),
        b.buckets(),
        b.targets().len()
    );
    for (i, t) in b.targets().iter().enumerate() {
        let kind = match t.kind {
            TargetKind::Port(p) => format!("port {p}"),
            TargetKind::Local(q) => format!("local queue {q}"),
        };
        let mut extra = String::new();
        if let Some(m) = t.mac {
            extra += &format!(" mac {}", format_mac(&m));
        }
        if let Some(m) = t.next_hop_mac {
            extra += &format!(" next-hop {}", format_mac(&m));
        }
        let _ = writeln!(s, "target {i}: {} ({kind}){extra}", t.name);
    }
    if let Some(x) = c.exception {
        let _ = writeln!(s, "exception target: {}", b.targets()[x].name);
    }
    for set in 0..b.sets() {
        let id = b.bift_ids()[set];
        let _ = writeln!(s, "set {set}: BIFT-id {id:#07x} ({id})");
        for bucket in 0..b.buckets() {
            for (t, target) in b.targets().iter().enumerate() {
                let f = b.fbm(set, bucket, t);
                if all || !f.is_zero() {
                    let _ = writeln!(s, "  bucket {bucket} {:<12} {f}", target.name);
                }
            }
        }
    }
    s
}
