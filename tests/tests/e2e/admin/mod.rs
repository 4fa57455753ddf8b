//! The managers' API: answers, cases, export and erasure; site configuration.

mod api;
mod sites;
