//! Tests of NIS2 scoping: the decision table, each case citing the article it comes from.
use super::*;

fn run(t: &str, employees: i64, turnover: i64, balance: i64) -> ScopeResult {
    scope(&ScopeInput { entity_type: t.into(), employees, turnover_eur: turnover, balance_eur: balance, ..ScopeInput::default() }).unwrap()
}

const M: i64 = 1_000_000;

/// Decision table written from Art 2 and 3 and Rec. 2003/361/EC (the `derived_rules` of the
/// reference summary): (entity type, staff, turnover, balance sheet, expected class, expected size).
#[test]
fn scoping_decision_table() {
    use Classification::*;
    use SizeClass::*;
    let cases: &[(&str, i64, i64, i64, Classification, SizeClass)] = &[
        // Annex I, general rule: large essential (3(1)(a)), medium important (3(2)), small/micro out (2(1)).
        ("electricity_producer", 300, 60 * M, 50 * M, Essential, Large),
        ("electricity_producer", 100, 20 * M, 20 * M, Important, Medium),
        ("electricity_producer", 30, 5 * M, 5 * M, OutOfScope, Small),
        ("electricity_producer", 5, M, M, OutOfScope, Micro),
        ("healthcare_provider", 250, 10 * M, 10 * M, Essential, Large), // 250 staff is not < 250
        ("healthcare_provider", 249, 10 * M, 10 * M, Important, Medium),
        ("healthcare_provider", 49, 10 * M, 10 * M, OutOfScope, Small), // exactly the small ceiling
        ("healthcare_provider", 49, 10 * M + 1, 10 * M + 1, Important, Medium), // both above small ceilings
        ("healthcare_provider", 49, 10 * M + 1, 9 * M, OutOfScope, Small), // balance sheet keeps it small
        ("credit_institution", 1000, 500 * M, 900 * M, Essential, Large),
        ("credit_institution", 200, 40 * M, 40 * M, Important, Medium),
        ("air_carrier", 240, 60 * M, 50 * M, Essential, Large), // both financial ceilings exceeded
        ("air_carrier", 240, 60 * M, 40 * M, Important, Medium), // balance within: still medium
        ("air_carrier", 240, 40 * M, 50 * M, Important, Medium), // turnover within: still medium
        ("cloud_computing_service_provider", 260, 30 * M, 20 * M, Essential, Large),
        ("cloud_computing_service_provider", 60, 11 * M, 11 * M, Important, Medium),
        ("cloud_computing_service_provider", 9, M, M, OutOfScope, Micro),
        ("managed_service_provider", 80, 12 * M, 3 * M, Important, Medium),
        ("managed_security_service_provider", 20, 3 * M, 3 * M, OutOfScope, Small),
        ("space_ground_infrastructure_operator", 400, 90 * M, 90 * M, Essential, Large),
        // Size-independent types of Art 2(2)(a): QTSP, TLD, DNS always essential (3(1)(b)).
        ("qualified_trust_service_provider", 3, M / 2, M / 2, Essential, Micro),
        ("qualified_trust_service_provider", 500, 100 * M, 100 * M, Essential, Large),
        ("tld_name_registry", 12, 3 * M, 3 * M, Essential, Small),
        ("dns_service_provider", 2, M / 10, M / 10, Essential, Micro),
        // Public e-communications: medium essential (3(1)(c)), large essential (3(1)(a)), small important.
        ("public_electronic_communications_network_provider", 100, 20 * M, 20 * M, Essential, Medium),
        ("public_electronic_communications_network_provider", 1000, 200 * M, 200 * M, Essential, Large),
        ("public_electronic_communications_service_provider", 20, 4 * M, 4 * M, Important, Small),
        ("public_electronic_communications_service_provider", 4, M, M, Important, Micro),
        // Non-qualified trust service providers: any size in scope; large essential, else important.
        ("trust_service_provider", 8, M, M, Important, Micro),
        ("trust_service_provider", 120, 20 * M, 20 * M, Important, Medium),
        ("trust_service_provider", 300, 80 * M, 80 * M, Essential, Large),
        // Public administration (Art 2(2)(f), 3(1)(d)).
        ("central_government_entity", 40, 0, 0, Essential, Small),
        ("regional_government_entity", 300, 0, 0, Conditional, Large), // in scope only after the Member State's assessment (2(2)(f)(ii))
        // Annex II: medium or large important (3(2)), small/micro out.
        ("postal_service_provider", 5000, 900 * M, 900 * M, Important, Large),
        ("postal_service_provider", 60, 11 * M, 11 * M, Important, Medium),
        ("food_business", 45, 9 * M, 9 * M, OutOfScope, Small),
        ("chemicals_undertaking", 250, 10 * M, 10 * M, Important, Large),
        ("online_marketplace_provider", 70, 30 * M, 30 * M, Important, Medium),
        ("social_networking_platform_provider", 8, M, M, OutOfScope, Micro),
        ("research_organisation", 1200, 100 * M, 100 * M, Important, Large),
        ("medical_device_manufacturer", 150, 15 * M, 15 * M, Important, Medium),
        ("motor_vehicle_manufacturer", 10_000, 5_000 * M, 5_000 * M, Important, Large),
    ];
    assert!(cases.len() >= 40);
    for (t, staff, turnover, balance, class, size) in cases {
        let r = run(t, *staff, *turnover, *balance);
        assert_eq!(
            (r.classification, r.size_class),
            (*class, *size),
            "{t} staff {staff} turnover {turnover} balance {balance}: {:?}",
            r.basis
        );
        assert!(!r.basis.is_empty());
    }
}

/// Art 34(4)-(5): the higher of the fixed amount and the share of worldwide turnover.
#[test]
fn maximum_fines() {
    let small_essential = run("dns_service_provider", 2, 5 * M, 5 * M).max_fine.unwrap();
    assert_eq!(small_essential.amount_eur, 10_000_000);
    assert_eq!(small_essential.basis, "NIS2 Art 34(4)");
    let big_essential = run("electricity_producer", 5000, 2_000 * M, 9_000 * M).max_fine.unwrap();
    assert_eq!(big_essential.amount_eur, 40_000_000); // 2 % of EUR 2 bn
    let important = run("postal_service_provider", 5000, 1_000 * M, 900 * M).max_fine.unwrap();
    assert_eq!(important.amount_eur, 14_000_000); // 1.4 % of EUR 1 bn
    let important_small = run("managed_service_provider", 80, 12 * M, 3 * M).max_fine.unwrap();
    assert_eq!((important_small.amount_eur, important_small.basis), (7_000_000, "NIS2 Art 34(5)"));
    assert!(run("food_business", 5, M, M).max_fine.is_none());
}

#[test]
fn duties_follow_the_classification() {
    let r = run("cloud_computing_service_provider", 260, 30 * M, 20 * M);
    assert!(r.duties.iter().any(|d| d.contains("Art 27")), "cloud providers register with ENISA");
    assert!(r.duties.iter().any(|d| d.contains("Art 32")));
    let r = run("postal_service_provider", 60, 11 * M, 11 * M);
    assert!(!r.duties.iter().any(|d| d.contains("Art 27")));
    assert!(r.duties.iter().any(|d| d.contains("Art 33")));
    assert!(run("food_business", 5, M, M).duties.is_empty());
}

/// NIS2 Art 4(1) with DORA Art 1(2) and Art 2(1)(a), (h), (i): for credit institutions, CCPs and trading
/// venues DORA replaces NIS2 Art 21 and 23 and their supervision and enforcement; the Art 3 listing stays.
#[test]
fn dora_replaces_nis2_risk_management_and_reporting_for_financial_entities() {
    for t in ["credit_institution", "central_counterparty", "trading_venue_operator"] {
        let r = run(t, 1000, 500 * M, 900 * M);
        assert_eq!(r.classification, Classification::Essential, "{t}: still identified under Art 3");
        let l = r.lex_specialis.as_ref().unwrap_or_else(|| panic!("{t}: no lex specialis"));
        assert!(l.basis.contains(&"NIS2 Art 4(1)") && l.basis.contains(&"DORA Art 1(2)"));
        for replaced in ["Art 21", "Art 23", "Chapter VII"] {
            assert!(l.replaces.iter().any(|d| d.nis2.contains(replaced)), "{t}: {replaced}");
        }
        assert!(r.max_fine.is_none(), "{t}: NIS2 Art 34 fines punish Art 21/23 infringements only");
        assert!(!r.duties.iter().any(|d| d.starts_with("Take the cybersecurity") || d.contains("Art 32)")), "{t}: {:?}", r.duties);
        assert!(r.duties.iter().any(|d| d.contains("DORA Art 19")));
        assert!(r.duties.iter().any(|d| d.contains("Art 3(3)-(4)")));
    }
    // Medium credit institution: important, DORA still replaces.
    assert!(run("credit_institution", 200, 40 * M, 40 * M).lex_specialis.is_some());
    // Out of NIS2 scope: nothing to replace (DORA applies on its own terms).
    assert!(run("credit_institution", 20, 5 * M, 5 * M).lex_specialis.is_none());
    // Not a DORA financial entity.
    assert!(run("electricity_producer", 300, 60 * M, 50 * M).lex_specialis.is_none());
}

/// NIS2 Art 23(4) second subparagraph: the scoping result gives trust service providers 24 hours.
#[test]
fn trust_service_providers_notify_within_24_hours_in_the_duties() {
    for t in ["qualified_trust_service_provider", "trust_service_provider"] {
        let r = run(t, 5, M, M);
        assert!(r.duties.iter().any(|d| d.contains("notification 24 h")), "{t}: {:?}", r.duties);
        assert!(!r.duties.iter().any(|d| d.contains("72 h")), "{t}");
    }
    assert!(run("cloud_computing_service_provider", 260, 30 * M, 20 * M).duties.iter().any(|d| d.contains("notification 72 h")));
}

#[test]
fn bad_input_names_the_field() {
    let base = ScopeInput {
        entity_type: "healthcare_provider".into(),
        sector: None,
        subsector: None,
        employees: 10,
        turnover_eur: 0,
        balance_eur: 0,
        ..ScopeInput::default()
    };
    assert_eq!(scope(&ScopeInput { employees: -1, ..base.clone() }).unwrap_err().field, "employees");
    assert_eq!(scope(&ScopeInput { turnover_eur: -5, ..base.clone() }).unwrap_err().field, "turnover_eur");
    assert_eq!(scope(&ScopeInput { entity_type: "bakery".into(), ..base.clone() }).unwrap_err().field, "entity_type");
    assert_eq!(scope(&ScopeInput { sector: Some("energy".into()), ..base.clone() }).unwrap_err().field, "sector");
    assert!(scope(&ScopeInput { sector: Some("health".into()), ..base }).is_ok());
}

#[test]
fn annexes_have_11_and_7_sectors_and_unique_slugs() {
    let sectors =
        |a: Annex| ENTITY_TYPES.iter().filter(|t| t.annex == Some(a)).map(|t| t.sector).collect::<std::collections::BTreeSet<_>>().len();
    assert_eq!((sectors(Annex::I), sectors(Annex::II)), (11, 7));
    let slugs: std::collections::BTreeSet<_> = ENTITY_TYPES.iter().map(|t| t.slug).collect();
    assert_eq!(slugs.len(), ENTITY_TYPES.len());
}

#[test]
fn cir_2024_2690_covers_the_art_21_5_entity_types() {
    // NIS2 Art 21(5) first subparagraph; CIR 2024/2690 Art 1.
    for covered in
        ["dns_service_provider", "managed_service_provider", "qualified_trust_service_provider", "social_networking_platform_provider"]
    {
        assert!(covered_by_cir_2024_2690(covered), "{covered}");
    }
    for other in ["hospital", "postal_service_provider", "research_organisation"] {
        assert!(!covered_by_cir_2024_2690(other), "{other}");
    }
}

fn designated(
    t: &str,
    employees: i64,
    turnover: i64,
    identification: Option<&str>,
    critical: bool,
) -> Result<ScopeResult, crate::ValidationError> {
    scope(&ScopeInput {
        entity_type: t.into(),
        employees,
        turnover_eur: turnover,
        balance_eur: turnover,
        member_state_identification: identification.map(Into::into),
        critical_entity: Some(critical),
        ..ScopeInput::default()
    })
}

/// (entity type, staff, turnover = balance sheet, identification, critical entity, class, article)
type DesignationCase = (&'static str, i64, i64, Option<&'static str>, bool, Classification, &'static str);

/// Issue 14, item 4: the scoping inputs the law needs, each case written from the article it cites.
/// (entity type, staff, turnover = balance sheet, Member State identification, CER critical entity,
/// expected class, an article the basis must name)
#[test]
fn designations_and_specific_duties_table() {
    use Classification::*;
    let cases: &[DesignationCase] = &[
        // Art 2(4): domain name registration services, any size, for Art 3(3), 27 and 28 only.
        ("domain_name_registration_service_provider", 3, M, None, false, SpecificDuties, "Art 2(4)"),
        ("domain_name_registration_service_provider", 900, 300 * M, None, false, SpecificDuties, "Art 28"),
        // Art 2(3) + Art 3(1)(f): a CER critical entity is essential whatever its size or annex.
        ("healthcare_provider", 20, 3 * M, None, true, Essential, "Art 3(1)(f)"),
        ("electricity_producer", 4, M, None, true, Essential, "Art 2(3)"),
        ("food_business", 30, 5 * M, None, true, Essential, "Art 3(1)(f)"),
        ("drinking_water_supplier", 5000, 900 * M, None, true, Essential, "Art 3(1)(f)"),
        ("public_electronic_communications_service_provider", 20, 4 * M, None, true, Essential, "Art 3(1)(f)"),
        // Art 2(2)(b)-(e) + Art 3(1)(e): identified as essential by the Member State.
        ("electricity_producer", 30, 5 * M, Some("essential"), false, Essential, "Art 3(1)(e)"),
        ("food_business", 5, M, Some("essential"), false, Essential, "Art 3(1)(e)"),
        ("postal_service_provider", 100, 20 * M, Some("essential"), false, Essential, "Art 3(1)(e)"),
        ("trust_service_provider", 8, M, Some("essential"), false, Essential, "Art 3(1)(e)"),
        // Art 2(2)(b)-(e) + Art 3(2): identified as important; never lowers Art 3(1)(a).
        ("food_business", 30, 5 * M, Some("important"), false, Important, "Art 2(2)(b)-(e)"),
        ("research_organisation", 40, 6 * M, Some("important"), false, Important, "Art 3(2)"),
        ("chemicals_undertaking", 6, M, Some("important"), false, Important, "Art 3(2)"),
        ("managed_service_provider", 30, 5 * M, Some("important"), false, Important, "Art 3(2)"),
        ("credit_institution", 30, 5 * M, Some("important"), false, Important, "Art 3(2)"),
        ("electricity_producer", 300, 60 * M, Some("important"), false, Essential, "Art 3(1)(a)"),
        // Art 2(2)(f)(ii): regional public administration depends on the Member State's assessment …
        ("regional_government_entity", 300, 0, None, false, Conditional, "Art 2(2)(f)(ii)"),
        ("regional_government_entity", 30, 0, None, false, Conditional, "Art 2(2)(f)(ii)"),
        // … unless identified or critical.
        ("regional_government_entity", 300, 0, Some("essential"), false, Essential, "Art 3(1)(e)"),
        ("central_government_entity", 300, 0, None, true, Essential, "Art 3(1)(d)"),
        ("electricity_producer", 300, 60 * M, Some("essential"), false, Essential, "Art 3(1)(a)"), // keeps its own ground
        // Art 2(2)(f)(i) + Art 3(1)(d): central government, essential whatever its size.
        ("central_government_entity", 12, 0, None, false, Essential, "Art 3(1)(d)"),
        // Without designations the general rules stand.
        ("healthcare_provider", 20, 3 * M, None, false, OutOfScope, "Art 2(1)"),
        ("credit_institution", 5, M, None, false, OutOfScope, "Art 2(1)"),
        ("dns_service_provider", 2, M / 10, None, true, Essential, "Art 3(1)(f)"),
    ];
    for &(t, staff, money, identification, critical, class, article) in cases {
        let r = designated(t, staff, money, identification, critical).unwrap_or_else(|e| panic!("{t}: {e}"));
        assert_eq!(r.classification, class, "{t} {staff} staff, {identification:?}, critical {critical}");
        assert!(r.basis.iter().any(|b| b.contains(article)), "{t}: basis {:?} should name {article}", r.basis);
        assert!(r.not_modelled.iter().any(|n| n.contains("two consecutive")), "every result states what is not modelled");
    }
    assert!(cases.len() >= 20);
}

#[test]
fn specific_duties_conditional_and_public_administration_fines() {
    // Art 2(4), 27, 28: no Art 21/23 duties, no Art 34 fine; the registration-data duties instead.
    let registrar = designated("domain_name_registration_service_provider", 3, M, None, false).unwrap();
    assert!(registrar.duties.iter().any(|d| d.contains("Art 28(5)") && d.contains("in any event within 72 hours")));
    // Art 28 binds TLD name registries as well.
    assert!(run("tld_name_registry", 12, 3 * M, 3 * M).duties.iter().any(|d| d.contains("Art 28(1)")));
    assert!(registrar.duties.iter().any(|d| d.contains("Art 27")));
    assert!(!registrar.duties.iter().any(|d| d.contains("Art 21") || d.contains("Art 23")));
    assert!(registrar.max_fine.is_none() && registrar.annex.is_none());
    assert!(!registrar.classification.reports_incidents());
    assert!(!covered_by_cir_2024_2690("domain_name_registration_service_provider"));
    // Art 2(2)(f)(ii): conditional, naming what it depends on.
    let regional = designated("regional_government_entity", 300, 0, None, false).unwrap();
    assert!(regional.depends_on.is_some_and(|d| d.contains("risk-based assessment")));
    assert!(regional.classification.reports_incidents());
    // Art 34(7): public administration fines are the Member State's decision; no EUR 10 m is stated.
    let central = designated("central_government_entity", 12, 0, None, false).unwrap();
    assert!(central.max_fine.is_none());
    assert!(central.fine_note.is_some_and(|n| n.contains("Art 34(7)")));
    // Art 3(1)(f) and 34(4): a critical hospital of 20 staff is essential and faces the essential fine.
    let hospital = designated("healthcare_provider", 20, 3 * M, None, true).unwrap();
    assert_eq!(hospital.max_fine.unwrap().fixed_eur, 10_000_000);
}

#[test]
fn contradictory_designations_name_the_field() {
    let field = |t: &str, identification: Option<&str>, critical: bool| designated(t, 10, M, identification, critical).unwrap_err().field;
    assert_eq!(field("domain_name_registration_service_provider", None, true), "critical_entity");
    assert_eq!(field("domain_name_registration_service_provider", Some("essential"), false), "member_state_identification");
    assert_eq!(field("healthcare_provider", Some("important"), true), "member_state_identification");
    assert_eq!(field("qualified_trust_service_provider", Some("important"), false), "member_state_identification");
    assert_eq!(field("central_government_entity", Some("important"), false), "member_state_identification");
    assert_eq!(field("healthcare_provider", Some("very"), false), "member_state_identification");
    // CER Annex: no postal sector, and public administration of central government only.
    assert_eq!(field("postal_service_provider", None, true), "critical_entity");
    assert_eq!(field("regional_government_entity", None, true), "critical_entity");
    assert_eq!(field("managed_service_provider", None, true), "critical_entity");
}
