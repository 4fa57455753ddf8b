//! The harness shared by the end-to-end tests and `cargo xtask dev`: start the
//! real Worker under wrangler/workerd with a local D1, run a webhook receiver
//! on 127.0.0.1, and stop every process again — also when a test fails.

pub mod listening;
pub mod paths;
pub mod process;
pub mod receiver;
pub mod worker;

/// A free TCP port on 127.0.0.1 (the OS picks; we release it for the child).
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
