//! HTTP routes: one module per resource, each with its handlers and
//! request/response types.

pub mod events;
pub mod health;
pub mod items;
pub mod models;
pub mod recommend;
pub mod users;
