# biernic — top-level tasks. `make demo` and `make test` install what they need on Debian 12.
SHELL := /bin/bash
CARGO ?= cargo
APT_PACKAGES := verilator yosys python3
DEMO_DIR := out/demo
BIN := target/release/biernic

.PHONY: all deps demo test bench bench-rtl bench-driver verilog docs fmt fmt-check lint clean

all: test

# Debian packages the build and tests need (installed only when missing).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "cargo not found: install Rust (https://rustup.rs)"; exit 1; }

# The main job on the built-in example: a mixture-of-experts node (2 ports + 8 GPU queues).
demo: deps
	$(CARGO) build --release -p biernic
	@mkdir -p $(DEMO_DIR)
	$(BIN) bift show examples/moe-node.toml
	$(BIN) gen --bift examples/moe-node.toml --out $(DEMO_DIR)/tokens.pcap --count 10000 --seed 42 \
	  --min-len 60 --max-len 1514 --vlan 0.1 --malformed 0.02
	$(BIN) forward --bift examples/moe-node.toml --in $(DEMO_DIR)/tokens.pcap --out-dir $(DEMO_DIR)/model --engine model
	$(BIN) forward --bift examples/moe-node.toml --in $(DEMO_DIR)/tokens.pcap --out-dir $(DEMO_DIR)/rtl --engine rtl
	@for f in $(DEMO_DIR)/model/*.pcap; do cmp -s $$f $(DEMO_DIR)/rtl/$$(basename $$f) || { echo "RTL and model differ on $$(basename $$f)"; exit 1; }; done
	@echo "demo: the verilated RTL wrote byte-identical captures to the reference model's in $(DEMO_DIR)/rtl"
	@# the host path: the same frames sent by GPU 0's process through transmit queue 0 of the simulated NIC
	@# (driver -> DMA rings -> data plane -> ports and the other GPUs' receive queues), against the model
	$(BIN) forward --bift examples/moe-node.toml --in $(DEMO_DIR)/tokens.pcap --out-dir $(DEMO_DIR)/host-model --engine model --from host --quiet
	$(BIN) send --sim --bift examples/moe-node.toml --in $(DEMO_DIR)/tokens.pcap --queue 0 --out-dir $(DEMO_DIR)/nic
	python3 scripts/same_frames.py $(DEMO_DIR)/host-model/p0.pcap $(DEMO_DIR)/nic/port0.pcap \
	  $(DEMO_DIR)/host-model/p1.pcap $(DEMO_DIR)/nic/port1.pcap \
	  $(foreach q,0 1 2 3 4 5 6 7,$(DEMO_DIR)/host-model/gpu$(q).pcap $(DEMO_DIR)/nic/rxq$(q).pcap)
	@echo "demo: frames sent through the simulated NIC's DMA rings came out of its ports and receive queues as the model says"

test: deps
	$(CARGO) test --workspace --release

bench: deps
	$(CARGO) bench -p bier --bench forward
	$(CARGO) bench -p biernic --bench forward_pcap

# The generated Verilog of both builds, top module biernic_dataplane.
verilog: deps
	$(CARGO) build --release -p biernic
	@mkdir -p out/verilog
	$(BIN) verilog --build wide --out out/verilog/biernic_dataplane_wide.v
	$(BIN) verilog --build narrow --out out/verilog/biernic_dataplane_narrow.v
	$(BIN) verilog --build nic-wide --out out/verilog/biernic_nic_wide.v
	$(BIN) verilog --build nic-narrow --out out/verilog/biernic_nic_narrow.v
	@echo "wrote out/verilog/biernic_{dataplane,nic}_{wide,narrow}.v"

# Throughput (fraction of 100 GbE line rate), latency and simulator speed of the RTL, in exact cycles.
bench-rtl: deps
	$(CARGO) bench -p biernic-tests --bench rtl

# docs/registers.md (the NIC register map) and hw/REGMAP.md, generated from biernic_hw::regmap.
docs: deps
	BIERNIC_UPDATE_DOCS=1 $(CARGO) test -p biernic-hw --test regmap_doc
	@echo "wrote docs/registers.md and hw/REGMAP.md"

# Host CPU time per frame of the driver's transmit and receive fast paths (batch 1, 8, 32, 256),
# then frames end to end through the driver and the verilated NIC core.
bench-driver: deps
	$(CARGO) bench -p biernic --bench driver
	$(CARGO) bench -p biernic-tests --bench host

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Board builds (firmware/): bitstream, reports.
-include firmware/firmware.mk

clean:
	$(CARGO) clean
	rm -rf out
