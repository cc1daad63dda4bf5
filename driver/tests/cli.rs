//! End-to-end tests of the `biernic` command line on pcap files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bier::{Bift, Forwarder};
use biernic::capture::{CaptureReader, Frame};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_biernic"))
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run biernic")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read_all(p: &Path) -> Vec<Frame> {
    CaptureReader::open(p)
        .expect("open")
        .collect::<Result<Vec<_>, _>>()
        .expect("read")
}

fn gen(dir: &Path, bift: &Path, extra: &[&str]) -> PathBuf {
    let out = dir.join("in.pcap");
    let mut args = vec![
        "gen",
        "--bift",
        bift.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "gen failed: {}", stderr(&o));
    out
}

/// The per-target captures written by `biernic forward` hold exactly the copies the reference forwarder makes,
/// in order, with the input timestamps.
fn check_forward(bift_path: &Path, input: &Path, out_dir: &Path, from: Option<&str>) -> String {
    let mut args = vec![
        "forward",
        "--bift",
        bift_path.to_str().unwrap(),
        "--in",
        input.to_str().unwrap(),
        "--out-dir",
        out_dir.to_str().unwrap(),
    ];
    if let Some(f) = from {
        args.extend_from_slice(&["--from", f]);
    }
    let o = run(&args);
    assert!(o.status.success(), "forward failed: {}", stderr(&o));
    let stdout = String::from_utf8(o.stdout).unwrap();

    let bift = Bift::from_toml(&std::fs::read_to_string(bift_path).unwrap(), None).unwrap();
    let n = bift.targets().len();
    let mut fwd = Forwarder::new(bift.clone());
    let mut expected: Vec<Vec<(std::time::Duration, Vec<u8>)>> = vec![Vec::new(); n];
    let frames = read_all(input);
    for f in &frames {
        fwd.process(&f.data, 0, |t, c| {
            expected[t].push((f.timestamp, c.to_vec()))
        });
    }
    let mut total = 0;
    for (t, target) in bift.targets().iter().enumerate() {
        let got = read_all(&out_dir.join(format!("{}.pcap", target.name)));
        assert_eq!(got.len(), expected[t].len(), "copies to {}", target.name);
        for (g, (ts, e)) in got.iter().zip(&expected[t]) {
            assert_eq!(&g.data, e);
            assert_eq!(g.timestamp, *ts);
            assert_eq!(g.orig_len as usize, e.len());
        }
        assert!(
            stdout.contains(&format!("{} ", target.name)),
            "summary lists {}",
            target.name
        );
        total += got.len();
    }
    assert_eq!(fwd.counters().total_rx(), frames.len() as u64);
    assert!(
        stdout.contains(&format!("frames in: {}", frames.len())),
        "{stdout}"
    );
    assert!(total > 0, "some copies were made");
    stdout
}

#[test]
fn forward_matches_model_on_generated_traffic() {
    let dir = tempfile::tempdir().unwrap();
    let bift = example("moe-node.toml");
    let input = gen(
        dir.path(),
        &bift,
        &[
            "--count",
            "3000",
            "--malformed",
            "0.2",
            "--vlan",
            "0.3",
            "--seed",
            "9",
        ],
    );
    let stdout = check_forward(&bift, &input, &dir.path().join("out"), None);
    assert!(stdout.contains("no_matching_bit"), "{stdout}");
    // The same seed makes the same capture.
    let again = dir.path().join("again");
    std::fs::create_dir(&again).unwrap();
    let input2 = gen(
        &again,
        &bift,
        &[
            "--count",
            "3000",
            "--malformed",
            "0.2",
            "--vlan",
            "0.3",
            "--seed",
            "9",
        ],
    );
    assert_eq!(
        std::fs::read(&input).unwrap(),
        std::fs::read(input2).unwrap()
    );
}

#[test]
fn readme_example_config_forwards() {
    let dir = tempfile::tempdir().unwrap();
    let bift = example("bift.toml");
    let input = gen(
        dir.path(),
        &bift,
        &["--count", "500", "--to", "1,2,70", "--ttl", "5"],
    );
    check_forward(&bift, &input, &dir.path().join("out"), Some("p0"));
    // With destinations 1, 2 and 70 every frame makes one local copy (1) and one port copy (2, 70).
    let p0 = read_all(&dir.path().join("out/p0.pcap"));
    let gpu0 = read_all(&dir.path().join("out/gpu0.pcap"));
    assert_eq!((p0.len(), gpu0.len()), (500, 500));
    // TTL 5 - 1 on the port copy, MACs rewritten; the local copy keeps TTL 5.
    assert_eq!(p0[0].data[14 + 3], 4);
    assert_eq!(&p0[0].data[0..6], &[2, 0, 0, 0, 1, 1]);
    assert_eq!(&p0[0].data[6..12], &[2, 0, 0, 0, 0, 1]);
    assert_eq!(gpu0[0].data[14 + 3], 5);
}

#[test]
fn pcapng_input_gives_the_same_output() {
    use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
    use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock;
    use pcap_file::pcapng::PcapNgWriter;
    use pcap_file::DataLink;

    let dir = tempfile::tempdir().unwrap();
    let bift = example("moe-node.toml");
    let input = gen(dir.path(), &bift, &["--count", "400", "--seed", "3"]);
    let frames = read_all(&input);
    let ng = dir.path().join("in.pcapng");
    {
        let mut w = PcapNgWriter::new(std::fs::File::create(&ng).unwrap()).unwrap();
        w.write_pcapng_block(InterfaceDescriptionBlock::new(DataLink::ETHERNET, 65535))
            .unwrap();
        for f in &frames {
            let b = EnhancedPacketBlock {
                interface_id: 0,
                timestamp: f.timestamp,
                original_len: f.orig_len,
                data: std::borrow::Cow::Borrowed(&f.data),
                options: vec![],
            };
            w.write_pcapng_block(b).unwrap();
        }
    }
    assert_eq!(read_all(&ng), frames);
    check_forward(&bift, &ng, &dir.path().join("out"), None);
}

#[test]
fn bad_captures_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bift = example("moe-node.toml");
    let input = gen(dir.path(), &bift, &["--count", "50"]);
    let bytes = std::fs::read(&input).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "cut.pcap",
            bytes[..bytes.len() - 7].to_vec(),
            "truncated: the file ends inside record 50 (after 49 complete frames)",
        ),
        (
            "hdr.pcap",
            bytes[..10].to_vec(),
            "not a pcap or pcapng file",
        ),
        (
            "text.pcap",
            b"hello, this is not a capture at all".to_vec(),
            "not a pcap or pcapng file (magic number 0x68656c6c)",
        ),
        (
            "empty.pcap",
            vec![],
            "not a pcap or pcapng file (only 0 bytes)",
        ),
    ];
    for (name, data, want) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, data).unwrap();
        let o = run(&[
            "forward",
            "--bift",
            bift.to_str().unwrap(),
            "--in",
            p.to_str().unwrap(),
            "--out-dir",
            dir.path().join("o").to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{name}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(name),
            "{name} names the file: {}",
            stderr(&o)
        );
    }
    // A capture of another link type (raw IP = 101).
    let mut raw = bytes[..24].to_vec();
    raw[20..24].copy_from_slice(&101u32.to_le_bytes());
    let p = dir.path().join("raw.pcap");
    std::fs::write(&p, raw).unwrap();
    let o = run(&[
        "forward",
        "--bift",
        bift.to_str().unwrap(),
        "--in",
        p.to_str().unwrap(),
        "--out-dir",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not Ethernet"), "{}", stderr(&o));
    // A missing file.
    let o = run(&[
        "forward",
        "--bift",
        bift.to_str().unwrap(),
        "--in",
        "/nonexistent.pcap",
        "--out-dir",
        "/tmp/x",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/nonexistent.pcap"), "{}", stderr(&o));
}

#[test]
fn bad_configs_exit_2_naming_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(example("bift.toml")).unwrap();
    let cases = [
        (
            good.replace("via = [\"gpu0\"]", "via = [\"gpu7\"]"),
            "bad.toml:24:8: unknown target \"gpu7\"",
        ),
        (
            good.replace("bfr_ids = \"1\"", "bfr_ids = \"1, 64\""),
            "BFR-id 64 is given twice",
        ),
        (
            good.replace("bfr_ids = \"1\"", "bfr_ids = \"0\""),
            "BFR-id 0 is not valid",
        ),
        (
            good.replace("bfr_ids = \"1\"", "bfr_ids = \"70000\""),
            "BFR-id 70000 is above 65535",
        ),
        (
            good.replace("bsl = 256", "bsl = 100"),
            "bad.toml:3:7: bsl = 100 is not one of",
        ),
        (
            good.replace("02:00:00:00:01:01", "02:00:00:zz:01:01"),
            "is not a MAC address",
        ),
        ("bsl = = 3".to_string(), "bad.toml:1:"),
    ];
    for (text, want) in cases {
        let p = dir.path().join("bad.toml");
        std::fs::write(&p, &text).unwrap();
        for args in [
            vec!["bift", "show", p.to_str().unwrap()],
            vec![
                "forward",
                "--bift",
                p.to_str().unwrap(),
                "--in",
                "x.pcap",
                "--out-dir",
                "o",
            ],
        ] {
            let o = run(&args);
            assert_eq!(o.status.code(), Some(2), "{want}: {}", stderr(&o));
            assert!(
                stderr(&o).contains(want),
                "want {want:?}, got {}",
                stderr(&o)
            );
        }
    }
    let o = run(&["bift", "show", "/no/such.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/no/such.toml: cannot read"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "forward",
        "--bift",
        example("bift.toml").to_str().unwrap(),
        "--in",
        "x",
        "--out-dir",
        "o",
        "--from",
        "p9",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--from p9: no such target"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bift_show_prints_fbms() {
    let o = run(&["bift", "show", example("bift.toml").to_str().unwrap()]);
    assert!(o.status.success());
    let s = String::from_utf8(o.stdout).unwrap();
    assert!(s.contains("set 0: BIFT-id 0x30000"), "{s}");
    // p0 owns 2-64 and 70: bit 70 = word 1 bit 5; bits 2..64 = 0xffff_ffff_ffff_fffe.
    assert!(
        s.contains(&format!(
            "p0           {}{}{}",
            "0".repeat(32),
            "0000000000000020",
            "fffffffffffffffe"
        )),
        "{s}"
    );
    assert!(
        s.contains(&format!("gpu0         {}1", "0".repeat(63))),
        "{s}"
    );
}

#[test]
fn rtl_engine_writes_the_same_captures_as_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let bift = example("moe-node.toml");
    let input = gen(
        dir.path(),
        &bift,
        &[
            "--count",
            "300",
            "--malformed",
            "0.2",
            "--vlan",
            "0.3",
            "--max-len",
            "9018",
            "--seed",
            "4",
        ],
    );
    check_forward(&bift, &input, &dir.path().join("model"), None);
    let vcd = dir.path().join("wave.vcd");
    let o = run(&[
        "forward",
        "--bift",
        bift.to_str().unwrap(),
        "--in",
        input.to_str().unwrap(),
        "--out-dir",
        dir.path().join("rtl").to_str().unwrap(),
        "--engine",
        "rtl",
        "--trace",
        vcd.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.starts_with("engine: rtl"), "{stdout}");
    for t in ["p0", "p1", "gpu0", "gpu7"] {
        let m = std::fs::read(dir.path().join(format!("model/{t}.pcap"))).unwrap();
        let r = std::fs::read(dir.path().join(format!("rtl/{t}.pcap"))).unwrap();
        assert!(m.len() > 24, "{t} got copies");
        assert_eq!(m, r, "{t}.pcap differs between the model and the RTL");
    }
    let wave = std::fs::read_to_string(&vcd).unwrap();
    assert!(
        wave.contains("m_axis_t0_tdata"),
        "the waveform has the egress ports"
    );
    // A table that does not fit the build is refused with a clear message.
    let big = dir.path().join("big.toml");
    std::fs::write(
        &big,
        std::fs::read_to_string(&bift)
            .unwrap()
            .replace("bsl = 256", "bsl = 2048"),
    )
    .unwrap();
    let o = run(&[
        "forward",
        "--bift",
        big.to_str().unwrap(),
        "--in",
        input.to_str().unwrap(),
        "--out-dir",
        dir.path().join("x").to_str().unwrap(),
        "--engine",
        "rtl",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("BSL 2048 > the build's 1024"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn closed_stdout_is_not_a_crash() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = bin()
        .args(["verilog", "--build", "wide"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    // The larger builds generate Verilog; the simulator refuses them with a clear message.
    let o = run(&["verilog", "--build", "wide-bsl2048"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("module biernic_dataplane"));
    let o = run(&[
        "forward",
        "--bift",
        example("bift.toml").to_str().unwrap(),
        "--in",
        "x.pcap",
        "--out-dir",
        "o",
        "--engine",
        "rtl",
        "--build",
        "wide-bsl4096",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("simulates the wide and narrow builds only"),
        "{}",
        stderr(&o)
    );
}
