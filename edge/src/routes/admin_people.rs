//! `/v1/admin/people`: accounts, for automation and the first owner. Only
//! the admin token changes people here (API keys never do); each change
//! is `accounts`' step, audited. The token never signs anyone in itself:
//! a new person is mailed an invitation with a first sign-in link.

use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::Db;
use crate::store::people;
use crate::{accounts, auth, clock, http, request};
use domain::people::{NewPerson, People, PersonView};
use worker::{Env, Request, Response};

/// `GET /v1/admin/people`.
pub async fn list(req: &Request, env: &Env) -> EdgeResult<Response> {
    auth::require_admin(req, env).await?;
    let people = people::list(&Db::from_env(env)?).await?;
    Ok(http::json(
        200,
        &People {
            people: people.iter().map(PersonView::from).collect(),
        },
    ))
}

async fn body(req: &mut Request) -> EdgeResult<NewPerson> {
    let body = request::read_json_body(req).await?;
    let body = String::from_utf8(body).map_err(|_| EdgeError::BadJson("not UTF-8".into()))?;
    Ok(NewPerson::from_json(&body)?)
}

/// `POST /v1/admin/people` `{"email","name","role","sites"}`: 201 with the
/// person, 409 if the address has an account.
pub async fn create(mut req: Request, env: &Env) -> EdgeResult<Response> {
    let actor = auth::require_admin_token(&req, env).await?;
    let new = body(&mut req).await?;
    let base = req.url()?.origin().ascii_serialization();
    let person = accounts::invite(env, &actor, &new, &base, clock::now()).await?;
    Ok(http::json(201, &PersonView::from(&person)))
}

/// `PUT /v1/admin/people/{id}` with the whole person: 200 with the person as
/// now. The address cannot change (it is who signs in).
pub async fn update(mut req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let actor = auth::require_admin_token(&req, env).await?;
    let new = body(&mut req).await?;
    let person = accounts::change(env, &actor, id, &new, clock::now()).await?;
    Ok(http::json(200, &PersonView::from(&person)))
}

/// `DELETE /v1/admin/people/{id}`: 200 with who was removed.
pub async fn remove(req: &Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let actor = auth::require_admin_token(req, env).await?;
    let person = accounts::remove(env, &actor, id, clock::now()).await?;
    Ok(http::json(200, &PersonView::from(&person)))
}
