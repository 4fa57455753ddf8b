//! Managers' authentication: `Authorization: Bearer <ADMIN_TOKEN>` for the
//! API (automation; it signs no one into the dashboard), or the dashboard's
//! session cookie (`domain::session`), which names a person's account. The
//! token is a Worker secret, compared in constant time by `domain::auth`.

use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::Db;
use crate::store::{api_keys, sessions};
use domain::api_keys::PresentedKey;
use domain::audit::Actor;
use domain::auth::{bearer, secrets_match};
use domain::people::{Need, Person, Role};
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

/// A signed-in person: their account as it is now, and the session their
/// forms are bound to.
pub struct Manager {
    pub person: Person,
    pub session: Session,
    pub key: SessionKey,
}

impl Manager {
    pub fn csrf(&self) -> String {
        self.key.csrf(&self.session)
    }

    /// Who they are in the audit log.
    pub fn actor(&self) -> Actor {
        Actor::Person {
            id: self.person.id.clone(),
            name: self.person.name.clone(),
        }
    }

    /// The name every step they take is signed with.
    pub fn name(&self) -> &str {
        &self.person.name
    }

    /// 403 unless their role grants `need`.
    pub fn require(&self, need: Need) -> EdgeResult<()> {
        if self.person.may(need) {
            Ok(())
        } else {
            Err(EdgeError::RoleForbids)
        }
    }

    /// 404 unless `site` is one of theirs: another site's cases do not
    /// exist for them.
    pub fn require_site(&self, site: &str, what: &'static str) -> EdgeResult<()> {
        if self.person.sees(site) {
            Ok(())
        } else {
            Err(EdgeError::NotFound(what))
        }
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
    let db = Db::from_env(env)?;
    Ok(sessions::person(&db, &session.id, now)
        .await?
        .map(|person| Manager {
            person,
            session,
            key,
        }))
}

/// Who may call the managers' API, and as whom: the admin token, an API
/// key within its scope, or an owner's session reading. 401 without
/// credentials, 403 with a wrong or revoked token or one whose scope does
/// not cover the method. A session admits reads only (the settings page's
/// export links): a state change through the API needs a bearer, so no page
/// can be tricked into making one. Other roles use the dashboard.
pub async fn require_admin(req: &Request, env: &Env) -> EdgeResult<Actor> {
    let header = req.headers().get("authorization")?.unwrap_or_default();
    let method = req.method();
    if let Some(token) = bearer(&header) {
        if let Some(key) = PresentedKey::parse(token) {
            let found = api_keys::check(&Db::from_env(env)?, &key).await?;
            return match found {
                Some((id, name, scope)) if scope.allows(method.as_ref()) => {
                    Ok(Actor::Key { id, name })
                }
                Some(_) => Err(EdgeError::RoleForbids),
                None => Err(EdgeError::Forbidden),
            };
        }
        let expected = admin_token(env).unwrap_or_default();
        return if secrets_match(token, &expected) {
            Ok(Actor::AdminToken)
        } else {
            Err(EdgeError::Forbidden)
        };
    }
    let session = manager(req, env).await?;
    if !matches!(method, Method::Get | Method::Head) {
        // Signed in but asking a session to write: refused as such (403),
        // whatever the role; with no session at all, 401.
        return Err(if session.is_some() {
            EdgeError::Forbidden
        } else {
            EdgeError::Unauthorized
        });
    }
    match session {
        Some(m) if m.person.role == Role::Owner => Ok(m.actor()),
        Some(_) => Err(EdgeError::RoleForbids),
        None => Err(EdgeError::Unauthorized),
    }
}

/// The admin token itself: people are made and changed with it (and by
/// owners in the dashboard), never with an API key. A session cookie here
/// is refused as such (403), as on every API write.
pub async fn require_admin_token(req: &Request, env: &Env) -> EdgeResult<Actor> {
    let header = req.headers().get("authorization")?.unwrap_or_default();
    let Some(token) = bearer(&header) else {
        return Err(if manager(req, env).await?.is_some() {
            EdgeError::Forbidden
        } else {
            EdgeError::Unauthorized
        });
    };
    if secrets_match(token, &admin_token(env).unwrap_or_default()) {
        Ok(Actor::AdminToken)
    } else {
        Err(EdgeError::Forbidden)
    }
}

/// The dev-only flag that admits loopback alert URLs.
pub fn allow_loopback(env: &Env) -> bool {
    env.var("ALLOW_LOOPBACK_WEBHOOKS")
        .is_ok_and(|v| v.to_string() == "true")
}
