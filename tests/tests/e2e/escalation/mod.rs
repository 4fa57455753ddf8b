//! Alerts after the answer: delivery through a misbehaving receiver, dead
//! letters, SLA re-escalation and acknowledge links.

mod faults;
mod sla;
