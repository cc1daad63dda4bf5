//! Tests of the harness itself against the hand-written loopback fixture
//! (`tests/fixtures/loopback.v`), independent of the real RTL.

use biernic_sim::{AxilError, Build, Dataplane, Ingress, Model, PortDir, SimError};

fn frame(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed))
        .collect()
}

#[test]
fn port_table_matches_the_verilog() {
    let ports = Build::Loopback.ports();
    assert_eq!(ports.len(), 55);
    assert_eq!(ports[0].name, "clk");
    let tdata = ports.iter().find(|p| p.name == "s_axis_rx0_tdata").unwrap();
    assert_eq!((tdata.dir, tdata.width), (PortDir::Input, 64));
    let rdata = ports.iter().find(|p| p.name == "s_axil_rdata").unwrap();
    assert_eq!((rdata.dir, rdata.width), (PortDir::Output, 32));
}

#[test]
fn ports_by_name_and_bad_values() {
    let mut m = Model::new(Build::Loopback).unwrap();
    let keep = m.port("s_axis_rx0_tkeep").unwrap();
    assert!(matches!(m.set(keep, 0x100), Err(SimError::BadValue { .. })));
    m.set(keep, 0xff).unwrap();
    assert!(matches!(m.port("nope"), Err(SimError::UnknownPort(_))));
    let ready = m.port("s_axis_rx0_tready").unwrap();
    assert!(matches!(m.set(ready, 1), Err(SimError::NotAnInput(_))));
    // pass-through: tkeep appears on the target combinationally
    m.eval().unwrap();
    assert_eq!(m.get_by_name("m_axis_t0_tkeep").unwrap(), 0xff);
    let data = m.port("s_axis_rx0_tdata").unwrap();
    m.set_words(data, &[0xdead_beef, 0x0123_4567]).unwrap();
    assert!(m.set_words(data, &[1, 2, 3]).is_err());
    m.eval().unwrap();
    assert_eq!(
        m.get_by_name("m_axis_t0_tdata").unwrap(),
        0x0123_4567_dead_beef
    );
    // a port of another build is rejected
    let other = Model::new(Build::Narrow).unwrap();
    let foreign = other.port("s_axis_rx0_tkeep").unwrap();
    assert!(m.set(foreign, 1).is_err());
    assert!(m.get(foreign).is_err());
    assert!(m.get_words(foreign).is_err());
}

#[test]
fn axil_accesses_errors_and_timeout() {
    let mut m = Model::new(Build::Loopback).unwrap();
    m.reset().unwrap();
    assert_eq!(m.axil_read(0).unwrap(), 0x4249_4552);
    m.axil_write(4, 0xcafe_f00d).unwrap();
    assert_eq!(m.axil_read(4).unwrap(), 0xcafe_f00d);
    assert!(matches!(
        m.axil_read(0x0ff0),
        Err(SimError::Axil(AxilError::SlaveError {
            op: "read",
            addr: 0x0ff0
        }))
    ));
    assert!(matches!(
        m.axil_write(0x0ff0, 1),
        Err(SimError::Axil(AxilError::SlaveError { .. }))
    ));
    assert!(matches!(
        m.axil_read(2),
        Err(SimError::Axil(AxilError::Unaligned { addr: 2 }))
    ));
    m.set_axil_timeout(50);
    let c0 = m.cycle();
    assert!(matches!(
        m.axil_read(0x8000),
        Err(SimError::Axil(AxilError::Timeout {
            phase: "arready",
            cycles: 50,
            ..
        }))
    ));
    assert_eq!(m.cycle() - c0, 50);
    assert!(matches!(
        m.axil_write(0x8000, 0),
        Err(SimError::Axil(AxilError::Timeout {
            phase: "bvalid",
            ..
        }))
    ));
    // the bus still works afterwards
    assert_eq!(m.axil_read(4).unwrap(), 0xcafe_f00d);
}

#[test]
fn frames_pass_through_with_gaps_and_backpressure() {
    let mut dp = Dataplane::with_seed(Build::Loopback, 7).unwrap();
    assert_eq!((dp.net_ingress(), dp.targets(), dp.data_bytes()), (2, 4, 8));
    dp.set_idle_probability(0.3).unwrap();
    dp.set_backpressure(0.4).unwrap();
    let mut sent = [Vec::new(), Vec::new()];
    for k in 0..40usize {
        let f = frame(1 + (k * 37) % 200, k as u8);
        dp.send(Ingress::Net(k % 2), f.clone()).unwrap();
        sent[k % 2].push(f);
    }
    let ran = dp.run_until_idle(100_000).unwrap();
    assert!(ran > 0);
    assert_eq!(dp.pending(), 0);
    for (t, frames) in sent.iter().enumerate() {
        let got = dp.take_frames(t).unwrap();
        let data: Vec<_> = got.iter().map(|f| f.data.clone()).collect();
        assert_eq!(&data, frames, "target {t}");
        assert!(got.windows(2).all(|w| w[0].last_cycle < w[1].first_cycle));
    }
    // beats counted by the fixture = beats sent
    let beats: usize = sent.iter().flatten().map(|f| f.len().div_ceil(8)).sum();
    assert_eq!(dp.axil_read(8).unwrap() as usize, beats);
    let log = dp.take_ingress_log();
    assert_eq!(log.len(), 40);
}

#[test]
fn host_ingress_carries_tuser_and_latency_is_recorded() {
    let mut dp = Dataplane::new(Build::Loopback).unwrap();
    let f = frame(20, 1);
    let id = dp.send_with_tuser(Ingress::Host, f.clone(), 0x5a).unwrap();
    dp.run_until_idle(1000).unwrap();
    let got = dp.take_frames(3).unwrap();
    assert_eq!(got.len(), 1);
    let mut expect = f;
    for b in expect.iter_mut().step_by(8) {
        *b ^= 0x5a;
    }
    assert_eq!(got[0].data, expect);
    let log = dp.take_ingress_log();
    assert_eq!(log[0].id, id);
    assert_eq!(log[0].source, 2);
    // combinational pass-through: same cycles in and out, 3 beats back to back
    assert_eq!(
        (got[0].first_cycle, got[0].last_cycle),
        (log[0].first_cycle, log[0].last_cycle)
    );
    assert_eq!(log[0].last_cycle - log[0].first_cycle, 2);
}

#[test]
fn stalled_target_times_out_then_drains() {
    let mut dp = Dataplane::new(Build::Loopback).unwrap();
    dp.set_stalled(0, true).unwrap();
    dp.send(Ingress::Net(0), frame(30, 3)).unwrap();
    let e = dp.run_until_idle(500).unwrap_err();
    assert!(matches!(e, SimError::Timeout { cycles: 500, .. }), "{e}");
    assert!(dp.take_frames(0).unwrap().is_empty());
    dp.set_stalled(0, false).unwrap();
    dp.run_until_idle(500).unwrap();
    assert_eq!(dp.take_frames(0).unwrap()[0].data, frame(30, 3));
}

#[test]
fn register_access_while_streams_move() {
    let mut dp = Dataplane::new(Build::Loopback).unwrap();
    dp.set_backpressure(0.2).unwrap();
    for _ in 0..10 {
        dp.send(Ingress::Net(1), frame(300, 9)).unwrap();
    }
    for k in 0..20u32 {
        dp.axil_write(4, k).unwrap();
        assert_eq!(dp.axil_read(4).unwrap(), k);
    }
    dp.run_until_idle(100_000).unwrap();
    let got = dp.take_frames(1).unwrap();
    assert_eq!(got.len(), 10);
    assert!(got.iter().all(|f| f.data == frame(300, 9)));
}

#[test]
fn bad_arguments_are_errors() {
    let mut dp = Dataplane::new(Build::Loopback).unwrap();
    assert!(matches!(
        dp.send(Ingress::Net(2), vec![1]),
        Err(SimError::InvalidArgument(_))
    ));
    assert!(matches!(
        dp.send(Ingress::Net(0), vec![]),
        Err(SimError::InvalidArgument(_))
    ));
    assert!(dp.set_backpressure(1.5).is_err());
    assert!(dp.set_idle_probability(f64::NAN).is_err());
    assert!(dp.set_stalled(4, true).is_err());
    assert!(dp.take_frames(4).is_err());
    // the loopback has no register map
    assert!(matches!(dp.read_counters(), Err(SimError::Interface(_))));
}

#[test]
fn waveform_is_written() {
    let dir = std::env::temp_dir().join(format!("biernic-sim-wave-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("loop.vcd");
    let mut dp = Dataplane::new(Build::Loopback).unwrap();
    dp.trace(&path).unwrap();
    dp.send(Ingress::Net(0), frame(16, 0)).unwrap();
    dp.run_until_idle(1000).unwrap();
    dp.model_mut().trace_close();
    let vcd = std::fs::read_to_string(&path).unwrap();
    assert!(vcd.contains("$enddefinitions"));
    assert!(vcd.contains("s_axis_rx0_tvalid"));
    assert!(Model::new(Build::Loopback)
        .unwrap()
        .trace(dir.join("no/such/dir/x.vcd"))
        .is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn random_init_randomizes_registers_until_reset() {
    let values: Vec<u64> = (1..=4)
        .map(|seed| {
            Model::with_random_init(Build::Loopback, seed)
                .unwrap()
                .get_by_name("s_axil_rdata")
                .unwrap()
        })
        .collect();
    assert!(values.iter().any(|&v| v != 0), "{values:x?}");
    assert!(values.windows(2).any(|w| w[0] != w[1]), "{values:x?}");
    // deterministic for a seed
    let again = Model::with_random_init(Build::Loopback, 1)
        .unwrap()
        .get_by_name("s_axil_rdata")
        .unwrap();
    assert_eq!(again, values[0]);
    let mut m = Model::with_random_init(Build::Loopback, 1).unwrap();
    m.reset().unwrap();
    assert_eq!(m.get_by_name("s_axil_rdata").unwrap(), 0);
    assert_eq!(
        Model::new(Build::Loopback)
            .unwrap()
            .get_by_name("s_axil_rdata")
            .unwrap(),
        0
    );
}

#[test]
fn egress_protocol_violations_are_reported() {
    // tvalid dropped while the sink was not ready (driving the fixture's input by hand)
    let mut dp = Dataplane::new(Build::Loopback).unwrap();
    dp.set_stalled(0, true).unwrap();
    let valid = dp.model().port("s_axis_rx0_tvalid").unwrap();
    let last = dp.model().port("s_axis_rx0_tlast").unwrap();
    let keep = dp.model().port("s_axis_rx0_tkeep").unwrap();
    dp.model_mut().set(keep, 0xff).unwrap();
    dp.model_mut().set(last, 1).unwrap();
    dp.model_mut().set(valid, 1).unwrap();
    dp.step().unwrap();
    dp.model_mut().set(valid, 0).unwrap();
    let e = dp.step().unwrap_err();
    assert!(
        matches!(&e, SimError::Protocol(m) if m.contains("tvalid dropped")),
        "{e}"
    );

    // data changed while waiting
    let mut dp = Dataplane::new(Build::Loopback).unwrap();
    dp.set_stalled(0, true).unwrap();
    let data = dp.model().port("s_axis_rx0_tdata").unwrap();
    dp.model_mut().set(keep, 0xff).unwrap();
    dp.model_mut().set(last, 1).unwrap();
    dp.model_mut().set(valid, 1).unwrap();
    dp.step().unwrap();
    dp.model_mut().set(data, 5).unwrap();
    let e = dp.step().unwrap_err();
    assert!(
        matches!(&e, SimError::Protocol(m) if m.contains("changed")),
        "{e}"
    );

    // tkeep with a hole, and a partial beat without tlast
    for (k, l, what) in [
        (0b101u64, 1u64, "not contiguous"),
        (0x0f, 0, "without tlast"),
    ] {
        let mut dp = Dataplane::new(Build::Loopback).unwrap();
        dp.model_mut().set(keep, k).unwrap();
        dp.model_mut().set(last, l).unwrap();
        dp.model_mut().set(valid, 1).unwrap();
        let e = dp.step().unwrap_err();
        assert!(
            matches!(&e, SimError::Protocol(m) if m.contains(what)),
            "{e}"
        );
    }
}

#[test]
fn fatal_error_in_the_model_is_an_error_not_an_abort() {
    let mut m = Model::new(Build::Loopback).unwrap();
    m.reset().unwrap();
    let e = m.axil_write(0x0ff4, 0).unwrap_err();
    assert!(
        matches!(&e, SimError::Fatal(msg) if msg.contains("$stop")),
        "{e}"
    );
    // the model stays unusable, every later evaluation says so
    assert!(matches!(m.step(), Err(SimError::Fatal(_))));
    // other models are not affected
    let mut other = Model::new(Build::Loopback).unwrap();
    other.reset().unwrap();
    assert_eq!(other.axil_read(0).unwrap(), 0x4249_4552);
}

#[test]
fn axil_with_random_timing() {
    let mut m = Model::new(Build::Loopback).unwrap();
    m.reset().unwrap();
    assert!(m.set_axil_jitter(2.0).is_err());
    m.set_axil_jitter(0.6).unwrap();
    let c0 = m.cycle();
    for k in 0..50u32 {
        m.axil_write(4, k * 0x0101_0101).unwrap();
        assert_eq!(m.axil_read(4).unwrap(), k * 0x0101_0101);
    }
    // slower than the 3 + 3 cycles per pair without jitter
    assert!(m.cycle() - c0 > 50 * 8, "{} cycles", m.cycle() - c0);
}
