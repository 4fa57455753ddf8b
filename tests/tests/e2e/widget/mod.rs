//! The widget in real Chromium: the keyboard flow, offline and back, and
//! the pages web teams really have.

mod customer;
mod flow;
mod offline;
mod pages;
mod turnstile;
