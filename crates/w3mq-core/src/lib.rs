//! The Web3MQ client engine, with no Tauri in it: account and keys, the MQTT
//! session, the REST client, the SQLite cache, the outbox, sync and search.
//!
//! The shell creates one [`Engine`], listens to [`Engine::events`], and calls
//! its methods; every count, order and send status is computed here.

pub(crate) mod account;
pub mod accounts;
pub mod backoff;
pub mod backup;
pub mod cache;
pub(crate) mod changes;
pub mod channel;
pub mod channel_view;
pub mod channels;
pub mod claims;
pub mod confirm;
pub mod drafts;
pub mod engine;
pub mod env;
pub mod error;
pub mod events;
pub(crate) mod ingest;
pub mod install;
pub mod key;
pub mod markup;
pub mod message_actions;
pub mod model;
pub mod opensea;
pub mod policy;
pub mod present;
pub mod presenter;
pub mod profile;
pub(crate) mod reads;
pub mod rest;
pub mod secrets;
pub(crate) mod sync;
pub mod tls;
pub(crate) mod token;
pub mod typing;
pub mod view;
pub mod wallet;

pub use engine::{AccountInfo, Draft, Engine, EngineConfig};
pub use env::{EnvKind, Environment};
pub use error::{CoreError, Result};
pub use events::{ConnectionState, Event};
pub use key::Key;
pub use sync::progress::CatchUp;
