//! `hw/REGMAP.md` is `regmap::markdown` of the wide, narrow, wide_bsl2048 and wide_bsl4096 builds; regenerate with
//! `BIERNIC_UPDATE_DOCS=1 cargo test -p biernic-hw --test regmap_doc`.

use biernic_hw::{regmap, DataplaneParams};

#[test]
fn regmap_doc_is_current() {
    let text = format!(
        "{}\n{}\n{}\n{}",
        regmap::markdown(&DataplaneParams::wide()),
        regmap::markdown(&DataplaneParams::narrow()),
        regmap::markdown(&DataplaneParams::wide_bsl2048()),
        regmap::markdown(&DataplaneParams::wide_bsl4096())
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("REGMAP.md");
    if std::env::var_os("BIERNIC_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == text,
        "hw/REGMAP.md is stale: rerun with BIERNIC_UPDATE_DOCS=1"
    );
}
