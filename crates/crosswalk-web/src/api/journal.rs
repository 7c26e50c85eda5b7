//! `/api/v1/journal`: entries, verification, the instance's public key.
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult, Problem};
use crate::params::Int;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use crosswalk_app::journal::{EntryView, VerifyReport};
use crosswalk_journal::Checkpoint;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntriesQuery {
    /// Only entries with a sequence number below this (for paging backwards).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 9_223_372_036_854_775_807_i64)]
    pub before: Option<Int<1, { i64::MAX }>>,
    /// At most this many entries (1–500, default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<Int<1, 500>>,
}

#[utoipa::path(get, path = "/api/v1/journal/entries", tag = "journal", params(EntriesQuery),
    responses((status = 200, body = [EntryView], description = "Newest first"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_entries(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<EntriesQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Vec<EntryView>>> {
    let Query(q) = q.map_err(super::query_problem)?;
    Ok(Json(s.app.journal_entries(&actor, q.before.map(Int::get), q.limit.map_or(50, Int::unsigned)).await?))
}

#[utoipa::path(get, path = "/api/v1/journal/entries/{seq}", tag = "journal", params(("seq" = i64, Path, description = "Sequence number")),
    responses((status = 200, body = EntryView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_entry(State(s): State<AppState>, ApiActor(actor): ApiActor, Path(seq): Path<String>) -> Result<Json<EntryView>, Response> {
    let seq: i64 = super::parse_id("seq", &seq).map_err(IntoResponse::into_response)?;
    s.app.journal_entry(&actor, seq).await.map(Json).map_err(|e| ApiError(e).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// Also re-hash every live row and evidence file and compare each with the journal.
    pub deep: Option<bool>,
}

#[utoipa::path(post, path = "/api/v1/journal/verify", tag = "journal", params(VerifyQuery),
    responses((status = 200, body = VerifyReport, description = "`ok` false names the first bad entry, and (deep) every row or file that differs"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn verify(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<VerifyQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<VerifyReport>> {
    let Query(q) = q.map_err(super::query_problem)?;
    Ok(Json(s.app.verify_journal_with(&actor, true, q.deep.unwrap_or(false)).await?))
}

#[utoipa::path(post, path = "/api/v1/journal/checkpoint", tag = "journal",
    responses((status = 200, body = Checkpoint, description = "The latest signed checkpoint (one is signed at the head first when needed); keep it to detect later rewrites"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem, description = "The journal does not verify")))]
pub async fn export_checkpoint(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Checkpoint>> {
    Ok(Json(s.app.export_checkpoint(&actor).await?))
}

#[utoipa::path(post, path = "/api/v1/journal/checkpoint/verify", tag = "journal", request_body = Checkpoint,
    responses((status = 200, body = crosswalk_app::journal::CheckpointCheck, description = "`ok` false names the rewrite or truncation"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn verify_checkpoint(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    body: crate::json::PermittedJson<crate::json::needs::VerifyJournal, Checkpoint>,
) -> ApiResult<Json<crosswalk_app::journal::CheckpointCheck>> {
    Ok(Json(s.app.verify_against_checkpoint(&actor, &body.0).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicKey {
    pub algorithm: &'static str,
    /// Raw 32-byte key, hex.
    pub hex: String,
    /// SubjectPublicKeyInfo PEM.
    pub pem: String,
}

#[utoipa::path(get, path = "/api/v1/journal/public-key", tag = "journal",
    responses((status = 200, body = PublicKey, description = "The key that signs checkpoints"), (status = 401, body = Problem)))]
pub async fn public_key(State(s): State<AppState>, ApiActor(_actor): ApiActor) -> ApiResult<Json<PublicKey>> {
    Ok(Json(PublicKey { algorithm: "ed25519", hex: hex::encode(s.app.verifying_key().as_bytes()), pem: s.app.public_key_pem()? }))
}
