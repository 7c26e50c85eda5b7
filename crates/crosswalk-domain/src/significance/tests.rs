//! Cases written from Implementing Regulation (EU) 2024/2690 Arts 3–14 and NIS2 Art 23(3), each
//! citing its article.
use super::*;

fn facts() -> IncidentFacts {
    // No financial loss unless a case says so: the Art 3(1)(a) criterion is then decided.
    IncidentFacts { financial_loss_eur: Some(0), annual_turnover_eur: Some(100_000_000), ..IncidentFacts::default() }
}

fn outcome(entity: &str, f: &IncidentFacts) -> (Outcome, Vec<String>) {
    let p = propose(Some(entity), f);
    (p.outcome, p.criteria_met.into_iter().map(|c| c.article).collect())
}

#[test]
fn art_3_1_a_financial_loss_is_the_lower_of_eur_500_000_and_5_percent() {
    assert_eq!(financial_threshold(Some(100_000_000)), 500_000);
    assert_eq!(financial_threshold(Some(4_000_000)), 200_000); // 5 % of EUR 4 m is lower
    assert_eq!(financial_threshold(None), 500_000);
    let f = IncidentFacts { financial_loss_eur: Some(500_001), ..facts() };
    assert_eq!(outcome("cloud_computing_service_provider", &f), (Outcome::Significant, vec!["CIR 2024/2690 Art 3(1)(a)".into()]));
    let f = IncidentFacts { financial_loss_eur: Some(500_000), ..facts() };
    assert_eq!(outcome("cloud_computing_service_provider", &f).0, Outcome::NotSignificant, "exactly EUR 500 000 is not above it");
    let small = IncidentFacts { financial_loss_eur: Some(250_000), annual_turnover_eur: Some(4_000_000), ..facts() };
    assert_eq!(outcome("managed_service_provider", &small).0, Outcome::Significant);
    // Without the turnover the lower threshold cannot be known.
    let unknown = IncidentFacts { financial_loss_eur: Some(250_000), annual_turnover_eur: None, ..facts() };
    assert_eq!(outcome("managed_service_provider", &unknown).0, Outcome::Undetermined);
}

#[test]
fn art_3_1_b_to_e_each_suffice() {
    for (f, article) in [
        (IncidentFacts { trade_secrets_exfiltrated: true, ..facts() }, "CIR 2024/2690 Art 3(1)(b)"),
        (IncidentFacts { death: true, ..facts() }, "CIR 2024/2690 Art 3(1)(c)"),
        (IncidentFacts { considerable_health_damage: true, ..facts() }, "CIR 2024/2690 Art 3(1)(d)"),
        (IncidentFacts { malicious_access_severe_disruption: true, ..facts() }, "CIR 2024/2690 Art 3(1)(e)"),
    ] {
        assert_eq!(outcome("online_marketplace_provider", &f), (Outcome::Significant, vec![article.into()]));
    }
}

#[test]
fn art_4_recurring_incidents_count_together() {
    // Twice within six months, same root cause, together above EUR 500 000.
    let f = IncidentFacts { occurrences_in_six_months: Some(2), combined_loss_eur: Some(600_000), ..facts() };
    assert_eq!(outcome("data_centre_service_provider", &f).1, vec!["CIR 2024/2690 Art 3(1)(f), Art 4".to_owned()]);
    let once = IncidentFacts { occurrences_in_six_months: Some(1), combined_loss_eur: Some(600_000), ..facts() };
    assert_eq!(outcome("data_centre_service_provider", &once).0, Outcome::NotSignificant);
    let cheap = IncidentFacts { occurrences_in_six_months: Some(3), combined_loss_eur: Some(400_000), ..facts() };
    assert_eq!(outcome("data_centre_service_provider", &cheap).0, Outcome::NotSignificant);
    let unknown = IncidentFacts { occurrences_in_six_months: Some(2), combined_loss_eur: None, ..facts() };
    assert_eq!(outcome("data_centre_service_provider", &unknown).0, Outcome::Undetermined);
}

#[test]
fn art_5_dns_thresholds_and_the_misconfiguration_exception() {
    let dns = "dns_service_provider";
    assert_eq!(
        outcome(dns, &IncidentFacts { complete_unavailability_minutes: Some(31), ..facts() }).1,
        vec!["CIR 2024/2690 Art 5(a)".to_owned()]
    );
    assert_eq!(outcome(dns, &IncidentFacts { complete_unavailability_minutes: Some(30), ..facts() }).0, Outcome::NotSignificant);
    assert_eq!(outcome(dns, &IncidentFacts { slow_dns_minutes: Some(61), ..facts() }).1, vec!["CIR 2024/2690 Art 5(b)".to_owned()]);
    let excepted =
        IncidentFacts { data_compromised: true, domains_managed: Some(900), domains_affected_by_misconfiguration: Some(9), ..facts() };
    assert_eq!(outcome(dns, &excepted).0, Outcome::NotSignificant, "fewer than 1 000 domains, no more than 1 % affected");
    let too_many = IncidentFacts { domains_affected_by_misconfiguration: Some(10), ..excepted.clone() };
    assert_eq!(outcome(dns, &too_many).1, vec!["CIR 2024/2690 Art 5(c)".to_owned()]);
}

#[test]
fn art_6_tld_any_complete_unavailability() {
    let f = IncidentFacts { complete_unavailability_minutes: Some(1), ..facts() };
    assert_eq!(outcome("tld_name_registry", &f).1, vec!["CIR 2024/2690 Art 6(a)".to_owned()]);
}

#[test]
fn art_7_cloud_limited_availability_uses_the_smaller_of_5_percent_and_one_million() {
    let cloud = "cloud_computing_service_provider";
    // 5 % of 4 000 000 Union users is 200 000: 250 000 users for 61 minutes is significant.
    let f =
        IncidentFacts { limited_availability_minutes: Some(61), users_affected: Some(250_000), union_users: Some(4_000_000), ..facts() };
    assert_eq!(outcome(cloud, &f).1, vec!["CIR 2024/2690 Art 7(b)".to_owned()]);
    // One hour exactly is not more than one hour.
    assert_eq!(outcome(cloud, &IncidentFacts { limited_availability_minutes: Some(60), ..f.clone() }).0, Outcome::NotSignificant);
    // 5 % of 40 000 000 is 2 000 000: the 1 000 000 ceiling applies.
    let big = IncidentFacts { users_affected: Some(1_000_001), union_users: Some(40_000_000), ..f.clone() };
    assert_eq!(outcome(cloud, &big).0, Outcome::Significant);
    let below = IncidentFacts { users_affected: Some(999_999), union_users: Some(40_000_000), ..f.clone() };
    assert_eq!(outcome(cloud, &below).0, Outcome::NotSignificant);
    // Without the number of Union users the share threshold is unknown.
    let no_total = IncidentFacts { union_users: None, ..f.clone() };
    assert_eq!(outcome(cloud, &no_total).0, Outcome::Undetermined);
    // Malicious data compromise is significant whatever the number of users (Art 7(c)).
    let malicious = IncidentFacts {
        data_compromised: true,
        data_compromise_malicious: true,
        data_compromise_users: Some(1),
        union_users: Some(4_000_000),
        ..facts()
    };
    assert_eq!(outcome(cloud, &malicious).1, vec!["CIR 2024/2690 Art 7(c)".to_owned()]);
}

#[test]
fn art_8_data_centres_any_unavailability_and_physical_access() {
    let dc = "data_centre_service_provider";
    assert_eq!(
        outcome(dc, &IncidentFacts { complete_unavailability_minutes: Some(1), ..facts() }).1,
        vec!["CIR 2024/2690 Art 8(a)".to_owned()]
    );
    assert_eq!(
        outcome(dc, &IncidentFacts { limited_availability_minutes: Some(61), ..facts() }).1,
        vec!["CIR 2024/2690 Art 8(b)".to_owned()]
    );
    assert_eq!(outcome(dc, &IncidentFacts { physical_access_compromised: true, ..facts() }).1, vec!["CIR 2024/2690 Art 8(d)".to_owned()]);
}

#[test]
fn art_10_managed_service_providers_follow_the_cloud_pattern() {
    let f = IncidentFacts { complete_unavailability_minutes: Some(45), ..facts() };
    assert_eq!(outcome("managed_security_service_provider", &f).1, vec!["CIR 2024/2690 Art 10(a)".to_owned()]);
}

#[test]
fn art_11_marketplaces_count_users_not_minutes() {
    let f =
        IncidentFacts { complete_unavailability_minutes: Some(5), users_affected: Some(60_000), union_users: Some(1_000_000), ..facts() };
    assert_eq!(outcome("online_marketplace_provider", &f).1, vec!["CIR 2024/2690 Art 11(a)".to_owned()]);
}

#[test]
fn art_14_trust_services() {
    let tsp = "qualified_trust_service_provider";
    assert_eq!(
        outcome(tsp, &IncidentFacts { complete_unavailability_minutes: Some(21), ..facts() }).1,
        vec!["CIR 2024/2690 Art 14(a)".to_owned()]
    );
    assert_eq!(outcome(tsp, &IncidentFacts { complete_unavailability_minutes: Some(20), ..facts() }).0, Outcome::NotSignificant);
    assert_eq!(
        outcome(tsp, &IncidentFacts { weekly_unavailability_minutes: Some(61), ..facts() }).1,
        vec!["CIR 2024/2690 Art 14(b)".to_owned()]
    );
    // 0.1 % of 50 000 relying parties is 50, below the 100 ceiling: 51 is significant.
    let data = IncidentFacts { data_compromised: true, data_compromise_users: Some(51), union_users: Some(50_000), ..facts() };
    assert_eq!(outcome(tsp, &data).1, vec!["CIR 2024/2690 Art 14(e)".to_owned()]);
    assert_eq!(outcome(tsp, &IncidentFacts { physical_access_compromised: true, ..facts() }).1, vec!["CIR 2024/2690 Art 14(d)".to_owned()]);
}

#[test]
fn art_3_2_scheduled_maintenance_does_not_count_for_availability() {
    let f = IncidentFacts { complete_unavailability_minutes: Some(240), scheduled_maintenance: true, ..facts() };
    let p = propose(Some("cloud_computing_service_provider"), &f);
    assert_eq!(p.outcome, Outcome::NotSignificant);
    assert!(p.notes[0].contains("Art 3(2)"));
    // A death during maintenance still counts (Art 3(1)(c)).
    let death = IncidentFacts { death: true, ..f };
    assert_eq!(propose(Some("cloud_computing_service_provider"), &death).outcome, Outcome::Significant);
}

#[test]
fn other_entity_types_answer_nis2_art_23_3() {
    let hospital = Some("healthcare_provider");
    let p = propose(hospital, &IncidentFacts::default());
    assert_eq!((p.outcome, p.basis.as_str(), p.undetermined.len()), (Outcome::Undetermined, "NIS2 Art 23(3)", 2));
    let yes = IncidentFacts {
        severe_disruption_or_financial_loss: Some(true),
        considerable_damage_to_others: Some(false),
        ..IncidentFacts::default()
    };
    assert_eq!(propose(hospital, &yes).criteria_met[0].article, "NIS2 Art 23(3)(a)");
    let no = IncidentFacts {
        severe_disruption_or_financial_loss: Some(false),
        considerable_damage_to_others: Some(false),
        ..IncidentFacts::default()
    };
    assert_eq!(propose(hospital, &no).outcome, Outcome::NotSignificant);
    // Unknown entity type: the Directive's own criteria.
    assert_eq!(propose(None, &yes).basis, "NIS2 Art 23(3)");
}

fn dora() -> DoraFacts {
    // Every figure given and below its threshold, critical services affected: the base of each case.
    DoraFacts {
        critical_services_affected: true,
        clients_affected: Some(10),
        clients_total: Some(1_000),
        counterparts_affected: Some(0),
        counterparts_total: Some(10),
        transactions_affected: Some(0),
        daily_average_transactions: Some(1_000),
        transaction_value_affected_eur: Some(0),
        daily_average_value_eur: Some(1_000_000),
        duration_minutes: Some(60),
        critical_function_downtime_minutes: Some(30),
        member_states_affected: Some(1),
        costs_and_losses_eur: Some(5_000),
        ..DoraFacts::default()
    }
}

#[test]
fn dora_art_8_1_needs_critical_services_and_two_thresholds_or_9_5_b() {
    assert_eq!(propose_dora(&dora()).outcome, Outcome::NotSignificant);
    // One threshold (Art 9(6): costs above EUR 100 000) is not enough …
    let one = DoraFacts { costs_and_losses_eur: Some(100_001), ..dora() };
    assert_eq!(propose_dora(&one).outcome, Outcome::NotSignificant);
    // … two are (Art 9(6) and Art 9(4): two Member States).
    let two = DoraFacts { member_states_affected: Some(2), ..one.clone() };
    let p = propose_dora(&two);
    assert_eq!(p.outcome, Outcome::Significant);
    assert!(p.criteria_met.iter().any(|c| c.article.ends_with("Art 8(1)")));
    // Art 9(5)(b) alone suffices.
    let malicious = DoraFacts { malicious_access_possible_data_loss: true, ..dora() };
    assert_eq!(propose_dora(&malicious).outcome, Outcome::Significant);
    // Without critical services nothing is major (Art 8(1)) …
    let no_critical = DoraFacts { critical_services_affected: false, ..two };
    assert_eq!(propose_dora(&no_critical).outcome, Outcome::NotSignificant);
    // … but a malicious, unauthorised access is itself an impact on critical services (Art 6(c)).
    let access = DoraFacts { critical_services_affected: false, malicious_access_possible_data_loss: true, ..dora() };
    assert_eq!(propose_dora(&access).outcome, Outcome::Significant);
}

#[test]
fn dora_art_9_thresholds_at_their_edges() {
    let met = |f: DoraFacts| propose_dora(&f).criteria_met.into_iter().map(|c| c.article).collect::<Vec<_>>();
    let plus_costs = |f: DoraFacts| DoraFacts { costs_and_losses_eur: Some(200_000), ..f };
    // Art 9(1)(a): more than 10 % of clients (100 of 1 000 is not more than 10 %).
    assert!(!met(plus_costs(DoraFacts { clients_affected: Some(100), ..dora() })).iter().any(|a| a.ends_with("Art 9(1)")));
    assert!(met(plus_costs(DoraFacts { clients_affected: Some(101), ..dora() })).iter().any(|a| a.ends_with("Art 9(1)")));
    // Art 9(1)(b): more than 100 000 clients whatever the share.
    assert!(
        met(DoraFacts { clients_affected: Some(100_001), clients_total: Some(10_000_000), ..dora() })
            .iter()
            .any(|a| a.ends_with("Art 9(1)"))
    );
    // Art 9(3): longer than 24 hours, or downtime longer than 2 hours.
    assert!(met(DoraFacts { duration_minutes: Some(24 * 60 + 1), ..dora() }).iter().any(|a| a.ends_with("Art 9(3)")));
    assert!(!met(DoraFacts { critical_function_downtime_minutes: Some(120), ..dora() }).iter().any(|a| a.ends_with("Art 9(3)")));
    assert!(met(DoraFacts { critical_function_downtime_minutes: Some(121), ..dora() }).iter().any(|a| a.ends_with("Art 9(3)")));
    // Art 9(6): costs exactly EUR 100 000 do not exceed it.
    assert!(!met(DoraFacts { costs_and_losses_eur: Some(100_000), ..dora() }).iter().any(|a| a.ends_with("Art 9(6)")));
}

#[test]
fn dora_art_8_2_recurring_and_missing_figures() {
    let recurring = DoraFacts { occurrences_in_six_months: Some(3), reputational_impact: true, data_impact_adverse: true, ..dora() };
    assert!(propose_dora(&recurring).criteria_met.iter().any(|c| c.article.ends_with("Art 8(2)")));
    // Critical services affected, nothing else known: undetermined, naming what to give.
    let unknown = DoraFacts { critical_services_affected: true, ..DoraFacts::default() };
    let p = propose_dora(&unknown);
    assert_eq!(p.outcome, Outcome::Undetermined);
    assert!(p.undetermined.iter().any(|c| c.article.ends_with("Art 9(6)")));
}
