//! A literal transcription of the RFC 8279 §6.5 forwarding loop, kept as an independent oracle for tests of the
//! parallel forwarder. It builds the per-BFR-id BIFT of RFC 8279 §6.4 straight from a [`Config`] and walks the
//! BitString bit by bit. It is slow on purpose: clarity over speed.

use std::collections::BTreeMap;

use crate::bitstring::{bfr_position, BitString};
use crate::config::Config;

/// The copies the §6.5 procedure makes for `bitstring` in `set` and ECMP `bucket`: `(neighbour, BitString)` in
/// the order the loop emits them.
pub fn forward_loop(
    config: &Config,
    set: usize,
    bucket: usize,
    bitstring: &BitString,
) -> Vec<(usize, BitString)> {
    // BIFT of §6.4: BFR-id (as bit position in this set) -> (F-BM, BFR-NBR).
    let mut nbr_of: BTreeMap<usize, usize> = BTreeMap::new();
    for e in &config.entries {
        for &id in &e.bfr_ids {
            if let Some(p) = bfr_position(id, config.bsl) {
                if usize::from(p.si) == set {
                    nbr_of.insert(usize::from(p.pos), e.via[bucket % e.via.len()]);
                }
            }
        }
    }
    let mut fbm_of: BTreeMap<usize, BitString> = BTreeMap::new();
    for (&pos, &nbr) in &nbr_of {
        fbm_of
            .entry(nbr)
            .or_insert_with(|| BitString::zero(config.bsl))
            .set(pos, true);
    }

    let mut copies = Vec::new();
    let mut remaining = bitstring.clone();
    // "while (BitString != 0)": find the position of the least significant 1 bit.
    while let Some(k) = remaining.iter_ones().next() {
        match nbr_of.get(&k) {
            None => {
                // No BIFT entry for this BFR-id: the bit cannot be served; clear it and go on.
                remaining.set(k, false);
            }
            Some(&nbr) => {
                let fbm = &fbm_of[&nbr];
                // PacketCopy = copy of Packet; PacketCopy->BitString &= F-BM; send to BFR-NBR.
                copies.push((nbr, remaining.and(fbm)));
                // Packet->BitString &= ~F-BM.
                remaining.and_not_assign(fbm.words());
            }
        }
    }
    copies
}
