//! Alerts after the answer: delivery through a misbehaving receiver, dead
//! letters, SLA re-escalation, acknowledge links and what chat may see.

mod faults;
mod privacy;
mod sla;
