//! The managers' dashboard, rendered on the server. Every page is a maud
//! template, and maud escapes every interpolated value unless told
//! otherwise (`PreEscaped` appears only for markup built here), so customer
//! words, names and site copy render as text. Pages carry no inline script
//! or style: `/assets/dashboard.css` and `/assets/dashboard.js` are the only
//! subresources, allowed by [`CSP`].

pub mod layout;

pub use layout::{page, Chrome, Section, CSP};
