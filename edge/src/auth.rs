//! Managers' authentication: `Authorization: Bearer <ADMIN_TOKEN>`, the token
//! a Worker secret, compared in constant time by `domain::auth`.

use crate::error::{EdgeError, EdgeResult};
use domain::auth::{bearer, secrets_match};
use worker::{Env, Request};

fn admin_token(env: &Env) -> Option<String> {
    env.secret("ADMIN_TOKEN")
        .or_else(|_| env.var("ADMIN_TOKEN"))
        .ok()
        .map(|s| s.to_string())
}

/// 401 without a bearer token, 403 with a wrong one (or none configured).
pub fn require_admin(req: &Request, env: &Env) -> EdgeResult<()> {
    let header = req.headers().get("authorization")?.unwrap_or_default();
    let token = bearer(&header).ok_or(EdgeError::Unauthorized)?;
    let expected = admin_token(env).unwrap_or_default();
    if secrets_match(token, &expected) {
        Ok(())
    } else {
        Err(EdgeError::Forbidden)
    }
}

/// The dev-only flag that admits loopback alert URLs.
pub fn allow_loopback(env: &Env) -> bool {
    env.var("ALLOW_LOOPBACK_WEBHOOKS")
        .is_ok_and(|v| v.to_string() == "true")
}
