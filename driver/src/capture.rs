//! Streaming packet-capture input (classic pcap or pcapng, Ethernet link type) and classic pcap output.
//!
//! Frames are read one at a time through a buffered reader, so a capture of any size is never held in memory.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapReader, PcapWriter};
use pcap_file::pcapng::{Block, PcapNgReader};
use pcap_file::{DataLink, Endianness, PcapError, TsResolution};

/// What went wrong with a capture file.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// Opening, reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file is not a pcap or pcapng file.
    #[error("{path}: not a pcap or pcapng file ({detail})")]
    NotACapture {
        /// The file.
        path: PathBuf,
        /// What was found.
        detail: String,
    },
    /// The file ends in the middle of a record.
    #[error(
        "{path}: truncated: the file ends inside record {record} (after {frames} complete frames)"
    )]
    Truncated {
        /// The file.
        path: PathBuf,
        /// 1-based record number.
        record: u64,
        /// Frames read before it.
        frames: u64,
    },
    /// A record cannot be parsed.
    #[error("{path}: record {record} is corrupt: {detail}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// 1-based record number.
        record: u64,
        /// The parser's message.
        detail: String,
    },
    /// Not Ethernet frames.
    #[error("{path}: link type {linktype} is not Ethernet; biernic reads Ethernet captures only")]
    LinkType {
        /// The file.
        path: PathBuf,
        /// The link type found.
        linktype: String,
    },
}

/// Counts bytes read, for progress reporting.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

type Input = Counting<BufReader<File>>;

enum Format {
    Pcap(PcapReader<Input>),
    PcapNg(PcapNgReader<Input>),
}

/// One frame read from a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Capture timestamp.
    pub timestamp: Duration,
    /// The bytes captured.
    pub data: Vec<u8>,
    /// Length on the wire (larger than `data` if the capture cut the frame).
    pub orig_len: u32,
}

/// A streaming capture reader.
pub struct CaptureReader {
    path: PathBuf,
    format: Format,
    bytes_read: Rc<Cell<u64>>,
    size: u64,
    records: u64,
    frames: u64,
    /// Link types of the pcapng interfaces of the current section.
    links: Vec<DataLink>,
}

fn classify(path: &Path, records: u64, frames: u64, e: PcapError) -> CaptureError {
    match e {
        PcapError::IoError(io) if io.kind() == io::ErrorKind::UnexpectedEof => {
            CaptureError::Truncated {
                path: path.into(),
                record: records + 1,
                frames,
            }
        }
        PcapError::IncompleteBuffer => CaptureError::Truncated {
            path: path.into(),
            record: records + 1,
            frames,
        },
        PcapError::IoError(source) => CaptureError::Io {
            path: path.into(),
            source,
        },
        other => CaptureError::Corrupt {
            path: path.into(),
            record: records + 1,
            detail: other.to_string(),
        },
    }
}

impl CaptureReader {
    /// Opens a pcap or pcapng file, detecting the format from its magic number.
    pub fn open(path: &Path) -> Result<CaptureReader, CaptureError> {
        let io_err = |source| CaptureError::Io {
            path: path.into(),
            source,
        };
        let file = File::open(path).map_err(io_err)?;
        let size = file.metadata().map_err(io_err)?.len();
        let mut buf = BufReader::with_capacity(1 << 16, file);
        let head = buf.fill_buf().map_err(io_err)?;
        if head.len() < 4 {
            return Err(CaptureError::NotACapture {
                path: path.into(),
                detail: format!("only {} bytes", head.len()),
            });
        }
        let magic = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let bytes_read = Rc::new(Cell::new(0));
        let input = Counting {
            inner: buf,
            count: bytes_read.clone(),
        };
        let bad = |e: PcapError| match e {
            PcapError::IoError(ref io) if io.kind() == io::ErrorKind::UnexpectedEof => {
                CaptureError::NotACapture {
                    path: path.into(),
                    detail: "the file header is cut short".into(),
                }
            }
            other => CaptureError::NotACapture {
                path: path.into(),
                detail: other.to_string(),
            },
        };
        let format = match magic {
            0xA1B2_C3D4 | 0xD4C3_B2A1 | 0xA1B2_3C4D | 0x4D3C_B2A1 => {
                let r = PcapReader::new(input).map_err(bad)?;
                if r.header().datalink != DataLink::ETHERNET {
                    return Err(CaptureError::LinkType {
                        path: path.into(),
                        linktype: format!("{:?}", r.header().datalink),
                    });
                }
                Format::Pcap(r)
            }
            0x0A0D_0D0A => Format::PcapNg(PcapNgReader::new(input).map_err(bad)?),
            other => {
                return Err(CaptureError::NotACapture {
                    path: path.into(),
                    detail: format!("magic number {other:#010x}"),
                })
            }
        };
        Ok(CaptureReader {
            path: path.into(),
            format,
            bytes_read,
            size,
            records: 0,
            frames: 0,
            links: Vec::new(),
        })
    }

    /// File size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Bytes consumed from the file so far (read-ahead included).
    pub fn position(&self) -> u64 {
        self.bytes_read.get()
    }

    /// The next frame; `None` at the end of the file.
    pub fn next_frame(&mut self) -> Option<Result<Frame, CaptureError>> {
        loop {
            let (records, frames) = (self.records, self.frames);
            let path = &self.path;
            let links = &mut self.links;
            let item = match &mut self.format {
                Format::Pcap(r) => match r.next_packet()? {
                    Ok(p) => Some(Frame {
                        timestamp: p.timestamp,
                        data: p.data.into_owned(),
                        orig_len: p.orig_len,
                    }),
                    Err(e) => return Some(Err(classify(path, records, frames, e))),
                },
                Format::PcapNg(r) => {
                    let block = match r.next_block()? {
                        Ok(b) => b,
                        Err(e) => return Some(Err(classify(path, records, frames, e))),
                    };
                    match block {
                        Block::EnhancedPacket(p) => {
                            let link = links.get(p.interface_id as usize).copied();
                            match link {
                                Some(DataLink::ETHERNET) => {}
                                Some(other) => {
                                    return Some(Err(CaptureError::LinkType {
                                        path: path.clone(),
                                        linktype: format!("{other:?}"),
                                    }))
                                }
                                None => {
                                    return Some(Err(CaptureError::Corrupt {
                                        path: path.clone(),
                                        record: records + 1,
                                        detail: format!(
                                            "packet names interface {} which was not described",
                                            p.interface_id
                                        ),
                                    }))
                                }
                            }
                            Some(Frame {
                                timestamp: p.timestamp,
                                data: p.data.into_owned(),
                                orig_len: p.original_len,
                            })
                        }
                        Block::SimplePacket(p) => {
                            if links.first() != Some(&DataLink::ETHERNET) {
                                return Some(Err(CaptureError::LinkType {
                                    path: path.clone(),
                                    linktype: "not Ethernet (simple packet block)".into(),
                                }));
                            }
                            Some(Frame {
                                timestamp: Duration::ZERO,
                                orig_len: p.original_len,
                                data: p.data.into_owned(),
                            })
                        }
                        Block::SectionHeader(_) => {
                            links.clear();
                            None
                        }
                        Block::InterfaceDescription(i) => {
                            links.push(i.linktype);
                            None
                        }
                        _ => None,
                    }
                }
            };
            self.records += 1;
            if let Some(f) = item {
                self.frames += 1;
                return Some(Ok(f));
            }
        }
    }
}

impl Iterator for CaptureReader {
    type Item = Result<Frame, CaptureError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_frame()
    }
}

/// A classic pcap writer (Ethernet, nanosecond timestamps, little-endian).
pub struct CaptureWriter {
    path: PathBuf,
    writer: PcapWriter<BufWriter<File>>,
}

impl CaptureWriter {
    /// Creates (truncates) a pcap file.
    pub fn create(path: &Path) -> Result<CaptureWriter, CaptureError> {
        let file = File::create(path).map_err(|source| CaptureError::Io {
            path: path.into(),
            source,
        })?;
        let header = PcapHeader {
            snaplen: 65535,
            datalink: DataLink::ETHERNET,
            ts_resolution: TsResolution::NanoSecond,
            endianness: Endianness::Little,
            ..PcapHeader::default()
        };
        let writer = PcapWriter::with_header(BufWriter::with_capacity(1 << 16, file), header)
            .map_err(|e| pcap_io(path, e))?;
        Ok(CaptureWriter {
            path: path.into(),
            writer,
        })
    }

    /// Appends a frame.
    pub fn write(&mut self, timestamp: Duration, data: &[u8]) -> Result<(), CaptureError> {
        let p = PcapPacket::new(timestamp, data.len() as u32, data);
        self.writer
            .write_packet(&p)
            .map(|_| ())
            .map_err(|e| pcap_io(&self.path, e))
    }

    /// Flushes and closes the file.
    pub fn finish(self) -> Result<(), CaptureError> {
        let path = self.path;
        self.writer
            .into_writer()
            .flush()
            .map_err(|source| CaptureError::Io { path, source })
    }
}

fn pcap_io(path: &Path, e: PcapError) -> CaptureError {
    match e {
        PcapError::IoError(source) => CaptureError::Io {
            path: path.into(),
            source,
        },
        other => CaptureError::Io {
            path: path.into(),
            source: io::Error::other(other.to_string()),
        },
    }
}
