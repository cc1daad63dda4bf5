//! The device commands of the `biernic` CLI on the simulated NIC (`--sim`), and their errors on a
//! card that is not there.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bier::{Bift, Forwarder};
use biernic::capture::CaptureReader;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_biernic"))
        .args(args)
        .output()
        .expect("run biernic")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn frames(p: &Path) -> Vec<Vec<u8>> {
    CaptureReader::open(p)
        .unwrap()
        .map(|f| f.unwrap().data)
        .collect()
}

fn moe() -> Bift {
    Bift::compile(&bier::Config::from_file(Path::new(&example("moe-node.toml"))).unwrap()).unwrap()
}

fn gen(dir: &Path, count: &str, seed: &str) -> PathBuf {
    let p = dir.join(format!("in{seed}.pcap"));
    let o = run(&[
        "gen",
        "--bift",
        &example("moe-node.toml"),
        "--out",
        p.to_str().unwrap(),
        "--count",
        count,
        "--seed",
        seed,
        "--vlan",
        "0.2",
        "--malformed",
        "0.05",
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    p
}

#[test]
fn info_lists_the_register_blocks() {
    let o = run(&["info", "--sim"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("2 ports + 8 receive queues"), "{out}");
    assert!(out.contains("8 transmit queues"), "{out}");
    assert!(out.contains("block 0x4000: type 0x42490004"), "{out}");
    let o = run(&["info", "--sim", "--sim-build", "narrow"]);
    assert!(text(&o).0.contains("2 ports + 2 receive queues"));
}

#[test]
fn bift_load_reads_back_and_dump_shows_the_table() {
    let o = run(&["bift", "load", &example("moe-node.toml"), "--sim"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("read back: identical"), "{out}");
    let o = run(&["bift", "dump", "--sim", "--bift", &example("moe-node.toml")]);
    let (out, _) = text(&o);
    assert!(out.contains("BSL 256, 4 ECMP buckets"), "{out}");
    assert!(out.contains("set 0 bucket 0 target 0: 9-248"), "{out}");
    assert!(out.contains("set 0 bucket 0 target 5: 4"), "{out}");
    // no [[tx_queue]]: isolation off, every queue may reach everything
    assert!(
        out.contains("tx queue 7 set 0: may reach every BFR-id of the set"),
        "{out}"
    );
    // with [[tx_queue]] grants, dump shows them and load checks them
    let dir = tempfile::tempdir().unwrap();
    let iso = dir.path().join("iso.toml");
    let moe = std::fs::read_to_string(example("moe-node.toml")).unwrap();
    std::fs::write(
        &iso,
        format!("{moe}\n[[tx_queue]]\nqueue = 1\nallow = [\"1-8\", 100]\n"),
    )
    .unwrap();
    let o = run(&["bift", "load", iso.to_str().unwrap(), "--sim"]);
    assert!(o.status.success(), "{:?}", text(&o));
    let o = run(&["bift", "dump", "--sim", "--bift", iso.to_str().unwrap()]);
    let (out, _) = text(&o);
    assert!(
        out.contains("tx queue 1 set 0: may reach positions 1-8,100"),
        "{out}"
    );
    assert!(out.contains("tx queue 0 set 0: may reach nothing"), "{out}");
    // a fresh simulated NIC has no table: no valid set slot, no F-BM
    let o = run(&["bift", "dump", "--sim"]);
    assert!(o.status.success());
    let (out, _) = text(&o);
    assert!(out.starts_with("active bank 0"), "{out}");
    assert!(!out.contains("set 0"), "{out}");
}

#[test]
fn wrong_bifts_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    // targets in another order than the NIC's (local queues first)
    let bad = dir.path().join("order.toml");
    std::fs::write(
        &bad,
        "sub_domain = 0\nbsl = 64\n\n[[target]]\nname = \"gpu0\"\nkind = \"local\"\nqueue = 0\n\n\
         [[target]]\nname = \"p0\"\nkind = \"port\"\nport = 0\n\n[[entry]]\nbfr_ids = \"1\"\nvia = [\"gpu0\"]\n",
    )
    .unwrap();
    let o = run(&["bift", "load", bad.to_str().unwrap(), "--sim"]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    assert!(
        text(&o).1.contains("does not match this NIC's targets"),
        "{:?}",
        text(&o)
    );
    // BSL 512 on the narrow build
    let big = dir.path().join("big.toml");
    let moe = std::fs::read_to_string(example("moe-node.toml")).unwrap();
    std::fs::write(&big, moe.replace("bsl = 256", "bsl = 512")).unwrap();
    let o = run(&[
        "bift",
        "load",
        big.to_str().unwrap(),
        "--sim",
        "--sim-build",
        "narrow",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("does not fit"), "{:?}", text(&o));
    // not TOML
    let junk = dir.path().join("junk.toml");
    std::fs::write(&junk, "bsl = [").unwrap();
    let o = run(&["bift", "load", junk.to_str().unwrap(), "--sim"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("junk.toml"), "{:?}", text(&o));
}

#[test]
fn a_missing_card_is_a_clear_error() {
    let o = run(&["stats", "--device", "0000:99:1f.7"]);
    assert_eq!(o.status.code(), Some(1));
    let (_, err) = text(&o);
    assert!(err.contains("no PCI device 0000:99:1f.7"), "{err}");
    assert!(err.contains("lspci"), "{err}");
    let o = run(&["info", "--device", "not-an-address"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!text(&o).1.is_empty());
    // one of --device and --sim
    let o = run(&["info"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["info", "--sim", "--device", "0000:3b:00.0"]);
    assert_eq!(o.status.code(), Some(2));
}

/// `send --sim` writes what the ports and the receive queues got: the reference forwarder's
/// copies of the host frames, in order.
#[test]
fn send_through_the_simulated_nic_matches_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let input = gen(dir.path(), "300", "5");
    let out = dir.path().join("out");
    let o = run(&[
        "send",
        "--sim",
        "--bift",
        &example("moe-node.toml"),
        "--in",
        input.to_str().unwrap(),
        "--queue",
        "3",
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    // frames over 9018 bytes (the generator's oversize ones) complete with "bad length" and
    // never enter the data plane
    let all = frames(&input);
    let big = all.iter().filter(|f| f.len() > 9018).count();
    assert!(
        stdout.contains(&format!("sent {} of 300 frames", 300 - big)),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{big} completed with an error")),
        "{stdout}"
    );
    let bift = moe();
    let mut m = Forwarder::new(bift.clone());
    let mut want = vec![Vec::new(); bift.targets().len()];
    for f in all.into_iter().filter(|f| f.len() <= 9018) {
        m.process_from(&f, 2, bier::Origin::Host(3), |t, c| {
            want[t].push(c.to_vec())
        });
    }
    let mut total = 0;
    for (t, w) in want.iter().enumerate() {
        let name = if t < 2 {
            format!("port{t}.pcap")
        } else {
            format!("rxq{}.pcap", t - 2)
        };
        let got = frames(&out.join(&name));
        assert_eq!(&got, w, "{name}");
        total += got.len();
    }
    assert!(total > 300, "{total} copies");
    let line = format!("{:<24} {}", "rx_frames[2]", 300 - big);
    assert!(stdout.contains(&line), "{stdout}");
}

/// `recv --sim --inject` receives the copies for one queue of frames arriving on a port.
#[test]
fn recv_from_the_simulated_nic_matches_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let input = gen(dir.path(), "400", "6");
    let out = dir.path().join("q5.pcap");
    let o = run(&[
        "recv",
        "--sim",
        "--bift",
        &example("moe-node.toml"),
        "--inject",
        input.to_str().unwrap(),
        "--port",
        "1",
        "--queue",
        "5",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let bift = moe();
    let mut m = Forwarder::new(bift);
    let mut want = Vec::new();
    for f in frames(&input) {
        m.process(&f, 1, |t, c| {
            if t == 2 + 5 {
                want.push(c.to_vec())
            }
        });
    }
    assert!(!want.is_empty());
    assert_eq!(frames(&out), want);
    assert!(
        stdout.contains(&format!(
            "received {} frames on receive queue 5",
            want.len()
        )),
        "{stdout}"
    );
    // --count stops early
    let o = run(&[
        "recv",
        "--sim",
        "--bift",
        &example("moe-node.toml"),
        "--inject",
        input.to_str().unwrap(),
        "--queue",
        "5",
        "--count",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert_eq!(frames(&out).len(), 3);
    // --inject needs --sim; a queue the NIC lacks
    let o = run(&[
        "recv",
        "--sim",
        "--queue",
        "8",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("8 receive queues"));
}

#[test]
fn stats_on_a_fresh_nic_are_zero() {
    let o = run(&["stats", "--sim"]);
    assert!(o.status.success());
    assert_eq!(text(&o).0, "every counter is 0\n");
    let o = run(&["stats", "--sim", "--all"]);
    assert!(text(&o).0.contains("drops[isolated]"), "{}", text(&o).0);
}
