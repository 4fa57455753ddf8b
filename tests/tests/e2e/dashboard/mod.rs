//! The managers' dashboard: the closed loop in the browser, its defences,
//! and the settings page.

mod closed_loop;
mod security;
mod settings;
