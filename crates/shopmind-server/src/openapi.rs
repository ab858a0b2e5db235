//! The OpenAPI 3.1 document of the API, served at `/openapi.json` and
//! browsable at `/docs` (Swagger UI, bundled in the binary: nothing is
//! fetched at run time).
//!
//! Operations are collected from the handlers' `#[utoipa::path]`
//! annotations by the router itself (`utoipa_axum`), so a route cannot be
//! served without being documented. [`ApiDoc`] adds what the handlers do not
//! say one by one: the bearer-key security scheme and the error answers that
//! every authenticated route can give (each a problem document).

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi as _};

/// The document's fixed parts.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "shopmind",
        description = "Models as a service for retail: catalog, users, events and sales in; recommendations and prices out, from versioned models that are trained, activated and rolled back without downtime. Every error is an RFC 9457 problem document.",
        license(name = "Apache-2.0")
    ),
    modifiers(&Common),
    security(("api_key" = [])),
    tags(
        (name = "health", description = "Probes and metrics (no key needed)"),
        (name = "catalog", description = "Items"),
        (name = "users", description = "Users and the privacy delete"),
        (name = "events", description = "Interaction events"),
        (name = "recommendations", description = "Answers of the active recommendation model"),
        (name = "pricing", description = "Demand response and recommended prices from the active pricing model; price prediction"),
        (name = "forecast", description = "Demand forecasts from the active forecast model; replenishment plan and policy simulation"),
        (name = "assistant", description = "Customer-service chat: intents, FAQ answers, order and product look-ups, handoff"),
        (name = "models", description = "Registry, training jobs, activation and rollback (admin)")
    )
)]
pub struct ApiDoc;

/// The document a router starts from.
pub fn base() -> OpenApi {
    ApiDoc::openapi()
}

/// Adds the security scheme and the shared error answers.
struct Common;

/// Error answers any authenticated route may give, unless the handler
/// documents its own for that status.
const SHARED_ERRORS: &[(&str, &str)] = &[
    (
        "400",
        "Unparsable body or query, unknown query parameter (`bad_request`)",
    ),
    (
        "401",
        "No key, or an unknown or revoked one (`unauthorized`)",
    ),
    ("403", "The key's scope is too small (`forbidden`)"),
    (
        "422",
        "A field breaks a rule; `errors` names each one (`validation_failed`)",
    ),
    (
        "503",
        "Timed out (`timeout`), or not ready (`not_ready`, with `Retry-After`)",
    ),
    ("500", "A store failure (`internal`); the cause is logged"),
];

impl Modify for Common {
    fn modify(&self, api: &mut OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A key from `shopmind keys create --scope read|write|admin`, as `Authorization: Bearer <key>` (or `X-Api-Key: <key>`)",
                    ))
                    .build(),
            ),
        );
    }
}

/// Adds [`SHARED_ERRORS`] to every operation outside `/health` and
/// `/metrics`. Runs on the finished document (the router adds operations
/// after the [`Modify`] step).
pub fn add_shared_errors(api: &mut OpenApi) {
    for (path, item) in api.paths.paths.iter_mut() {
        if !path.starts_with("/v1/") {
            continue;
        }
        let ops: [&mut Option<Operation>; 4] = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
        ];
        for op in ops.into_iter().flatten() {
            for (status, description) in SHARED_ERRORS {
                op.responses
                    .responses
                    .entry((*status).to_owned())
                    .or_insert_with(|| problem(description).into());
            }
        }
    }
}

fn problem(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}
