//! The HTTP side of `serve`: requests in, files of the in-memory site out.
//!
//! A URL names a key of the site map and nothing else, so no request can read
//! a file outside the site. HTML responses get the live-reload script (and,
//! after a failed build, the diagnostics over the page) added here: the built
//! site never carries them.

use std::sync::Arc;

use percent_encoding::percent_decode_str;
use tiny_http::{Header, Method, Request, Response, Server};

use super::{ServeError, Shared};

/// The path open pages poll; `__` keeps it out of any site's namespace.
pub const VERSION_PATH: &str = "/__cxscore/version";

/// A bound server and its port (the one asked for, or the one the OS chose for `0`).
pub struct Bound {
    server: Server,
    port: u16,
}

impl Bound {
    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Listens on 127.0.0.1 only: the site is for the person at this machine.
pub fn bind(port: u16) -> Result<Bound, ServeError> {
    let server = Server::http(("127.0.0.1", port)).map_err(|e| ServeError::Bind {
        port,
        message: e.to_string(),
    })?;
    let port = server
        .server_addr()
        .to_ip()
        .map_or(port, |addr| addr.port());
    Ok(Bound { server, port })
}

/// Answers requests until the process ends.
pub fn run(bound: Bound, shared: &Shared) {
    for request in bound.server.incoming_requests() {
        let response = answer(&request, shared);
        // A client that went away is not our problem.
        let _ = request.respond(response);
    }
}

type Reply = Response<std::io::Cursor<Vec<u8>>>;

fn answer(request: &Request, shared: &Shared) -> Reply {
    if !matches!(request.method(), Method::Get | Method::Head) {
        return text(405, "only GET and HEAD are served");
    }
    let (files, version, error) = {
        let snap = shared.lock().unwrap_or_else(|p| p.into_inner());
        (Arc::clone(&snap.files), snap.version, snap.error.clone())
    };
    let raw_path = request.url().split(['?', '#']).next().unwrap_or("/");
    if raw_path == VERSION_PATH {
        let body = serde_json::json!({ "version": version, "error": error.is_some() });
        return with_type(Response::from_data(body.to_string()), "application/json");
    }
    let Some(key) = site_key(raw_path) else {
        return text(400, "bad path");
    };
    let found = files.get(&key).map(|b| (key.clone(), b)).or_else(|| {
        let index = format!("{key}/index.html");
        files.get(&index).map(|b| (index, b))
    });
    match found {
        Some((path, bytes)) if path.ends_with(".html") => {
            let page = String::from_utf8_lossy(bytes);
            with_type(
                Response::from_data(live_page(&page, version, error.as_deref())),
                "text/html; charset=utf-8",
            )
        }
        Some((path, bytes)) => with_type(Response::from_data(bytes.clone()), content_type(&path)),
        None if files.is_empty() => {
            // No good build yet: every page is the error page (which reloads when fixed).
            let page = "<!doctype html><html><head><meta charset=\"utf-8\"><title>cxscore</title></head><body></body></html>";
            with_type(
                Response::from_data(live_page(page, version, error.as_deref())),
                "text/html; charset=utf-8",
            )
            .with_status_code(503)
        }
        None => text(404, &format!("not found: {key}")),
    }
}

/// The key in the site map for a URL path: decoded, without the leading `/`,
/// `index.html` for folders; `None` for paths that try to leave the site.
pub fn site_key(url_path: &str) -> Option<String> {
    let decoded = percent_decode_str(url_path).decode_utf8().ok()?;
    let mut parts = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.contains('\\') || p.contains('\0') => return None,
            p => parts.push(p),
        }
    }
    let mut key = parts.join("/");
    if key.is_empty() || decoded.ends_with('/') {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Some(key)
}

/// `page` with the reload script and, after a failed build, the error overlay.
pub fn live_page(page: &str, version: u64, error: Option<&str>) -> String {
    let mut extra = String::new();
    if let Some(error) = error {
        extra.push_str(&format!(
            concat!(
                "<div id=\"cxscore-error\" role=\"alert\" style=\"position:fixed;inset:0 0 auto 0;",
                "max-height:70vh;overflow:auto;z-index:2147483647;background:#fff5f5;color:#600;",
                "border-bottom:4px solid #c00;padding:1rem 1.5rem;font:14px/1.5 monospace\">",
                "<strong>cxscore: the build failed; this is the last good site.</strong>",
                "<pre style=\"white-space:pre-wrap;margin:.5rem 0 0\">{}</pre></div>"
            ),
            escape(error)
        ));
    }
    extra.push_str(&format!(
        concat!(
            "<script>/* cxscore serve: live reload (not in the built site) */(function(){{",
            "var seen={version};function poll(){{fetch(\"{path}\",{{cache:\"no-store\"}})",
            ".then(function(r){{return r.json()}}).then(function(s){{if(s.version!==seen)",
            "{{location.reload()}}else{{setTimeout(poll,500)}}}})",
            ".catch(function(){{setTimeout(poll,2000)}})}}setTimeout(poll,500)}})();</script>"
        ),
        version = version,
        path = VERSION_PATH
    ));
    match page.rfind("</body>") {
        Some(at) => format!("{}{extra}{}", &page[..at], &page[at..]),
        None => format!("{page}{extra}"),
    }
}

/// Text for an HTML element, escaped by the same function the templates' autoescape uses.
fn escape(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    // Writing into a Vec cannot fail.
    let _ = tera::escape_html(text, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "pdf" => "application/pdf",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// Adds a header; names and values here are ASCII constants, which tiny_http always accepts.
fn add_header(response: Reply, name: &str, value: &str) -> Reply {
    match Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(h) => response.with_header(h),
        Err(()) => response,
    }
}

fn with_type(response: Reply, mime: &str) -> Reply {
    // Pages change on every rebuild: never let the browser serve a stale one.
    add_header(
        add_header(response, "Content-Type", mime),
        "Cache-Control",
        "no-store",
    )
}

fn text(status: u16, message: &str) -> Reply {
    with_type(
        Response::from_data(message.to_string()),
        "text/plain; charset=utf-8",
    )
    .with_status_code(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workbook_is_served_as_a_spreadsheet() {
        // A browser offers report.xlsx to Excel instead of showing bytes.
        assert_eq!(
            content_type("report.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(content_type("report.unknown"), "application/octet-stream");
    }

    #[test]
    fn paths_map_to_site_keys_and_never_leave_the_site() {
        assert_eq!(site_key("/").as_deref(), Some("index.html"));
        assert_eq!(
            site_key("/indicators/nps.html").as_deref(),
            Some("indicators/nps.html")
        );
        assert_eq!(
            site_key("/personas/").as_deref(),
            Some("personas/index.html")
        );
        assert_eq!(
            site_key("/pages/%E5%85%B3%E4%BA%8E.html").as_deref(),
            Some("pages/关于.html")
        );
        assert_eq!(site_key("/../etc/passwd"), None);
        assert_eq!(site_key("/a/%2e%2e/%2e%2e/x"), None);
        assert_eq!(site_key("/a\\..\\x"), None);
    }

    #[test]
    fn the_reload_script_and_escaped_errors_go_before_body_end() {
        let page = live_page(
            "<html><body><p>hi</p></body></html>",
            7,
            Some("a.yaml:1:1: error: <script>alert(1)</script>"),
        );
        assert!(page.ends_with("</body></html>"));
        assert!(page.contains("var seen=7;"));
        assert!(page.contains("&lt;script&gt;alert"));
        assert!(!page.contains("<script>alert(1)"));
        let clean = live_page("<p>x</p>", 1, None);
        assert!(clean.starts_with("<p>x</p><script>"));
        assert!(!clean.contains("cxscore-error"));
    }
}
