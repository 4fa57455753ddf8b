//! Candor's product rules, and nothing else.
//!
//! Invariants (see ARCHITECTURE.md):
//! - no IO, no clock, no randomness: time arrives as a [`Timestamp`] parameter;
//! - no wasm, `worker` or `web-sys` dependency: this crate builds and tests natively;
//! - every value that crosses the wire is parsed into a newtype here, so an
//!   invalid value cannot exist past the edge;
//! - no HTML: the dashboard's and the acknowledge link's pages live in
//!   `candor-pages` (`edge/pages/`), which draws the plain data the rules
//!   here produce (the inbox order, the insights figures, the parsed
//!   forms). The only escaping here is each chat format's, in [`render`].

pub mod access;
pub mod access_log;
pub mod ack;
pub mod acknowledgement;
pub mod admin_api;
pub mod alert;
pub mod answers;
pub mod api_keys;
mod ascii_hosts;
pub mod audit;
pub mod auth;
pub mod case;
pub mod case_view;
pub mod deadlines;
pub mod delivery;
pub mod digest;
pub mod error;
pub mod export;
pub mod fields;
pub mod fixes;
pub mod form;
pub mod inbox;
pub mod insights;
pub mod lang;
pub mod mail;
pub mod origin;
pub mod ownership;
pub mod people;
pub mod permissions;
pub mod query;
pub mod rate;
pub mod recipient;
pub mod redact;
pub mod render;
pub mod retention;
pub mod session;
pub mod settings_form;
pub mod sign_in;
pub mod site;
pub mod site_move;
pub mod sla;
pub mod submission;
pub mod tier;
pub mod time;
pub mod webhook;
pub mod widget_settings;
pub mod wire;
pub mod wording;

pub use error::DomainError;
pub use submission::{Contact, Context, RawSubmission, Reply, Submission};
pub use tier::Tier;
pub use time::Timestamp;
