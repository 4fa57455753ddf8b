//! Candor's HTML pages: the managers' dashboard (sign-in, inbox, case,
//! insights with its SVG charts, settings) and the acknowledge link's
//! pages, rendered on the server.
//!
//! Invariants (see ARCHITECTURE.md):
//! - maud escapes every interpolated value; `PreEscaped` is used only for
//!   markup built in this crate, so customer words, names and site copy
//!   always render as text. The acknowledge pages, small hand-written
//!   strings, pass every value through [`html::escape`] instead;
//! - pages take plain data from `domain` (which holds every rule: the inbox
//!   order, the insights figures, the form parsers) and return HTML; they
//!   never do IO, read a clock (`now` is a parameter) or depend on
//!   `worker` or wasm, so they build and test natively;
//! - dashboard pages carry no inline script or style:
//!   `/assets/dashboard.css` and `/assets/dashboard.js` are the only
//!   subresources, allowed by [`CSP`]; the acknowledge pages' one inline
//!   style is allowed by its hash ([`html::Page::csp`]).

pub mod ack;
pub mod answers;
pub mod audit;
pub mod case;
pub mod charts;
pub mod format;
pub mod html;
pub mod inbox;
pub mod insights;
pub mod layout;
pub mod login;
pub mod mail;
pub mod more;
pub mod people;
pub mod settings;

pub use layout::{page, Chrome, Section, CSP};
