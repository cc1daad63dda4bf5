//! `biernic forward`: a capture in, one capture per target out, through an [`Engine`].

use std::path::{Path, PathBuf};

use bier::{Bift, Counters, DropReason};
use indicatif::{ProgressBar, ProgressStyle};

use crate::capture::{CaptureError, CaptureReader, CaptureWriter};
use crate::engine::{Engine, EngineError};

/// A failure of `biernic forward`.
#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    /// Reading the input or writing an output failed.
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The output folder cannot be made.
    #[error("{path}: cannot create the output folder: {source}")]
    OutDir {
        /// The folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Frames read.
    pub frames_in: u64,
    /// Bytes read (captured bytes).
    pub bytes_in: u64,
    /// Frames whose capture was cut short by the snap length (forwarded as captured).
    pub snapped: u64,
    /// The engine's counters at the end.
    pub counters: Counters,
    /// Target names, in target order.
    pub targets: Vec<String>,
    /// The files written, in target order.
    pub outputs: Vec<PathBuf>,
}

impl Summary {
    /// A human-readable report.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let c = &self.counters;
        let mut s = String::new();
        let _ = writeln!(s, "frames in: {} ({} bytes)", self.frames_in, self.bytes_in);
        let _ = writeln!(
            s,
            "forwarded: {}   exceptions: {}   dropped: {}",
            c.forwarded,
            c.exceptions,
            c.total_drops()
        );
        if self.snapped > 0 {
            let _ = writeln!(
                s,
                "note: {} frames were cut short by the capture's snap length",
                self.snapped
            );
        }
        let _ = writeln!(s, "{:<16} {:>12} {:>14}  file", "target", "copies", "bytes");
        for (i, name) in self.targets.iter().enumerate() {
            let _ = writeln!(
                s,
                "{:<16} {:>12} {:>14}  {}",
                name,
                c.tx_frames.get(i).copied().unwrap_or(0),
                c.tx_bytes.get(i).copied().unwrap_or(0),
                self.outputs[i].display()
            );
        }
        let _ = writeln!(s, "drops by reason:");
        for r in DropReason::ALL {
            let _ = writeln!(s, "  {:<16} {:>12}", r.name(), c.drops[r as usize]);
        }
        s
    }
}

/// Streams `input` through `engine`, writing `out_dir/<target>.pcap` for every target of `bift`. Frames enter as if
/// received from `source` (a target index, or the number of targets for the host). Shows a progress bar when
/// `progress` is set.
pub fn run(
    bift: &Bift,
    engine: &mut dyn Engine,
    input: &Path,
    out_dir: &Path,
    source: usize,
    progress: bool,
) -> Result<Summary, ForwardError> {
    let mut reader = CaptureReader::open(input)?;
    std::fs::create_dir_all(out_dir).map_err(|source| ForwardError::OutDir {
        path: out_dir.into(),
        source,
    })?;
    let targets: Vec<String> = bift.targets().iter().map(|t| t.name.clone()).collect();
    let outputs: Vec<PathBuf> = targets
        .iter()
        .map(|n| out_dir.join(format!("{n}.pcap")))
        .collect();
    let mut writers = outputs
        .iter()
        .map(|p| CaptureWriter::create(p))
        .collect::<Result<Vec<_>, _>>()?;

    let bar = if progress {
        let b = ProgressBar::new(reader.size());
        b.set_style(
            ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    } else {
        ProgressBar::hidden()
    };

    let (mut frames_in, mut bytes_in, mut snapped) = (0u64, 0u64, 0u64);
    let mut write_err: Option<CaptureError> = None;
    while let Some(frame) = reader.next_frame() {
        let frame = frame?;
        frames_in += 1;
        bytes_in += frame.data.len() as u64;
        if (frame.data.len() as u64) < u64::from(frame.orig_len) {
            snapped += 1;
        }
        let ts = frame.timestamp;
        engine.forward(&frame.data, source, &mut |t, copy| {
            if write_err.is_none() {
                if let Err(e) = writers[t].write(ts, copy) {
                    write_err = Some(e);
                }
            }
        })?;
        if let Some(e) = write_err.take() {
            return Err(e.into());
        }
        if frames_in % 4096 == 0 {
            bar.set_position(reader.position());
        }
    }
    bar.finish_and_clear();
    for w in writers {
        w.finish()?;
    }
    Ok(Summary {
        frames_in,
        bytes_in,
        snapped,
        counters: engine.counters()?,
        targets,
        outputs,
    })
}
