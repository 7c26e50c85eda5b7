//! Auditor packs end to end: a pack built from the demo organisation verifies offline with the
//! installation's key, and every way of changing it is caught and named (a byte of an evidence file, a
//! removed or added file, reordered entries, a record value, another signing key); a file that is not a
//! pack is told apart. Runs on SQLite and, with CROSSWALK_TEST_DATABASE_URL, on PostgreSQL.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod support;

use crosswalk_journal::pack::{Manifest, PackError, verify};
use crosswalk_store::testing::TestDb;
use std::io::{Cursor, Read, Write};

struct Built {
    _db: TestDb,
    _blobs: support::world::tempdir::Dir,
    key: crosswalk_journal::SigningKey,
    bytes: Vec<u8>,
}

async fn built() -> Built {
    let (db, blobs, app, op) = support::world::demo_with_files(&["policy v1", "scan report"], true).await;
    let out = blobs.0.join("pack.zip");
    let b = app.build_pack(&op, "iso27001-2022", std::fs::File::create(&out).unwrap()).await.unwrap();
    assert_eq!(b.evidence_files, 2);
    assert!(b.records > 20, "{b:?}");
    let bytes = std::fs::read(&out).unwrap();
    Built { key: db.key.clone(), _db: db, _blobs: blobs, bytes }
}

/// Copy the zip, letting `edit` change or drop (None) each member, then add `extra` members.
fn rewrite(src: &[u8], mut edit: impl FnMut(&str, Vec<u8>) -> Option<Vec<u8>>, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(Cursor::new(src)).unwrap();
    let mut zout = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().to_owned();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if let Some(b) = edit(&name, bytes) {
            zout.start_file(&name, zip::write::SimpleFileOptions::default()).unwrap();
            zout.write_all(&b).unwrap();
        }
    }
    for (name, b) in extra {
        zout.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        zout.write_all(b).unwrap();
    }
    zout.finish().unwrap().into_inner()
}

fn tampered(bytes: &[u8], key: &crosswalk_journal::SigningKey) -> String {
    match verify(Cursor::new(bytes), Some(&key.verifying_key())) {
        Err(PackError::Tampered(m)) => m,
        other => panic!("expected tampering to be found, got {other:?}"),
    }
}

/// Re-sign a changed manifest with `key` (an insider holding the key, or a forger with their own).
fn resign(manifest: &Manifest, key: &crosswalk_journal::SigningKey) -> (Vec<u8>, Vec<u8>) {
    use ed25519_dalek::Signer;
    use sha2::Digest;
    let mut m = manifest.clone();
    m.public_key = hex::encode(key.verifying_key().as_bytes());
    let bytes = serde_json::to_vec_pretty(&m).unwrap();
    let mut h = sha2::Sha256::new();
    h.update(b"crosswalk-pack-manifest-v1\0");
    h.update(&bytes);
    let digest: [u8; 32] = h.finalize().into();
    (bytes, hex::encode(key.sign(&digest).to_bytes()).into_bytes())
}

fn member(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    z.by_name(name).unwrap().read_to_end(&mut out).unwrap();
    out
}

#[tokio::test]
async fn a_pack_verifies_offline_and_every_change_is_named() {
    let b = built().await;
    let s = verify(Cursor::new(&b.bytes), Some(&b.key.verifying_key())).unwrap();
    assert_eq!(s.framework, "iso27001-2022@2022");
    assert_eq!(s.evidence_files, 2);
    let html = String::from_utf8(member(&b.bytes, "index.html")).unwrap();
    assert!(html.contains("Auditor pack") && !html.contains("<script"), "readable offline, no scripts");

    let manifest: Manifest = serde_json::from_slice(&member(&b.bytes, "manifest.json")).unwrap();
    let evidence = manifest.files.iter().find(|f| f.path.starts_with("evidence/")).unwrap().path.clone();

    // One byte of an evidence file.
    let changed = rewrite(
        &b.bytes,
        |n, mut bytes| {
            if n == evidence {
                bytes[0] ^= 1;
            }
            Some(bytes)
        },
        &[],
    );
    assert!(tampered(&changed, &b.key).contains(&format!("file {evidence} was changed")));
    // A file removed, a file added.
    let removed = rewrite(&b.bytes, |n, bytes| (n != "records.json").then_some(bytes), &[]);
    assert_eq!(tampered(&removed, &b.key), "file records.json is missing");
    let added = rewrite(&b.bytes, |_, bytes| Some(bytes), &[("evidence/extra.pdf", b"not listed")]);
    assert!(tampered(&added, &b.key).contains("file evidence/extra.pdf was added"));
    // Entries reordered, even with the manifest re-signed by the installation's own key: the chain breaks.
    let mut entries: Vec<serde_json::Value> = serde_json::from_slice(&member(&b.bytes, "journal/entries.json")).unwrap();
    entries.swap(1, 2);
    let entries_bytes = serde_json::to_vec_pretty(&entries).unwrap();
    let mut m2 = manifest.clone();
    let f = m2.files.iter_mut().find(|f| f.path == "journal/entries.json").unwrap();
    f.sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&entries_bytes));
    f.size = entries_bytes.len() as u64;
    let (mb, sig) = resign(&m2, &b.key);
    let reordered = rewrite(
        &b.bytes,
        |n, bytes| match n {
            "journal/entries.json" => Some(entries_bytes.clone()),
            "manifest.json" => Some(mb.clone()),
            "manifest.sig" => Some(sig.clone()),
            _ => Some(bytes),
        },
        &[],
    );
    assert!(tampered(&reordered, &b.key).contains("out of order"), "{}", tampered(&reordered, &b.key));
    // A record's value changed (manifest re-signed with the key): its hash no longer matches.
    let mut records: Vec<serde_json::Value> = serde_json::from_slice(&member(&b.bytes, "records.json")).unwrap();
    let victim = records.iter_mut().find(|r| r["table"] == "evidence").unwrap();
    let cells = victim["cells"].as_array_mut().unwrap();
    let vu = cells.iter_mut().find(|c| c[0] == "valid_until").unwrap();
    vu[1] = serde_json::json!({"t": "date", "v": "2099-12-31"});
    let records_bytes = serde_json::to_vec_pretty(&records).unwrap();
    let mut m3 = manifest.clone();
    let f = m3.files.iter_mut().find(|f| f.path == "records.json").unwrap();
    f.sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&records_bytes));
    f.size = records_bytes.len() as u64;
    let (mb, sig) = resign(&m3, &b.key);
    let forged_record = rewrite(
        &b.bytes,
        |n, bytes| match n {
            "records.json" => Some(records_bytes.clone()),
            "manifest.json" => Some(mb.clone()),
            "manifest.sig" => Some(sig.clone()),
            _ => Some(bytes),
        },
        &[],
    );
    assert!(tampered(&forged_record, &b.key).contains("do not hash to the recorded hash"));
    // Re-signed by another key: refused against the trusted key, and even without one the checkpoint
    // inside was signed by the installation, not the forger.
    let other = crosswalk_journal::generate_signing_key();
    let (mb, sig) = resign(&manifest, &other);
    let foreign = rewrite(
        &b.bytes,
        |n, bytes| match n {
            "manifest.json" => Some(mb.clone()),
            "manifest.sig" => Some(sig.clone()),
            _ => Some(bytes),
        },
        &[],
    );
    assert!(tampered(&foreign, &b.key).contains("not the trusted key"));
    assert!(matches!(verify(Cursor::new(&foreign), None), Err(PackError::Tampered(m)) if m.contains("checkpoint")));

    // Not a pack at all.
    let truncated = &b.bytes[..b.bytes.len() / 2];
    assert!(matches!(verify(Cursor::new(truncated), None), Err(PackError::NotAPack(_))));
    assert!(matches!(verify(Cursor::new(b"%PDF-1.7 not a zip".as_slice()), None), Err(PackError::NotAPack(_))));
    let other_zip = rewrite(&b.bytes, |n, bytes| (n != "manifest.json").then_some(bytes), &[]);
    assert!(matches!(verify(Cursor::new(&other_zip), None), Err(PackError::NotAPack(_))));
}
