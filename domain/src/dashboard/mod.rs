//! The managers' dashboard, rendered on the server. Every page is a maud
//! template, and maud escapes every interpolated value unless told
//! otherwise (`PreEscaped` appears only for markup built here), so customer
//! words, names and site copy render as text. Pages carry no inline script
//! or style: `/assets/dashboard.css` and `/assets/dashboard.js` are the only
//! subresources, allowed by [`CSP`].

pub mod case_page;
pub mod charts;
pub mod format;
pub mod inbox;
pub mod insights;
pub mod layout;
pub mod login;
pub mod settings;

pub use layout::{page, Chrome, Section, CSP};
