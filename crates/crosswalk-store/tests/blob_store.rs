//! The blob store's contract, run against every backend: the local file store always, and S3 when
//! `CROSSWALK_TEST_S3_ENDPOINT` names an S3-compatible server (moto in CI, started by
//! `scripts/test.sh`). Plus the S3 failure modes: a down endpoint, a dropped upload.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use crosswalk_store::blob_store::{BlobError, BlobStore, FileBlobStore, S3BlobStore, S3Settings, s3};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

/// Every backend to test, each on fresh, empty storage.
async fn stores() -> Vec<BlobStore> {
    let dir = std::env::temp_dir().join(format!("cw-blob-store-{}", uuid::Uuid::now_v7()));
    let mut all = vec![BlobStore::File(FileBlobStore::new(dir))];
    match s3::test_settings().await {
        Some(settings) => all.push(BlobStore::S3(S3BlobStore::new(&settings).unwrap())),
        None => eprintln!("CROSSWALK_TEST_S3_ENDPOINT is not set: the S3 backend is not tested here"),
    }
    all
}

/// `len` bytes of a repeatable pattern, produced as read (a large file without holding it).
struct Pattern {
    left: u64,
    counter: u64,
    /// Fail with this error once this many bytes are left (a client that goes away).
    fail_at: Option<u64>,
}

impl Pattern {
    fn new(len: u64) -> Self {
        Self { left: len, counter: 0, fail_at: None }
    }
}

impl AsyncRead for Pattern {
    fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        if self.fail_at.is_some_and(|at| self.left <= at) {
            return Poll::Ready(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "client went away")));
        }
        let n = (buf.remaining() as u64).min(self.left).min(100_000) as usize;
        for _ in 0..n {
            self.counter = self.counter.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            buf.put_slice(&[(self.counter >> 56) as u8]);
        }
        self.left -= n as u64;
        Poll::Ready(Ok(()))
    }
}

async fn sha_of(mut reader: impl AsyncRead + Unpin) -> (String, u64) {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0;
    loop {
        let n = reader.read(&mut buf).await.unwrap();
        if n == 0 {
            return (hex::encode(h.finalize()), size);
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
}

#[tokio::test]
async fn a_file_goes_in_by_its_hash_comes_back_whole_and_is_stored_once() {
    for store in stores().await {
        let name = store.describe();
        let put = store.put(&b"scan of 2026-11-20: 0 critical findings"[..]).await.unwrap();
        assert_eq!(put.sha256, hex::encode(Sha256::digest(b"scan of 2026-11-20: 0 critical findings")), "{name}");
        assert!(put.created, "{name}");
        let again = store.put(&b"scan of 2026-11-20: 0 critical findings"[..]).await.unwrap();
        assert_eq!((again.sha256.as_str(), again.created), (put.sha256.as_str(), false), "{name}: identical content is stored once");
        let mut back = String::new();
        store.open(&put.sha256).await.unwrap().read_to_string(&mut back).await.unwrap();
        assert_eq!(back, "scan of 2026-11-20: 0 critical findings", "{name}");
        let files = store.files().await.unwrap();
        assert_eq!(files.len(), 1, "{name}: {files:?}");
        assert_eq!((files[0].sha256.as_str(), files[0].size), (put.sha256.as_str(), 39), "{name}");
        assert!(SystemTime::now().duration_since(files[0].modified).unwrap_or_default() < Duration::from_secs(600), "{name}");
        store.remove(&put.sha256).await.unwrap();
        assert!(matches!(store.open(&put.sha256).await, Err(BlobError::NotFound { .. })), "{name}");
        assert!(store.files().await.unwrap().is_empty(), "{name}");
    }
}

#[tokio::test]
async fn a_large_file_is_streamed_in_parts_and_leaves_no_temp_file() {
    // Three S3 parts and a bit: the multipart path, with back pressure.
    let len = 3 * s3::PART_SIZE as u64 + 12_345;
    let (expected, _) = sha_of(Pattern::new(len)).await;
    for store in stores().await {
        let name = store.describe();
        let put = store.put(Pattern::new(len)).await.unwrap();
        assert_eq!((put.sha256.as_str(), put.size, put.created), (expected.as_str(), len, true), "{name}");
        assert_eq!(sha_of(store.open(&expected).await.unwrap()).await, (expected.clone(), len), "{name}");
        let again = store.put(Pattern::new(len)).await.unwrap();
        assert!(!again.created, "{name}");
        let far_future = SystemTime::now() + Duration::from_secs(3600);
        assert!(store.stale_temp_files(far_future, Duration::ZERO).await.unwrap().is_empty(), "{name}: temp files left");
        assert_eq!(store.files().await.unwrap().len(), 1, "{name}");
    }
}

#[tokio::test]
async fn an_empty_file_is_refused_and_nothing_is_stored() {
    for store in stores().await {
        let name = store.describe();
        assert!(matches!(store.put(&b""[..]).await, Err(BlobError::Empty)), "{name}");
        assert!(store.files().await.unwrap().is_empty(), "{name}");
    }
}

#[tokio::test]
async fn an_interrupted_upload_leaves_nothing_at_any_address() {
    for (len, fail_at) in [(1000, 500), (2 * s3::PART_SIZE as u64 + 10, 100)] {
        for store in stores().await {
            let name = store.describe();
            let reader = Pattern { fail_at: Some(fail_at), ..Pattern::new(len) };
            let err = store.put(reader).await.unwrap_err();
            assert!(matches!(err, BlobError::Interrupted(_)), "{name}: {err}");
            // The multipart upload is aborted by a task of its own; give it a moment.
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert!(store.files().await.unwrap().is_empty(), "{name}");
            let far_future = SystemTime::now() + Duration::from_secs(3600);
            assert!(store.stale_temp_files(far_future, Duration::ZERO).await.unwrap().is_empty(), "{name}");
        }
    }
}

#[tokio::test]
async fn stale_temp_files_are_listed_after_the_grace_period_and_removed() {
    for store in stores().await {
        let name = store.describe();
        // What a crash between the upload and its copy leaves: a temp object beside the files.
        let temp = format!("{}crashed", crosswalk_store::blob_store::TEMP_PREFIX);
        match &store {
            BlobStore::File(f) => {
                std::fs::create_dir_all(f.dir()).unwrap();
                std::fs::write(f.dir().join(&temp), b"partial").unwrap();
            }
            BlobStore::S3(_) => {
                let settings = store_settings(&store);
                raw_put(&settings, &temp, b"partial").await;
            }
        }
        assert!(store.stale_temp_files(SystemTime::now(), Duration::from_secs(3600)).await.unwrap().is_empty(), "{name}: young");
        let later = SystemTime::now() + Duration::from_secs(7200);
        assert_eq!(store.stale_temp_files(later, Duration::from_secs(3600)).await.unwrap(), vec![temp.clone()], "{name}");
        assert!(store.files().await.unwrap().is_empty(), "{name}: a temp file is not evidence");
        store.remove_temp(&temp).await.unwrap();
        assert!(store.stale_temp_files(later, Duration::ZERO).await.unwrap().is_empty(), "{name}");
        assert!(store.remove_temp("../escape").await.is_err(), "{name}");
    }
}

/// The settings of an S3 store under test (the prefix is in its URL).
fn store_settings(store: &BlobStore) -> S3Settings {
    let url = store.describe();
    let endpoint = s3::test_endpoint().unwrap();
    S3Settings { endpoint: Some(endpoint), ..S3Settings::from_url(&url).unwrap() }
}

/// An object written by hand (moto does not check signatures), as a crash would leave it.
async fn raw_put(settings: &S3Settings, name: &str, body: &[u8]) {
    use tokio::io::AsyncWriteExt as _;
    let endpoint = settings.endpoint.clone().unwrap();
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "PUT /{}/{}/{name} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        settings.bucket,
        settings.prefix,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

#[tokio::test]
async fn an_s3_endpoint_that_is_down_fails_with_a_clear_error() {
    // Port 1 on the loopback address: nothing listens there.
    let settings = S3Settings {
        endpoint: Some("http://127.0.0.1:1".into()),
        access_key_id: Some("testing".into()),
        secret_access_key: Some("testing".into()),
        ..S3Settings::from_url("s3://evidence/acme").unwrap()
    };
    let store = BlobStore::S3(S3BlobStore::new(&settings).unwrap());
    let started = std::time::Instant::now();
    let err = store.put(&b"scan"[..]).await.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, BlobError::Unreachable { .. }), "{message}");
    assert!(message.starts_with("evidence store s3://evidence/acme is unreachable: "), "{message}");
    assert!(!message.contains('\n'), "one line: {message}");
    assert!(started.elapsed() < Duration::from_secs(30), "it took {:?}", started.elapsed());
}

#[test]
fn s3_urls_are_checked_and_the_secret_never_shows() {
    let s = S3Settings::from_url("s3://evidence/acme/prod/?endpoint=http://minio:9000&region=eu-central-1").unwrap();
    assert_eq!((s.bucket.as_str(), s.prefix.as_str()), ("evidence", "acme/prod"));
    assert_eq!((s.endpoint.as_deref(), s.region.as_deref()), (Some("http://minio:9000"), Some("eu-central-1")));
    assert_eq!(S3Settings::from_url("s3://evidence").unwrap().url(), "s3://evidence");
    for bad in ["s3://", "file:///tmp", "s3://b/../x", "s3://b/p?secret=x"] {
        assert!(S3Settings::from_url(bad).is_err(), "{bad}");
    }
    let with_secret = S3Settings { secret_access_key: Some("hunter2".into()), ..s };
    assert!(!format!("{with_secret:?}").contains("hunter2"));
}
