//! What the pages show and do: escaping, filters, acknowledge and resolve,
//! order search and capture, the switches.

use super::*;
use ordercore_domain::model::{NotificationKind, OrderId, Severity};
use ordercore_domain::ports::{OrderRepository, RouteRegistry};

#[actix_web::test]
async fn values_are_escaped() {
    let t = TestApp::new().await;
    let state = t.state();
    notify(
        &t,
        NotificationKind::MandrillEmailFailed,
        Severity::Critical,
        "<script>alert('x')</script>",
        Some(7),
    )
    .await;
    let (cookie, _) = staff(&state).await;
    let page = call(&state, get("/console/notifications", &cookie)).await;
    assert!(
        page.html
            .contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt;")
            || page.html.contains("&lt;script&gt;"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("<script>"), "{}", page.html);
    let search = call(&state, get("/console/orders?email=%3Cscript%3E", &cookie)).await;
    assert_eq!(search.status, 400);
    assert!(!search.html.contains("<script>"), "{}", search.html);
}

#[actix_web::test]
async fn notifications_filter_by_kind_and_severity_and_resolved_ones_leave_the_default_list() {
    let t = TestApp::new().await;
    let state = t.state();
    let held = notify(
        &t,
        NotificationKind::HeldForReview,
        Severity::Warning,
        "held one",
        None,
    )
    .await;
    let mail = notify(
        &t,
        NotificationKind::MandrillEmailFailed,
        Severity::Critical,
        "mail one",
        None,
    )
    .await;
    let (cookie, csrf) = staff(&state).await;
    let shown = |p: &Page, id: i64| p.html.contains(&format!("id=\"notification-{id}\""));

    let all = call(&state, get("/console/notifications", &cookie)).await;
    assert!(shown(&all, held) && shown(&all, mail));
    assert!(
        all.html.contains(
            "id=\"unresolved-count\" class=\"badge\" title=\"unresolved notifications\">2<"
        ),
        "{}",
        all.html
    );
    let by_kind = call(
        &state,
        get("/console/notifications?kind=held-for-review", &cookie),
    )
    .await;
    assert!(shown(&by_kind, held) && !shown(&by_kind, mail));
    let by_severity = call(
        &state,
        get("/console/notifications?severity=critical", &cookie),
    )
    .await;
    assert!(!shown(&by_severity, held) && shown(&by_severity, mail));

    let ack = call(
        &state,
        post(
            &format!("/console/notifications/{held}/acknowledge"),
            &cookie,
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(ack.status, 303);
    let page = call(&state, get("/console/notifications", &cookie)).await;
    assert!(
        page.html.contains("acknowledged by staff@example.com"),
        "{}",
        page.html
    );

    let resolved = call(
        &state,
        post(
            &format!("/console/notifications/{mail}/resolve"),
            &cookie,
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(resolved.status, 303);
    let open = call(&state, get("/console/notifications", &cookie)).await;
    assert!(shown(&open, held) && !shown(&open, mail));
    assert!(open.html.contains(">1<"));
    let everything = call(&state, get("/console/notifications?show=all", &cookie)).await;
    assert!(shown(&everything, mail));
    assert!(everything.html.contains("resolved by staff@example.com"));
}

#[actix_web::test]
async fn orders_are_found_by_email_and_status_and_captured_with_the_api_rules() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let placed = t
        .submit_with_new_card(&state, &token, "orders/authorize_and_submit", "80202")
        .await;
    assert_eq!(placed.status, 200, "{}", placed.body);
    let id = placed.body["data"]["id"].as_i64().unwrap();
    let (cookie, csrf) = staff(&state).await;

    let found = call(
        &state,
        get(
            "/console/orders?email=CLIENT%40example.com&status=submitted",
            &cookie,
        ),
    )
    .await;
    assert_eq!(found.status, 200);
    assert!(
        found.html.contains(&format!("id=\"order-{id}\"")),
        "{}",
        found.html
    );
    let none = call(
        &state,
        get(
            "/console/orders?email=client%40example.com&status=cancelled",
            &cookie,
        ),
    )
    .await;
    assert!(!none.html.contains(&format!("id=\"order-{id}\"")));
    let by_id = call(&state, get(&format!("/console/orders?id={id}"), &cookie)).await;
    assert!(by_id.html.contains(&format!("id=\"order-{id}\"")));

    let page = call(&state, get(&format!("/console/orders/{id}"), &cookie)).await;
    assert!(page.html.contains("id=\"capture\""), "{}", page.html);
    let captured = call(
        &state,
        post(
            &format!("/console/orders/{id}/capture"),
            &cookie,
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(
        (captured.status, captured.location()),
        (303, format!("/console/orders/{id}?done=captured").as_str())
    );
    let order = t.store.find(OrderId(id)).await.unwrap().unwrap();
    assert_eq!(order.payment.unwrap().status.as_str(), "captured");
    // Again: the API's answer to a second capture.
    let again = call(
        &state,
        post(
            &format!("/console/orders/{id}/capture"),
            &cookie,
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(again.status, 400, "{}", again.html);
    assert!(again.html.contains("invalid-param"), "{}", again.html);
}

#[actix_web::test]
async fn a_route_is_switched_off_and_on_from_the_console() {
    let t = TestApp::new().await;
    let state = t.state();
    let (cookie, csrf) = staff(&state).await;
    let list = call(&state, get("/console/switches", &cookie)).await;
    assert!(list.html.contains("data-route=\"orders&#x2f;read\""));
    // Each form turns its switch the other way.
    let row = &list.html[list.html.find("data-route=\"orders&#x2f;read\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("name=\"deployed\" value=\"false\""), "{row}");
    let off = call(
        &state,
        post(
            "/console/switches",
            &cookie,
            &[
                ("csrf", &csrf),
                ("kind", "route"),
                ("name", "orders/read"),
                ("deployed", "false"),
            ],
        ),
    )
    .await;
    assert_eq!(off.status, 303);
    assert!(
        !t.store
            .lookup("orders/read")
            .await
            .unwrap()
            .unwrap()
            .deployed
    );
    let unknown = call(
        &state,
        post(
            "/console/switches",
            &cookie,
            &[
                ("csrf", &csrf),
                ("kind", "service"),
                ("name", "nothing"),
                ("deployed", "false"),
            ],
        ),
    )
    .await;
    assert_eq!(unknown.status, 404);
    let on = call(
        &state,
        post(
            "/console/switches",
            &cookie,
            &[
                ("csrf", &csrf),
                ("kind", "route"),
                ("name", "orders/read"),
                ("deployed", "true"),
            ],
        ),
    )
    .await;
    assert_eq!(on.status, 303);
    assert!(
        t.store
            .lookup("orders/read")
            .await
            .unwrap()
            .unwrap()
            .deployed
    );
}
