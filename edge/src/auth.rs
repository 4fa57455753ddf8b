//! Managers' authentication: `Authorization: Bearer <ADMIN_TOKEN>` for the
//! API, or the dashboard's session cookie (`domain::session`). The token is a
//! Worker secret, compared in constant time by `domain::auth`.

use crate::error::{EdgeError, EdgeResult};
use crate::store::sessions;
use domain::auth::{bearer, secrets_match};
use domain::session::{self, Session, SessionKey};
use worker::{Env, Method, Request};

pub fn admin_token(env: &Env) -> Option<String> {
    env.secret("ADMIN_TOKEN")
        .or_else(|_| env.var("ADMIN_TOKEN"))
        .ok()
        .map(|s| s.to_string())
}

pub fn session_key(env: &Env) -> Option<SessionKey> {
    SessionKey::from_admin_token(&admin_token(env).unwrap_or_default())
}

/// A signed-in manager: who, and the session their forms are bound to.
pub struct Manager {
    pub name: String,
    pub session: Session,
    pub key: SessionKey,
}

impl Manager {
    pub fn csrf(&self) -> String {
        self.key.csrf(&self.session)
    }
}

/// The manager whose live session cookie came with `req`, if any.
pub async fn manager(req: &Request, env: &Env) -> EdgeResult<Option<Manager>> {
    let Some(key) = session_key(env) else {
        return Ok(None);
    };
    let header = req.headers().get("cookie")?.unwrap_or_default();
    let now = crate::clock::now();
    let Some(session) = session::from_cookie_header(&header).and_then(|v| key.verify(v, now))
    else {
        return Ok(None);
    };
    let db = env.d1("DB")?;
    Ok(sessions::manager(&db, &session.id, now)
        .await?
        .map(|name| Manager { name, session, key }))
}

/// 401 without credentials, 403 with a wrong token (or none configured).
/// The session cookie admits reads only: a state change through the API
/// needs the bearer token, so no page can be tricked into making one.
pub async fn require_admin(req: &Request, env: &Env) -> EdgeResult<()> {
    let header = req.headers().get("authorization")?.unwrap_or_default();
    if let Some(token) = bearer(&header) {
        let expected = admin_token(env).unwrap_or_default();
        return if secrets_match(token, &expected) {
            Ok(())
        } else {
            Err(EdgeError::Forbidden)
        };
    }
    if matches!(req.method(), Method::Get | Method::Head) && manager(req, env).await?.is_some() {
        return Ok(());
    }
    Err(EdgeError::Unauthorized)
}

/// The dev-only flag that admits loopback alert URLs.
pub fn allow_loopback(env: &Env) -> bool {
    env.var("ALLOW_LOOPBACK_WEBHOOKS")
        .is_ok_and(|v| v.to_string() == "true")
}
