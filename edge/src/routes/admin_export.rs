//! `GET /v1/admin/export?site=&format=csv|ndjson` (plus the list filters):
//! every matching answer, streamed page by page so an export of any size
//! needs no more memory than one page.

use crate::error::{EdgeError, EdgeResult};
use crate::store::admin_view::{self, EXPORT_HEADER};
use crate::store::audit;
use crate::store::exec::Db;
use crate::{auth, clock};
use domain::audit::{Action, Entry};
use domain::export::{csv_row, ndjson_line};
use domain::query::{ResponseQuery, MAX_LIMIT};
use futures_util::stream;
use worker::{Env, Request, Response};

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Ndjson,
}

pub async fn get(req: &Request, env: &Env) -> EdgeResult<Response> {
    let actor = auth::require_admin(req, env).await?;
    let url = req.url()?;
    let mut format = None;
    let mut filters = Vec::new();
    for (name, value) in url.query_pairs() {
        if name == "format" {
            format = Some(match value.as_ref() {
                "csv" => Format::Csv,
                "ndjson" => Format::Ndjson,
                _ => return Err(domain::DomainError::invalid("format", "csv or ndjson").into()),
            });
        } else {
            filters.push((name.into_owned(), value.into_owned()));
        }
    }
    let format = format.ok_or_else(|| domain::DomainError::invalid("format", "csv or ndjson"))?;
    let exported = url.query().unwrap_or_default().to_owned();
    let mut query = ResponseQuery::parse(filters)?;
    query.limit = MAX_LIMIT;
    // Written before the first byte goes: an export that starts is on record.
    let entry = Entry {
        actor,
        action: Action::Exported,
        target: query
            .site
            .as_ref()
            .map_or_else(|| "every site".to_owned(), |s| s.as_str().to_owned()),
        before: None,
        after: Some(serde_json::json!({"query": exported})),
    };
    audit::record(&Db::from_env(env)?, &entry, clock::now()).await?;
    // One site's export reads its home; every site's, D1 (where sites in
    // their own objects are not: ARCHITECTURE.md, "Growing past one D1").
    let home = crate::store::homes::db_of_site(env, query.site.as_ref()).await?;

    // State: the query (its cursor moves on), whether the header went out,
    // and whether the last page was read.
    let pages = stream::unfold((query, false, false), move |(mut q, header_sent, done)| {
        let home = home.clone();
        async move {
            if done {
                return None;
            }
            let mut chunk = String::new();
            if !header_sent {
                if let Format::Csv = format {
                    chunk.push_str(&csv_row(&EXPORT_HEADER));
                }
            }
            let page = admin_view::page(&home, &q).await;
            let (rows, next) = match page {
                Ok(p) => p,
                Err(e) => {
                    worker::console_error!("export stopped: {e}");
                    return Some((
                        Err(worker::Error::RustError("export stopped".into())),
                        (q, true, true),
                    ));
                }
            };
            for row in &rows {
                match format {
                    Format::Csv => chunk.push_str(&csv_row(&row.cells())),
                    Format::Ndjson => match ndjson(row) {
                        Ok(line) => chunk.push_str(&line),
                        Err(e) => {
                            worker::console_error!("export stopped: {e}");
                            return Some((
                                Err(worker::Error::RustError("export stopped".into())),
                                (q, true, true),
                            ));
                        }
                    },
                }
            }
            let done = next.is_none();
            q.cursor = next;
            Some((
                Ok::<Vec<u8>, worker::Error>(chunk.into_bytes()),
                (q, true, done),
            ))
        }
    });
    let (ctype, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8; header=present", "csv"),
        Format::Ndjson => ("application/x-ndjson; charset=utf-8", "ndjson"),
    };
    let mut resp = Response::from_stream(pages)?;
    let h = resp.headers_mut();
    h.set("content-type", ctype)?;
    h.set(
        "content-disposition",
        &format!("attachment; filename=\"candor-export.{ext}\""),
    )?;
    h.set("cache-control", "no-store")?;
    h.set("x-content-type-options", "nosniff")?;
    Ok(resp)
}

/// One answer as an NDJSON line, shaped as the list shows it.
fn ndjson(row: &admin_view::ResponseRow) -> EdgeResult<String> {
    let value = serde_json::to_value(row.listed()?)
        .map_err(|e| EdgeError::Internal(format!("export line: {e}")))?;
    Ok(ndjson_line(&value))
}
