//! `POST /v1/responses`: its contract, a hostile corpus, and load.

mod contract;
mod corpus;
mod fixtures;
mod homes;
mod load;
mod moving;
