//! The company admin's page, Settings → Azure DevOps Integration: static HTML, JS and CSS
//! compiled into the binary, so the service needs no files and no Node.js at run time.
//! The page holds no secret and checks no role: it calls the API of SPEC §5 with the
//! Navigator token the admin brings, and the API decides.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};

pub const PATH: &str = "/settings/azure-devops";

const INDEX_HTML: &str = include_str!("../../assets/admin/index.html");
const APP_JS: &str = include_str!("../../assets/admin/app.js");
const APP_CSS: &str = include_str!("../../assets/admin/app.css");

/// Scripts and styles only from this origin (no inline code at all), API calls only to
/// it, never framed, no forms posted anywhere, no `<base>` tricks.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; \
     frame-ancestors 'none'; base-uri 'none'";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(PATH, web::get().to(index))
        .route(&format!("{PATH}/"), web::get().to(index))
        .route(&format!("{PATH}/app.js"), web::get().to(script))
        .route(&format!("{PATH}/app.css"), web::get().to(style));
}

/// Headers every asset of the page carries. `no-cache` (revalidate) rather than a long
/// max-age: the assets change with the binary and carry no version in their names.
fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(content_type)))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .insert_header((
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .body(body)
}

async fn index() -> HttpResponse {
    let mut res = asset("text/html; charset=utf-8", INDEX_HTML);
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    // The token travels in the URL fragment, which browsers never send; no referrer
    // keeps even the page's path to itself.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

async fn script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", APP_JS)
}

async fn style() -> HttpResponse {
    asset("text/css; charset=utf-8", APP_CSS)
}
