//! `Principal::acting_as`: whom each kind of principal may act as.

use super::*;

fn principal(roles: UserRoles) -> Principal {
    Principal {
        kind: PrincipalKind::Session {
            session: session(now(), now()),
            user: user(),
            roles,
        },
    }
}

#[test]
fn acting_as_for_each_application_and_role_combination() {
    use ApplicationSlug::*;
    let liaison_clients = vec![ClientId(3), ClientId(4)];
    let client_only = client_roles();
    let employee_only = UserRoles {
        employee: true,
        ..UserRoles::default()
    };
    let liaison_only = UserRoles {
        liaison_clients: Some(liaison_clients.clone()),
        ..UserRoles::default()
    };
    let employee_and_liaison = UserRoles {
        employee: true,
        liaison_clients: Some(liaison_clients.clone()),
        ..UserRoles::default()
    };
    let client_and_employee = UserRoles {
        client: Some(client()),
        employee: true,
        ..UserRoles::default()
    };
    let as_client = Some((Role::Client, Actor::Client(CLIENT)));
    let as_employee = Some((Role::Employee, Actor::Employee));
    let as_liaison = Some((Role::Liaison, Actor::Liaison(liaison_clients)));
    let cases = [
        (&client_only, Planoauth, None),
        (&client_only, Planoorder, as_client.clone()),
        (&client_only, Planox2, None),
        (&employee_only, Planoauth, None),
        (&employee_only, Planoorder, None),
        (&employee_only, Planox2, as_employee.clone()),
        (&liaison_only, Planoauth, None),
        (&liaison_only, Planoorder, None),
        (&liaison_only, Planox2, as_liaison.clone()),
        (&employee_and_liaison, Planox2, as_employee.clone()),
        (&client_and_employee, Planoorder, as_client),
        (&client_and_employee, Planox2, as_employee),
        (&UserRoles::default(), Planoauth, None),
        (&UserRoles::default(), Planoorder, None),
        (&UserRoles::default(), Planox2, None),
    ];
    for (roles, app, expected) in cases {
        assert_eq!(
            principal(roles.clone()).acting_as(app),
            expected,
            "{roles:?} in {app:?}"
        );
    }
}

#[test]
fn an_application_token_acts_in_its_configured_role_in_its_own_application_only() {
    use ApplicationSlug::*;
    let app = |slug, role| Principal {
        kind: PrincipalKind::Application(application(slug, role)),
    };
    assert_eq!(
        app(Planox2, Role::Employee).acting_as(Planox2),
        Some((Role::Employee, Actor::Employee))
    );
    assert_eq!(
        app(Planox2, Role::Liaison).acting_as(Planox2),
        Some((Role::Liaison, Actor::Liaison(Vec::new())))
    );
    assert_eq!(app(Planoorder, Role::Client).acting_as(Planoorder), None);
    assert_eq!(app(Planox2, Role::Employee).acting_as(Planoorder), None);
    assert_eq!(app(Planox2, Role::Employee).acting_as(Planoauth), None);
    assert!(app(Planoauth, Role::Client).has_role_record());
    assert!(app(Planoauth, Role::Client).session().is_none());
}

#[test]
fn a_session_needs_a_role_record() {
    assert!(!principal(UserRoles::default()).has_role_record());
    assert!(principal(client_roles()).has_role_record());
    assert!(
        principal(UserRoles {
            employee: true,
            ..UserRoles::default()
        })
        .has_role_record()
    );
    assert!(
        principal(UserRoles {
            liaison_clients: Some(Vec::new()),
            ..UserRoles::default()
        })
        .has_role_record()
    );
    assert_eq!(
        principal(client_roles()).default_application(),
        ApplicationSlug::Planoorder
    );
}
