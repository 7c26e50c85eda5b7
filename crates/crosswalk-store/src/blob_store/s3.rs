//! Evidence files on S3-compatible storage (`--blob-store s3://bucket/prefix`), through the
//! `object_store` crate: AWS S3, MinIO, Ceph, moto and the like.
//!
//! Same layout and guarantees as the file store: an object `PREFIX/ab/abcd…` per SHA-256, written
//! once. The hash is known only after the last byte, so a file larger than one part is streamed as a
//! multipart upload under a temp key (`PREFIX/.upload-…`) while it is hashed, then copied to its address
//! and the temp object deleted. At most [`PARTS_IN_FLIGHT`] parts of [`PART_SIZE`] are in memory at
//! once, whatever the file's size. A smaller file is hashed in memory and put straight at its address.
//! An upload that fails or is dropped aborts its multipart upload and deletes its temp object, so
//! nothing appears at any content address; a crash can leave a temp object (removed by upkeep after
//! the grace period) or an incomplete multipart upload (invisible; a bucket lifecycle rule
//! `AbortIncompleteMultipartUpload` removes those, see the README).
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::StreamExt as _;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt as _, RetryConfig, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::{BlobError, BlobReader, PutBlob, StoredFile, TEMP_PREFIX, is_sha256};

/// Size of one multipart part: S3 requires at least 5 MiB for every part but the last.
pub const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts uploading at once; with the part being filled, this bounds an upload's memory.
pub const PARTS_IN_FLIGHT: usize = 2;

/// Where and how to reach the bucket. `Debug` never shows the secret key.
#[derive(Clone, Default)]
pub struct S3Settings {
    pub bucket: String,
    /// Key prefix inside the bucket, without slashes at either end ("" for the bucket's root).
    pub prefix: String,
    /// `http(s)://host:port` of an S3-compatible server; `None` for AWS itself.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl S3Settings {
    /// Bucket and prefix from `s3://bucket/prefix`; the query may name `endpoint` and `region`
    /// (credentials never come from the URL: it shows up in process lists and logs).
    pub fn from_url(url: &str) -> Result<Self, BlobError> {
        let bad = |why: &str| BlobError::Config(format!("blob store '{url}': {why} (expected s3://bucket/prefix)"));
        // Checked on the raw text: URL parsing would resolve `..` away.
        let raw_path = url.split('?').next().unwrap_or(url);
        if raw_path.split('/').any(|part| part == "." || part == "..") {
            return Err(bad("the prefix may not contain . or .."));
        }
        let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        if parsed.scheme() != "s3" {
            return Err(bad("not an s3:// URL"));
        }
        let bucket = parsed.host_str().filter(|b| !b.is_empty()).ok_or_else(|| bad("no bucket"))?.to_owned();
        let prefix = parsed.path().trim_matches('/').to_owned();
        let mut settings = Self { bucket, prefix, ..Self::default() };
        for (key, value) in parsed.query_pairs() {
            match &*key {
                "endpoint" => settings.endpoint = Some(value.into_owned()),
                "region" => settings.region = Some(value.into_owned()),
                other => return Err(bad(&format!("unknown option '{other}' (endpoint and region are known)"))),
            }
        }
        Ok(settings)
    }

    /// `s3://bucket/prefix`, for messages.
    pub fn url(&self) -> String {
        if self.prefix.is_empty() { format!("s3://{}", self.bucket) } else { format!("s3://{}/{}", self.bucket, self.prefix) }
    }
}

/// Evidence files in an S3 bucket.
#[derive(Debug, Clone)]
pub struct S3BlobStore {
    store: Arc<AmazonS3>,
    /// The key prefix every object of ours lives under (empty: the bucket's root).
    prefix: ObjectPath,
    url: String,
}

impl S3BlobStore {
    /// A client for the bucket; nothing is contacted yet (a down endpoint shows at the first use).
    pub fn new(settings: &S3Settings) -> Result<Self, BlobError> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(settings.region.clone().unwrap_or_else(|| "us-east-1".into()))
            // A down store must fail an upload within seconds, not after the default three minutes.
            .with_retry(RetryConfig { max_retries: 3, retry_timeout: Duration::from_secs(20), ..RetryConfig::default() })
            .with_client_options(ClientOptions::new().with_connect_timeout(Duration::from_secs(5)));
        if let Some(endpoint) = &settings.endpoint {
            // Path-style requests (`endpoint/bucket/key`, the builder's default) work with MinIO and moto;
            // plain http only when the operator named an http:// endpoint.
            builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
        }
        if let (Some(id), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
            builder = builder.with_access_key_id(id).with_secret_access_key(secret);
            if let Some(token) = &settings.session_token {
                builder = builder.with_token(token);
            }
        }
        let store = builder.build().map_err(|e| BlobError::Config(format!("blob store {}: {e}", settings.url())))?;
        let prefix = ObjectPath::parse(&settings.prefix).map_err(|e| BlobError::Config(format!("blob store {}: {e}", settings.url())))?;
        Ok(Self { store: Arc::new(store), prefix, url: settings.url() })
    }

    /// `s3://bucket/prefix`.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn key(&self, sha256: &str) -> ObjectPath {
        let folder = sha256.get(..2).unwrap_or("__");
        self.prefix.clone().join(folder).join(sha256)
    }

    fn failed(&self, e: object_store::Error) -> BlobError {
        store_error(&self.url, &e)
    }

    /// Stream `reader` into the bucket (see the module documentation).
    pub async fn put(&self, mut reader: impl AsyncRead + Unpin) -> Result<PutBlob, BlobError> {
        let mut hasher = Sha256::new();
        let mut first = Vec::with_capacity(64 * 1024);
        // The first part decides: a file that fits is put in one request at its address.
        let mut size = fill(&mut reader, &mut first, PART_SIZE).await?;
        hasher.update(&first);
        if size == 0 {
            return Err(BlobError::Empty);
        }
        if first.len() < PART_SIZE {
            let sha256 = hex::encode(hasher.finalize());
            let target = self.key(&sha256);
            if self.exists(&target).await? {
                return Ok(PutBlob { sha256, size, created: false });
            }
            self.store.put(&target, first.into()).await.map_err(|e| self.failed(e))?;
            return Ok(PutBlob { sha256, size, created: true });
        }

        let temp = self.prefix.clone().join(format!("{TEMP_PREFIX}{}", uuid::Uuid::now_v7()));
        let upload = self.store.put_multipart(&temp).await.map_err(|e| self.failed(e))?;
        let mut guard = PartialUpload {
            store: self.store.clone(),
            upload: Some(WriteMultipart::new_with_chunk_size(upload, PART_SIZE)),
            temp: Some(temp.clone()),
        };
        let writer = guard.upload.as_mut().ok_or_else(|| BlobError::Interrupted("upload already finished".into()))?;
        writer.put(first.into());
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = reader.read(&mut buffer).await.map_err(|e| BlobError::Interrupted(e.to_string()))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            // Back pressure: wait for a part to finish before buffering more than PARTS_IN_FLIGHT.
            writer.wait_for_capacity(PARTS_IN_FLIGHT).await.map_err(|e| store_error(&self.url, &e))?;
            writer.write(&buffer[..n]);
            size += n as u64;
        }
        if let Some(writer) = guard.upload.take() {
            writer.finish().await.map_err(|e| self.failed(e))?;
        }
        let sha256 = hex::encode(hasher.finalize());
        let target = self.key(&sha256);
        let mut created = false;
        // Identical content is stored once (the guard deletes the temp object either way).
        if !self.exists(&target).await? {
            self.store.copy(&temp, &target).await.map_err(|e| self.failed(e))?;
            created = true;
        }
        if let Some(temp) = guard.temp.take() {
            // A failure here leaves only a temp object, which upkeep removes after the grace period.
            if let Err(e) = self.store.delete(&temp).await {
                tracing::warn!(key = %temp, error = %e, "cannot delete an upload's temp object");
            }
        }
        Ok(PutBlob { sha256, size, created })
    }

    async fn exists(&self, key: &ObjectPath) -> Result<bool, BlobError> {
        match self.store.head(key).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.failed(e)),
        }
    }

    /// The object's content as a stream of bytes.
    pub async fn open(&self, sha256: &str) -> Result<BlobReader, BlobError> {
        let got = match self.store.get(&self.key(sha256)).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Err(BlobError::NotFound { sha256: sha256.to_owned() }),
            Err(e) => return Err(self.failed(e)),
        };
        let stream = got.into_stream().map(|chunk| chunk.map_err(std::io::Error::other));
        Ok(Box::pin(tokio_util::io::StreamReader::new(stream)))
    }

    pub async fn remove(&self, sha256: &str) -> Result<(), BlobError> {
        self.store.delete(&self.key(sha256)).await.map_err(|e| self.failed(e))
    }

    /// Temp objects (`PREFIX/.upload-*`) older than `grace`, by name.
    pub async fn stale_temp_files(&self, now: SystemTime, grace: Duration) -> Result<Vec<String>, BlobError> {
        let listed = self.store.list_with_delimiter(Some(&self.prefix)).await.map_err(|e| self.failed(e))?;
        let cutoff = chrono::DateTime::<chrono::Utc>::from(now) - chrono::Duration::from_std(grace).unwrap_or_default();
        Ok(listed
            .objects
            .into_iter()
            .filter(|o| o.last_modified <= cutoff)
            .filter_map(|o| o.location.filename().filter(|n| n.starts_with(TEMP_PREFIX)).map(str::to_owned))
            .collect())
    }

    pub async fn remove_temp(&self, name: &str) -> Result<(), BlobError> {
        self.store.delete(&self.prefix.clone().join(name)).await.map_err(|e| self.failed(e))
    }

    /// Every evidence object `PREFIX/ab/<sha256>`; other keys are not ours and are never listed.
    pub async fn files(&self) -> Result<Vec<StoredFile>, BlobError> {
        let depth = self.prefix.parts_count();
        let mut listing = self.store.list(Some(&self.prefix));
        let mut found = Vec::new();
        while let Some(object) = listing.next().await {
            let object = object.map_err(|e| self.failed(e))?;
            let parts: Vec<String> = object.location.parts().skip(depth).map(|p| p.as_ref().to_owned()).collect();
            if let [folder, name] = parts.as_slice()
                && is_sha256(name)
                && name.starts_with(folder.as_str())
                && folder.len() == 2
            {
                found.push(StoredFile { sha256: name.clone(), size: object.size, modified: object.last_modified.into() });
            }
        }
        Ok(found)
    }
}

/// Reads until `limit` bytes are in `buf` or the reader ends; returns how many were read.
async fn fill(reader: &mut (impl AsyncRead + Unpin), buf: &mut Vec<u8>, limit: usize) -> Result<u64, BlobError> {
    let mut chunk = vec![0u8; 64 * 1024];
    while buf.len() < limit {
        let want = chunk.len().min(limit - buf.len());
        let n = reader.read(&mut chunk[..want]).await.map_err(|e| BlobError::Interrupted(e.to_string()))?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(buf.len() as u64)
}

/// Aborts the multipart upload and deletes the temp object on every way out but success, including
/// when the future is dropped (the client went away): the clean-up then runs as its own task.
struct PartialUpload {
    store: Arc<AmazonS3>,
    upload: Option<WriteMultipart>,
    temp: Option<ObjectPath>,
}

impl Drop for PartialUpload {
    fn drop(&mut self) {
        let (upload, temp) = (self.upload.take(), self.temp.take());
        if upload.is_none() && temp.is_none() {
            return;
        }
        let store = self.store.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Some(upload) = upload
                    && let Err(e) = upload.abort().await
                {
                    tracing::warn!(error = %e, "cannot abort an interrupted multipart upload");
                }
                if let Some(temp) = temp {
                    let _ = store.delete(&temp).await;
                }
            });
        }
    }
}

/// One line for an S3 failure: a store that cannot be reached is named as such.
fn store_error(url: &str, e: &object_store::Error) -> BlobError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut innermost = e.to_string();
    let mut network = false;
    while let Some(s) = source {
        if s.downcast_ref::<std::io::Error>().is_some() {
            network = true;
        }
        innermost = s.to_string();
        source = s.source();
    }
    let text = e.to_string();
    if network || text.contains("error sending request") || text.contains("timed out") {
        BlobError::Unreachable { store: url.to_owned(), message: innermost }
    } else {
        BlobError::Store { store: url.to_owned(), message: text }
    }
}

/// Tests against an S3-compatible server (moto in CI): the endpoint `CROSSWALK_TEST_S3_ENDPOINT` names,
/// if any (`scripts/test.sh` sets it whenever moto is installed, and CI installs it).
#[cfg(feature = "testing")]
pub fn test_endpoint() -> Option<String> {
    #[allow(clippy::disallowed_methods)] // test harness configuration, not product configuration
    std::env::var("CROSSWALK_TEST_S3_ENDPOINT").ok().filter(|s| !s.is_empty())
}

/// Settings for a fresh prefix in the bucket `crosswalk-test` at [`test_endpoint`], created if
/// missing; `None` without a test endpoint.
#[cfg(feature = "testing")]
pub async fn test_settings() -> Option<S3Settings> {
    let endpoint = test_endpoint()?.trim_end_matches('/').to_owned();
    let bucket = "crosswalk-test";
    create_bucket(&endpoint, bucket).await;
    Some(S3Settings {
        bucket: bucket.into(),
        prefix: format!("t-{}", uuid::Uuid::now_v7().simple()),
        endpoint: Some(endpoint),
        region: Some("us-east-1".into()),
        // moto accepts any credentials; they must be present so no other source is tried.
        access_key_id: Some("testing".into()),
        secret_access_key: Some("testing".into()),
        session_token: None,
    })
}

/// `PUT /bucket` over plain HTTP (moto does not check signatures); an existing bucket is fine.
#[cfg(feature = "testing")]
#[allow(clippy::unwrap_used)] // test support: a server that is not there should fail the test loudly
async fn create_bucket(endpoint: &str, bucket: &str) {
    use tokio::io::AsyncWriteExt as _;
    let host = endpoint.trim_start_matches("http://");
    let mut stream =
        tokio::net::TcpStream::connect(host).await.unwrap_or_else(|e| panic!("CROSSWALK_TEST_S3_ENDPOINT={endpoint} does not answer: {e}"));
    let request = format!("PUT /{bucket} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200") || response.contains("BucketAlreadyOwnedByYou"),
        "cannot create the test bucket: {response}"
    );
}
