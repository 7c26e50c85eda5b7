//! JSON request bodies whose errors name the offending field (422), instead of axum's plain-text 400.
use crate::error::Problem;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

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
        let bytes = axum::body::to_bytes(req.into_body(), MAX_JSON_BYTES)
            .await
            .map_err(|_| Problem::new(StatusCode::PAYLOAD_TOO_LARGE, format!("body larger than {MAX_JSON_BYTES} bytes")))?;
        let _ = state;
        parse(&bytes).map(ApiJson)
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
