//! The order confirmation e-mail, rendered from the minijinja templates in
//! `crates/mandrill/templates/` (embedded at compile time).

use chrono::{DateTime, Utc};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment};
use ordercore_domain::ports::OrderConfirmation;
use serde::Serialize;
use std::sync::LazyLock;

const SUBJECT: &str = "order_confirmation.subject.txt";
const TEXT: &str = "order_confirmation.txt";
const HTML: &str = "order_confirmation.html";

/// An e-mail ready to send: both mailers use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    /// Every value in it is HTML-escaped by the template engine.
    pub html: String,
}

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // Block tags on their own line leave no blank line behind.
    match SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
    {
        Ok(syntax) => env.set_syntax(syntax),
        Err(e) => {
            tracing::error!(target: "ordercore::mail", error = %e, "the e-mail template syntax is refused");
        }
    }
    // Escape by file name: `.html` is HTML-escaped, `.txt` is left as is.
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    for (name, source) in [
        (
            SUBJECT,
            include_str!("../templates/order_confirmation.subject.txt"),
        ),
        (TEXT, include_str!("../templates/order_confirmation.txt")),
        (HTML, include_str!("../templates/order_confirmation.html")),
    ] {
        // The templates are constants checked by the tests below; a syntax
        // error here is a bug caught before release, and would show as a
        // render error in `render_order_confirmation`.
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(target: "ordercore::mail", template = name, error = %e, "an e-mail template does not compile");
        }
    }
    env
});

/// What the templates see. Everything is already a display string, so the
/// templates only lay it out.
#[derive(Serialize)]
struct TemplateContext<'a> {
    to_name: &'a str,
    order_number: i64,
    lines: Vec<Line<'a>>,
    subtotal: &'a str,
    promotion_code: Option<&'a str>,
    discount: &'a str,
    total: &'a str,
    address: &'a str,
    appointments: Vec<String>,
}

#[derive(Serialize)]
struct Line<'a> {
    name: &'a str,
    quantity: u32,
    unit_price: &'a str,
    total: &'a str,
}

/// Renders the subject, plain-text and HTML bodies of an order confirmation.
///
/// [`OrderConfirmation`] holds no access code, so none can appear here.
/// The templates are fixed at compile time and covered by unit tests; should
/// one still fail, the failure is logged and that part falls back to a plain
/// text built without templates, so an order is never left without an e-mail.
pub fn render_order_confirmation(confirmation: &OrderConfirmation) -> RenderedEmail {
    let context = TemplateContext {
        to_name: &confirmation.to_name,
        order_number: confirmation.order_id,
        lines: confirmation
            .lines
            .iter()
            .map(|l| Line {
                name: &l.name,
                quantity: l.quantity,
                unit_price: &l.unit_price,
                total: &l.total,
            })
            .collect(),
        subtotal: &confirmation.subtotal,
        promotion_code: confirmation.promotion_code.as_deref(),
        discount: &confirmation.discount,
        total: &confirmation.total,
        address: &confirmation.address,
        appointments: confirmation
            .appointments
            .iter()
            .map(|(starts, ends)| format_appointment_window(starts, ends))
            .collect(),
    };
    let render = |name: &str| {
        TEMPLATES
            .get_template(name)
            .and_then(|t| t.render(Serde(&context)))
            .map_err(|e| {
                tracing::error!(target: "ordercore::mail", template = name, error = %e, "rendering an e-mail template failed");
            })
            .ok()
    };
    let subject = render(SUBJECT)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| format!("Order {} confirmed", confirmation.order_id));
    let text = render(TEXT).unwrap_or_else(|| fallback_text(confirmation));
    let html = render(HTML).unwrap_or_else(|| {
        format!(
            "<pre>{}</pre>",
            minijinja::HtmlEscape(&fallback_text(confirmation))
        )
    });
    RenderedEmail {
        subject,
        text,
        html,
    }
}

fn fallback_text(c: &OrderConfirmation) -> String {
    format!(
        "Order {} is confirmed. Total: {}. Property: {}.",
        c.order_id, c.total, c.address
    )
}

/// A preferred appointment window for a person: `Mon 1 Dec 2026, 09:00–11:00 UTC`,
/// or `Mon 1 Dec 2026, 22:00 – Tue 2 Dec 2026, 02:00 UTC` across midnight.
/// Takes the RFC 3339 strings of [`OrderConfirmation::appointments`]; anything
/// unparsable is shown as given.
pub fn format_appointment_window(starts_at: &str, ends_at: &str) -> String {
    let parse = |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc));
    match (parse(starts_at), parse(ends_at)) {
        (Ok(start), Ok(end)) if start.date_naive() == end.date_naive() => format!(
            "{}, {}\u{2013}{} UTC",
            start.format("%a %-d %b %Y"),
            start.format("%H:%M"),
            end.format("%H:%M")
        ),
        (Ok(start), Ok(end)) => format!(
            "{} \u{2013} {} UTC",
            start.format("%a %-d %b %Y, %H:%M"),
            end.format("%a %-d %b %Y, %H:%M")
        ),
        _ => format!("{starts_at} \u{2013} {ends_at}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordercore_domain::model::Email;
    use ordercore_domain::ports::ConfirmationLine;

    fn confirmation() -> OrderConfirmation {
        OrderConfirmation {
            to: Email::parse("ann@example.com").unwrap(),
            to_name: "Ann Agent".into(),
            order_id: 1042,
            lines: vec![
                ConfirmationLine {
                    name: "HDR Photos".into(),
                    quantity: 1,
                    unit_price: "$199.00".into(),
                    total: "$199.00".into(),
                },
                ConfirmationLine {
                    name: "Floor Plan".into(),
                    quantity: 2,
                    unit_price: "$75.50".into(),
                    total: "$151.00".into(),
                },
            ],
            subtotal: "$350.00".into(),
            promotion_code: Some("SPRING10".into()),
            discount: "$35.00".into(),
            total: "$315.00".into(),
            address: "12 Main St Apt 4, Denver, CO 80202".into(),
            appointments: vec![
                ("2026-12-01T09:00:00Z".into(), "2026-12-01T11:00:00Z".into()),
                ("2026-12-02T22:00:00Z".into(), "2026-12-03T02:00:00Z".into()),
            ],
        }
    }

    const WINDOWS: [&str; 2] = [
        "Tue 1 Dec 2026, 09:00\u{2013}11:00 UTC",
        "Wed 2 Dec 2026, 22:00 \u{2013} Thu 3 Dec 2026, 02:00 UTC",
    ];

    #[test]
    fn text_lists_everything_ordered() {
        let email = render_order_confirmation(&confirmation());
        assert_eq!(email.subject, "Your order #1042 is confirmed");
        for expected in [
            "Ann Agent",
            "#1042",
            "HDR Photos",
            "1 \u{d7} $199.00",
            "$199.00",
            "Floor Plan",
            "2 \u{d7} $75.50",
            "$151.00",
            "$350.00",
            "SPRING10",
            "-$35.00",
            "$315.00",
            "12 Main St Apt 4, Denver, CO 80202",
            WINDOWS[0],
            WINDOWS[1],
        ] {
            assert!(
                email.text.contains(expected),
                "text lacks {expected:?}:\n{}",
                email.text
            );
        }
        assert!(!email.text.contains('<'), "{}", email.text);
    }

    #[test]
    fn html_lists_everything_ordered() {
        let email = render_order_confirmation(&confirmation());
        for expected in [
            "Ann Agent",
            "#1042",
            "HDR Photos",
            "Floor Plan",
            "$75.50",
            "$151.00",
            "$350.00",
            "SPRING10",
            "$35.00",
            "$315.00",
            "12 Main St Apt 4, Denver, CO 80202",
            WINDOWS[0],
            WINDOWS[1],
        ] {
            assert!(
                email.html.contains(expected),
                "html lacks {expected:?}:\n{}",
                email.html
            );
        }
    }

    #[test]
    fn without_promotion_there_is_no_discount_line() {
        let mut c = confirmation();
        c.promotion_code = None;
        c.discount = "$0.00".into();
        let email = render_order_confirmation(&c);
        assert!(!email.text.contains("Discount"), "{}", email.text);
        assert!(!email.html.contains("Discount"), "{}", email.html);
    }

    #[test]
    fn html_escapes_what_it_shows() {
        let mut c = confirmation();
        c.lines[0].name = "<script>alert(1)</script> & Co".into();
        c.to_name = "<b>Ann</b>".into();
        c.address = "1 \"Quoted\" <Rd>, Denver, CO 80202".into();
        let email = render_order_confirmation(&c);
        assert!(!email.html.contains("<script>"), "{}", email.html);
        assert!(
            email
                .html
                .contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; Co"),
            "{}",
            email.html
        );
        assert!(!email.html.contains("<b>Ann"), "{}", email.html);
        assert!(email.html.contains("&lt;Rd&gt;"), "{}", email.html);
        // The text body is not HTML: it shows the name as typed.
        assert!(email.text.contains("<script>alert(1)</script> & Co"));
    }

    #[test]
    fn appointment_windows_read_plainly() {
        assert_eq!(
            format_appointment_window("2026-12-01T09:00:00Z", "2026-12-01T11:00:00Z"),
            WINDOWS[0]
        );
        assert_eq!(
            format_appointment_window("2026-12-02T22:00:00Z", "2026-12-03T02:00:00Z"),
            WINDOWS[1]
        );
        // Offsets are shown in UTC.
        assert_eq!(
            format_appointment_window("2026-12-01T02:00:00-07:00", "2026-12-01T04:00:00-07:00"),
            WINDOWS[0]
        );
        assert_eq!(
            format_appointment_window("soon", "later"),
            "soon \u{2013} later"
        );
    }
}
