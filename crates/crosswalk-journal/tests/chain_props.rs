//! Property tests of the chain: every honest sequence of appends verifies, and every way of editing
//! the stored entries (any column, deletion, insertion, reordering) is detected at the right entry.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
use crosswalk_journal::{ChainProblem, Entry, MacKey, NewEntry, ZERO_HASH, canonical_json, verify_chain};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Mutation {
    actor: String,
    action: String,
    entity: String,
    id: String,
    n: i64,
    text: String,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    ("[a-z]{1,8}", "[a-z]{1,6}\\.[a-z]{1,6}", "[a-z_]{1,10}", "[0-9a-f]{1,12}", any::<i64>(), ".{0,40}")
        .prop_map(|(actor, action, entity, id, n, text)| Mutation { actor, action, entity, id, n, text })
}

fn build(tenant: &str, muts: &[Mutation]) -> Vec<Entry> {
    let mut head = (0, ZERO_HASH);
    let mut out = Vec::with_capacity(muts.len());
    for (i, m) in muts.iter().enumerate() {
        let payload = canonical_json(&serde_json::json!({"n": m.n, "text": m.text}));
        let e = NewEntry {
            at_micros: 1_767_225_600_000_000 + i as i64,
            actor: m.actor.clone(),
            action: m.action.clone(),
            entity: m.entity.clone(),
            entity_id: m.id.clone(),
            payload,
            records_root: [m.n as u8; 32],
            record_count: m.n.rem_euclid(5),
        }
        .seal(tenant, head, &key());
        head = (e.seq, e.hash);
        out.push(e);
    }
    out
}

fn key() -> MacKey {
    static KEY: std::sync::OnceLock<MacKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| MacKey::derive(&crosswalk_journal::generate_signing_key())).clone()
}

/// Change column `col` of `e` to something different.
fn tamper(e: &mut Entry, col: usize) {
    match col {
        10 => e.records_root[0] ^= 1,
        11 => e.record_count += 1,
        0 => e.tenant.push('x'),
        1 => e.seq += 1,
        2 => e.prev_hash[0] ^= 1,
        3 => e.at_micros += 1,
        4 => e.actor.push('x'),
        5 => e.action.push('x'),
        6 => e.entity.push('x'),
        7 => e.entity_id.push('x'),
        8 => e.payload.push(' '),
        _ => e.hash[31] ^= 1,
    }
}

proptest! {
    /// Any sequence of honest appends verifies, with the head it produced.
    #[test]
    fn honest_chains_verify(muts in prop::collection::vec(mutation(), 0..60)) {
        let c = build("tenant-a", &muts);
        let head = c.last().map_or((0, ZERO_HASH), |e| (e.seq, e.hash));
        let summary = verify_chain("tenant-a", &c, Some(head), Some(&key())).unwrap();
        prop_assert_eq!(summary.entries as usize, muts.len());
    }

    /// Changing any column of any entry is detected, at that entry.
    #[test]
    fn any_column_change_is_pinpointed(muts in prop::collection::vec(mutation(), 1..40), pick in any::<prop::sample::Index>(), col in 0usize..12) {
        let mut c = build("tenant-a", &muts);
        let head = (c.len() as i64, c.last().unwrap().hash);
        let i = pick.index(c.len());
        tamper(&mut c[i], col);
        let err = verify_chain("tenant-a", &c, Some(head), Some(&key())).unwrap_err();
        prop_assert_eq!(err.seq, i as i64 + 1 + i64::from(col == 1));
    }

    /// Deleting any entry is detected at the entry that now sits in its place (or as truncation).
    #[test]
    fn deletion_is_pinpointed(muts in prop::collection::vec(mutation(), 1..40), pick in any::<prop::sample::Index>()) {
        let mut c = build("tenant-a", &muts);
        let head = (c.len() as i64, c.last().unwrap().hash);
        let i = pick.index(c.len());
        c.remove(i);
        let err = verify_chain("tenant-a", &c, Some(head), Some(&key())).unwrap_err();
        prop_assert_eq!(err.seq, i as i64 + if i == c.len() { 1 } else { 2 });
        if i == c.len() {
            let is_truncated = matches!(err.problem, ChainProblem::Truncated { .. });
            prop_assert!(is_truncated);
        }
    }

    /// Swapping two entries is detected at the earlier position.
    #[test]
    fn reordering_is_detected(muts in prop::collection::vec(mutation(), 2..40), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let mut c = build("tenant-a", &muts);
        let (i, j) = (a.index(c.len()), b.index(c.len()));
        prop_assume!(i != j);
        c.swap(i, j);
        let err = verify_chain("tenant-a", &c, None, Some(&key())).unwrap_err();
        prop_assert_eq!(err.seq, c[i.min(j)].seq);
    }

    /// Inserting a well-formed forged entry (even one with a correct own hash) is detected.
    #[test]
    fn insertion_is_detected(muts in prop::collection::vec(mutation(), 1..40), pick in any::<prop::sample::Index>()) {
        let mut c = build("tenant-a", &muts);
        let head = (c.len() as i64, c.last().unwrap().hash);
        let i = pick.index(c.len() + 1);
        let prev = if i == 0 { (0, ZERO_HASH) } else { (c[i - 1].seq, c[i - 1].hash) };
        let forged = NewEntry { at_micros: 0, actor: "mallory".into(), action: "user.create".into(), entity: "user".into(), entity_id: "m".into(), payload: "{}".into(), records_root: ZERO_HASH, record_count: 0 }.seal("tenant-a", prev, &key());
        c.insert(i, forged);
        prop_assert!(verify_chain("tenant-a", &c, Some(head), Some(&key())).is_err());
    }
}
