//! The information an entity must submit about itself, and when changes must be reported (issue 14,
//! item 6). Sources: NIS2 Art 3(4) and Art 27(2)-(3); summary in `shared/reference/eu-law/nis2.yaml`.
//! - Art 3(4): essential and important entities (and domain name registration services) submit at
//!   least their name; address and up-to-date contact details, including e-mail addresses, IP ranges
//!   and telephone numbers; where applicable the sector and subsector; where applicable the Member
//!   States where they provide services in scope. Changes: without delay, and in any event within
//!   two weeks of the change.
//! - Art 27(2)-(3): the digital-infrastructure and digital-provider types of Art 27(1) also give the
//!   address of their main establishment and other legal establishments in the Union (or their
//!   representative's) and their IP ranges; changes are notified without delay, and in any event
//!   within three months of the change.
use jiff::civil::Date as NaiveDate;
use serde::{Deserialize, Serialize};

/// The entity's registration record as submitted to the competent authority.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RegistrationInput {
    /// Art 3(4)(a), Art 27(2)(a).
    pub name: String,
    /// Address (Art 3(4)(b)); for Art 27 types the main establishment and other legal establishments in the Union (Art 27(2)(c)).
    pub address: String,
    /// Contact e-mail addresses (Art 3(4)(b)).
    pub emails: Vec<String>,
    /// Telephone numbers (Art 3(4)(b)).
    pub phones: Vec<String>,
    /// Public IP ranges, as CIDR (Art 3(4)(b), Art 27(2)(f)).
    pub ip_ranges: Vec<String>,
    /// Member States where services in scope are provided (Art 3(4)(d), Art 27(2)(e)), ISO 3166-1 alpha-2.
    pub member_states: Vec<String>,
    /// The representative in the Union, where the entity is not established there (Art 26(3), Art 27(2)(c)-(d)).
    pub representative: Option<String>,
    /// The day the facts changed: the reporting limits run from it (Art 3(4), Art 27(3)); the day of
    /// saving when not given.
    #[schema(value_type = Option<String>, format = Date)]
    pub changed_on: Option<NaiveDate>,
}

/// When changes to the record must reach the authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReportDue {
    pub basis: &'static str,
    #[schema(value_type = String, format = Date)]
    pub by: NaiveDate,
}

/// The reporting deadlines that follow a change made on `changed_on` for an entity of `entity_type`:
/// two weeks under Art 3(4); three months under Art 27(3) for the Art 27(1) types.
pub fn change_report_due(changed_on: NaiveDate, entity_type: &str) -> Vec<ReportDue> {
    let mut due = Vec::with_capacity(2);
    if let Ok(by) = changed_on.checked_add(jiff::Span::new().days(14)) {
        due.push(ReportDue { basis: "NIS2 Art 3(4): without delay, in any event within two weeks", by });
    }
    // Month arithmetic clamps to the month's last day (31 January + 3 months = 30 April).
    if super::ART27_TYPES.contains(&entity_type)
        && let Ok(by) = changed_on.checked_add(jiff::Span::new().months(3))
    {
        due.push(ReportDue { basis: "NIS2 Art 27(3): without delay, in any event within three months", by });
    }
    due
}

/// A clean record, or the first problem naming its field.
pub fn validate(input: &RegistrationInput) -> Result<RegistrationInput, crate::ValidationError> {
    let text = |field: &str, v: &str, max: usize| crate::validate::non_empty_text(field, v, max);
    let name = text("name", &input.name, 300)?;
    let address = text("address", &input.address, 2000)?;
    let mut emails = Vec::with_capacity(input.emails.len());
    for (i, e) in input.emails.iter().enumerate() {
        emails.push(crate::Email::parse(&format!("emails[{i}]"), e)?.to_string());
    }
    if emails.is_empty() {
        return Err(crate::ValidationError::new("emails", "at least one contact e-mail address is required (NIS2 Art 3(4)(b))"));
    }
    if input.phones.iter().all(|p| p.trim().is_empty()) {
        return Err(crate::ValidationError::new("phones", "at least one telephone number is required (NIS2 Art 3(4)(b))"));
    }
    let mut phones = Vec::with_capacity(input.phones.len());
    for (i, p) in input.phones.iter().enumerate() {
        let p = p.trim();
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit() || " +-()/".contains(c)) {
            return Err(crate::ValidationError::new(format!("phones[{i}]"), format!("'{p}' is not a telephone number")));
        }
        phones.push(p.to_owned());
    }
    let mut ip_ranges = Vec::with_capacity(input.ip_ranges.len());
    for (i, r) in input.ip_ranges.iter().enumerate() {
        ip_ranges.push(cidr(r).ok_or_else(|| {
            crate::ValidationError::new(format!("ip_ranges[{i}]"), format!("'{r}' is not an IP range in CIDR form (e.g. 192.0.2.0/24)"))
        })?);
    }
    let mut member_states = Vec::with_capacity(input.member_states.len());
    for (i, m) in input.member_states.iter().enumerate() {
        member_states.push(crate::bank_holidays::parse_member_state(&format!("member_states[{i}]"), m)?.code.to_owned());
    }
    member_states.sort();
    member_states.dedup();
    let representative = input.representative.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    Ok(RegistrationInput { name, address, emails, phones, ip_ranges, member_states, representative, changed_on: input.changed_on })
}

/// `address/prefix` with a prefix that fits the address family, normalised.
fn cidr(raw: &str) -> Option<String> {
    let (address, prefix) = raw.trim().split_once('/')?;
    let address: std::net::IpAddr = address.parse().ok()?;
    let prefix: u8 = prefix.parse().ok()?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    (prefix <= max).then(|| format!("{address}/{prefix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn art_3_4_two_weeks_and_art_27_3_three_months() {
        // A hospital changes its contact on 2026-01-31: report by 2026-02-14 (Art 3(4)).
        let due = change_report_due(d("2026-01-31"), "healthcare_provider");
        assert_eq!(due.iter().map(|r| r.by).collect::<Vec<_>>(), [d("2026-02-14")]);
        // A cloud provider: also the ENISA registry route, three months (Art 27(3)); 31 Jan + 3 months ends 30 Apr.
        let due = change_report_due(d("2026-01-31"), "cloud_computing_service_provider");
        assert_eq!(due.iter().map(|r| r.by).collect::<Vec<_>>(), [d("2026-02-14"), d("2026-04-30")]);
    }

    #[test]
    fn the_record_is_checked_field_by_field() {
        let ok = RegistrationInput {
            name: "Acme Cloud GmbH".into(),
            address: "Hauptstr. 1, 10115 Berlin".into(),
            emails: vec!["csirt@acme.example".into()],
            phones: vec!["+49 30 1234567".into()],
            ip_ranges: vec!["192.0.2.0/24".into(), "2001:db8::/32".into()],
            member_states: vec!["de".into(), "EL".into(), "DE".into()],
            representative: None,
            changed_on: None,
        };
        let clean = validate(&ok).unwrap();
        assert_eq!(clean.member_states, ["DE", "GR"]);
        let field = |input: RegistrationInput| validate(&input).unwrap_err().field;
        assert_eq!(field(RegistrationInput { name: " ".into(), ..ok.clone() }), "name");
        assert_eq!(field(RegistrationInput { emails: vec![], ..ok.clone() }), "emails");
        assert_eq!(field(RegistrationInput { emails: vec!["nope".into()], ..ok.clone() }), "emails[0]");
        assert_eq!(field(RegistrationInput { ip_ranges: vec!["192.0.2.0/33".into()], ..ok.clone() }), "ip_ranges[0]");
        assert_eq!(field(RegistrationInput { member_states: vec!["XX".into()], ..ok.clone() }), "member_states[0]");
        assert_eq!(field(RegistrationInput { phones: vec!["call me".into()], ..ok.clone() }), "phones[0]");
        assert_eq!(field(RegistrationInput { phones: vec![], ..ok }), "phones");
    }
}
