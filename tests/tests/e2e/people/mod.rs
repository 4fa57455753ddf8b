//! People: signing in by a mailed one-time link (in Chromium, against the
//! mail catcher), its limits, and every dashboard route against every role.

mod access;
mod answers;
mod deadlines;
mod fixes;
mod manage;
mod ownership;
mod roles;
mod sign_in;
