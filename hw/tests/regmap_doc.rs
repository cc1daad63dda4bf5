//! `hw/REGMAP.md` is `regmap::markdown` of the wide and narrow builds; regenerate with
//! `BIERNIC_UPDATE_DOCS=1 cargo test -p biernic-hw --test regmap_doc`.

use biernic_hw::{regmap, DataplaneParams};

#[test]
fn regmap_doc_is_current() {
    let text = format!(
        "{}\n{}",
        regmap::markdown(&DataplaneParams::wide()),
        regmap::markdown(&DataplaneParams::narrow())
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
