//! The managers' dashboard: the closed loop in the browser, its defences,
//! and the settings page.

mod closed_loop;
mod poll;
mod security;
mod settings;
