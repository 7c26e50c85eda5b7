//! `cargo bench -p crosswalk-journal`: chain verification throughput on a synthetic chain shaped like
//! real entries (about 300 bytes each). No framework: one figure, printed in the `crosswalk bench` style.
#![allow(clippy::print_stdout)] // a benchmark reports on stdout
use crosswalk_journal::{MacKey, NewEntry, ZERO_HASH, canonical_json, verify_chain};
use std::time::Instant;

fn main() {
    let n = 200_000;
    let mut head = (0, ZERO_HASH);
    let tenant = "0190d6f4-0000-7000-8000-000000000001";
    let key = MacKey::derive(&crosswalk_journal::generate_signing_key());
    let chain: Vec<_> = (0..n)
        .map(|i| {
            let e = NewEntry {
                at_micros: 1_767_225_600_000_000 + i,
                actor: "user:0190d6f4-0000-7000-8000-00000000abcd:ciso@acme.example".into(),
                action: "control.update".into(),
                entity: "control".into(),
                entity_id: format!("0190d6f4-0000-7000-8000-{i:012}"),
                payload: canonical_json(
                    &serde_json::json!({"name": "Vulnerability management", "status": "implemented", "owner": "it-ops", "n": i}),
                ),
                records_root: [7; 32],
                record_count: 1,
            }
            .seal(tenant, head, &key);
            head = (e.seq, e.hash);
            e
        })
        .collect();
    let started = Instant::now();
    let mut bytes = 0u64;
    let mut rounds = 0;
    while rounds < 3 || started.elapsed().as_secs_f64() < 2.0 {
        bytes += verify_chain(tenant, &chain, Some(head), Some(&key)).expect("honest chain verifies").bytes;
        rounds += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "journal.verify (hashes, links and MACs) {:.0} MB/s ({} entries x {rounds} rounds, {:.0} entries/s)",
        bytes as f64 / 1e6 / secs,
        n,
        (n as f64 * rounds as f64) / secs
    );
}
