//! Reading `order.property_info` and `order.property_access` (`json` params,
//! SPEC §5/§7) into the domain's values, every problem reported with its path
//! relative to the object so the caller can prefix it.

use crate::json_params::{FieldErrors, JsonObject};
use ordercore_domain::model::{
    AccessMethod, Address, Email, InvalidValue, PostalCode, PropertyAccess, PropertyInfo,
    PropertyType, Secret, UsState,
};
use serde_json::Value;

/// Parses `order.property_info`, collecting every problem (paths relative to
/// it).
pub fn parse_property_info(value: &Value) -> Result<PropertyInfo, FieldErrors> {
    let mut errs = FieldErrors::default();
    let Some(obj) = JsonObject::new(value, "", &mut errs) else {
        return Err(errs);
    };
    let address = obj.object("address", true, &mut errs).and_then(|a| {
        let street = a.string("street", true, 255, &mut errs);
        let street2 = a.string("street2", false, 255, &mut errs);
        let city = a.string("city", true, 255, &mut errs);
        let state = a.parsed("state", true, UsState::parse, &mut errs);
        let postal = a.parsed("postal_code", true, PostalCode::parse, &mut errs);
        Some(Address {
            street: street?,
            street2,
            city: city?,
            state: state?,
            postal_code: postal?,
        })
    });
    let property_type = obj.parsed(
        "property_type",
        false,
        |s| {
            PropertyType::parse(s).ok_or_else(|| {
                InvalidValue::new(format!("must be one of {}", PropertyType::NAMES.join(", ")))
            })
        },
        &mut errs,
    );
    let square_footage = obj.non_negative("square_footage", &mut errs);
    let bedrooms = obj.non_negative("bedrooms", &mut errs);
    let bathrooms = obj.non_negative("bathrooms", &mut errs);
    let price = obj.non_negative("price", &mut errs);
    let external_property_id = obj.string("external_property_id", false, 255, &mut errs);
    let notes = obj.string("notes", false, 1000, &mut errs);
    let Some(address) = address else {
        return Err(errs);
    };
    let info = PropertyInfo {
        address,
        property_type,
        square_footage,
        bedrooms,
        bathrooms,
        price,
        external_property_id,
        notes,
    };
    errs.into_result(info)
}

/// Parses `order.property_access`; the method decides which fields are
/// required (the domain's rule).
pub fn parse_property_access(value: &Value) -> Result<PropertyAccess, FieldErrors> {
    let mut errs = FieldErrors::default();
    let Some(obj) = JsonObject::new(value, "", &mut errs) else {
        return Err(errs);
    };
    let vacant = obj.boolean("vacant", true, &mut errs);
    let method = obj.parsed(
        "method_of_access",
        true,
        |s| {
            AccessMethod::parse(s).ok_or_else(|| {
                InvalidValue::new(format!("must be one of {}", AccessMethod::NAMES.join(", ")))
            })
        },
        &mut errs,
    );
    let needs_code = method.is_some_and(AccessMethod::needs_access_code);
    let needs_location = method.is_some_and(AccessMethod::needs_lockbox_location);
    let access_code = obj.string("access_code", needs_code, 255, &mut errs);
    let lockbox_location = obj.string("lockbox_location", needs_location, 255, &mut errs);
    let access = PropertyAccess {
        vacant: vacant.unwrap_or_default(),
        method: method.unwrap_or(AccessMethod::NoAccessNeeded),
        access_code: access_code.map(Secret::new),
        lockbox_location,
        onsite_contact_name: obj.string("onsite_contact_name", false, 255, &mut errs),
        onsite_contact_email: obj.parsed("onsite_contact_email", false, Email::parse, &mut errs),
        onsite_contact_phone: obj.string("onsite_contact_phone", false, 32, &mut errs),
    };
    errs.into_result(access)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn property_info_collects_every_problem() {
        let errs = parse_property_info(&json!({
            "address": {"street": "1 Main", "city": "", "state": "ZZ", "postal_code": "123"},
            "bedrooms": -1,
            "notes": "x".repeat(1001),
        }))
        .unwrap_err();
        let paths: Vec<_> = errs.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "address.city",
                "address.state",
                "address.postal_code",
                "bedrooms",
                "notes"
            ]
        );
    }

    #[test]
    fn property_info_parses() {
        let info = parse_property_info(&json!({
            "address": {"street": "1 Main St", "city": "Denver", "state": "co", "postal_code": "80202"},
            "property_type": "condo_townhouse", "square_footage": "1200"
        }))
        .unwrap();
        assert_eq!(info.address.state.as_str(), "CO");
        assert_eq!(info.square_footage, Some(1200));
        assert_eq!(info.property_type, Some(PropertyType::CondoTownhouse));
    }

    #[test]
    fn the_method_decides_required_fields() {
        let errs =
            parse_property_access(&json!({"vacant": true, "method_of_access": "lockbox_code"}))
                .unwrap_err();
        let paths: Vec<_> = errs
            .0
            .iter()
            .map(|e| (e.path.as_str(), e.missing))
            .collect();
        assert_eq!(paths, [("access_code", true), ("lockbox_location", true)]);

        let errs = parse_property_access(&json!({"vacant": true, "method_of_access": "keypad"}))
            .unwrap_err();
        assert_eq!(errs.0.len(), 1);
        assert_eq!(errs.0[0].path, "access_code");

        let ok =
            parse_property_access(&json!({"vacant": false, "method_of_access": "meet_onsite"}))
                .unwrap();
        assert_eq!(ok.method, AccessMethod::MeetOnsite);
    }

    #[test]
    fn the_access_code_never_prints() {
        let a = parse_property_access(&json!({
            "vacant": true, "method_of_access": "keypad", "access_code": "1234"
        }))
        .unwrap();
        assert_eq!(
            a.access_code.as_ref().map(|c| c.expose().as_str()),
            Some("1234")
        );
        assert!(!format!("{a:?}").contains("1234"));
    }
}
