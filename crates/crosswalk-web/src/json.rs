//! JSON request bodies whose errors name the offending field (422), instead of axum's plain-text 400.
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::error::Problem;
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use crosswalk_app::AppError;
use crosswalk_domain::Permission;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;

/// Like `axum::Json`, with RFC 9457 errors that say which field is wrong.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

/// Largest JSON body accepted by the API; uploads use their own streaming endpoints.
const MAX_JSON_BYTES: usize = 1 << 20;

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"));
        if !is_json {
            return Err(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "expected a JSON body (Content-Type: application/json)"));
        }
        // The route's limit (request_limits) when it is tighter than a JSON body's own.
        let max = req
            .extensions()
            .get::<crate::request_limits::BodyLimit>()
            .map_or(MAX_JSON_BYTES, |l| usize::try_from(l.0).unwrap_or(usize::MAX).min(MAX_JSON_BYTES));
        let bytes = axum::body::to_bytes(req.into_body(), max).await.map_err(|_| {
            Problem::new(StatusCode::PAYLOAD_TOO_LARGE, format!("the body is larger than this route accepts (at most {max} bytes)"))
        })?;
        let _ = state;
        parse(&bytes).map(ApiJson)
    }
}

/// A permission a route needs before its body is read (a marker type per [`Permission`]).
pub trait Needs: Send + Sync {
    const PERMISSION: Permission;
    /// What the permission is for, as in "your role does not allow {WHAT}".
    const WHAT: &'static str;
}

/// Marker types for [`PermittedJson`]: the weakest permission under which the app call could succeed
/// (the app checks the exact rule again, e.g. own tokens vs. everyone's).
pub mod needs {
    use super::{Needs, Permission};

    macro_rules! needs {
        ($($name:ident => $what:literal),* $(,)?) => {$(
            #[derive(Debug)]
            pub struct $name;
            impl Needs for $name {
                const PERMISSION: Permission = Permission::$name;
                const WHAT: &'static str = $what;
            }
        )*};
    }

    needs! {
        ManageCompliance => "changing compliance records",
        ManageIncidents => "managing incidents",
        ManageTenant => "managing the organisation",
        ManageUsers => "managing members",
        ManageOwnTokens => "creating API tokens",
        VerifyJournal => "verifying the journal",
        ReadJournal => "building an auditor pack",
    }
}

/// A JSON body read only once the caller's role allows the action: a caller without the permission
/// gets 403 whatever it sent, never a 422 or 409 about a body it may not send at all (issue 11).
/// Extract it after [`crate::auth::ApiActor`] (which answers 401 for a missing or bad credential).
#[derive(Debug)]
pub struct PermittedJson<N: Needs, T>(pub T, pub PhantomData<N>);

impl<S: Send + Sync, N: Needs, T: DeserializeOwned> FromRequest<S> for PermittedJson<N, T> {
    type Rejection = axum::response::Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let ApiActor(actor) = ApiActor::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        if !actor.can(N::PERMISSION) {
            return Err(ApiError(AppError::Forbidden(N::WHAT.into())).into_response());
        }
        let ApiJson(value) = ApiJson::from_request(Request::from_parts(parts, body), state).await.map_err(IntoResponse::into_response)?;
        Ok(PermittedJson(value, PhantomData))
    }
}

pub fn parse<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, Problem> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        // serde reports a missing field at the parent's path; name the field itself.
        let field = if let Some(rest) = message.strip_prefix("missing field `") {
            let name = rest.split('`').next().unwrap_or_default();
            if path == "." { name.to_owned() } else { format!("{path}.{name}") }
        } else if path == "." || path == "?" {
            // Unparsable JSON, not a bad field: name the body.
            "body".to_owned()
        } else {
            path
        };
        Problem::invalid(field.clone(), format!("{field}: {message}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)] // fields exist to be deserialised
    struct Body {
        email: String,
        n: u32,
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse::<Body>(&Bytes::from_static(br#"{"email":"a@b.c"}"#)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("n"));
        let e = parse::<Body>(&Bytes::from_static(br#"{"email":"a@b.c","n":"x"}"#)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("n"));
        assert_eq!(e.status, 422);
        let e = parse::<Body>(&Bytes::from_static(b"{not json")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("body"));
    }
}
