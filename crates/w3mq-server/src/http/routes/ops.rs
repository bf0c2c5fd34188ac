//! Operations: health, metrics and the fallback route.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::{ok, ApiResult};
use crate::http::extract::ApiError;
use crate::http::AppState;
use crate::metrics::Metrics;

pub async fn healthz() -> ApiResult<&'static str> {
    ok("ok")
}

/// `GET /metrics` on its own listener.
pub async fn metrics(State(m): State<Arc<Metrics>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        m.render(),
    )
        .into_response()
}

/// `GET /metrics` on the REST port: only with `--metrics-token`, and only
/// to a request bearing it; otherwise there is no such route.
pub async fn metrics_with_token(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Response {
    let given = crate::http::extract::bearer(&headers).unwrap_or("");
    match &s.metrics_token {
        Some(t) if bool::from(t.as_bytes().ct_eq(given.as_bytes())) => {
            metrics(State(s.metrics.clone())).await
        }
        _ => ApiError::not_found("no such route").into_response(),
    }
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}
