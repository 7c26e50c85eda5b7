//! Is an incident significant under NIS2 Art 23(3)? A proposal a person confirms (issue 14, item 6).
//!
//! For the entity types Implementing Regulation (EU) 2024/2690 covers (NIS2 Art 21(5) / CIR Art 1:
//! DNS, TLD, cloud, data centre, CDN, managed (security) service providers, online marketplaces,
//! search engines, social networks, trust service providers), the CIR states when an incident is
//! significant (`shared/reference/eu-law/cir-2024-2690.yaml`):
//! - Art 3(1): one or more of (a) direct financial loss above EUR 500 000 or 5 % of the preceding
//!   year's total annual turnover, whichever is lower; (b) exfiltration of trade secrets; (c) death of a
//!   natural person; (d) considerable damage to a natural person's health; (e) successful, suspectedly
//!   malicious and unauthorised access capable of causing severe operational disruption; (f) the
//!   recurring-incident criteria of Art 4; (g) the entity-type criteria of Arts 5–14;
//! - Art 3(2): scheduled interruptions of service and planned consequences of scheduled maintenance
//!   operations are not significant (here: the availability criteria are not counted; an overrun or
//!   an unplanned outage during maintenance is not "scheduled" and must not be marked so);
//! - Art 4: incidents not significant one by one count as one significant incident when they occurred
//!   at least twice within six months, have the same apparent root cause, and together meet the
//!   Art 3(1)(a) financial criterion;
//! - Arts 5–14: thresholds per entity type (see each function).
//!
//! For other entity types NIS2 Art 23(3) itself applies, unquantified: significant when the incident
//! (a) has caused or is capable of causing severe operational disruption of the services or financial
//! loss for the entity, or (b) has affected or is capable of affecting other natural or legal persons
//! by causing considerable material or non-material damage. A person answers those two questions.
//!
//! The outcome is a proposal: `significant` when a criterion is met; `undetermined` when a criterion
//! could be met but a figure it needs is missing; `not_significant` otherwise. A named person confirms
//! or overrides it in the incident register (journaled, with the facts and the criteria).
use serde::{Deserialize, Serialize};

/// What is known about an incident, as far as the significance criteria need it. Every field is
/// optional: a missing figure leaves the criteria that need it undetermined.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IncidentFacts {
    /// Direct financial loss the incident caused or can cause, in EUR (CIR Art 3(1)(a)).
    pub financial_loss_eur: Option<u64>,
    /// The entity's total annual turnover of the preceding financial year, in EUR (CIR Art 3(1)(a)).
    pub annual_turnover_eur: Option<u64>,
    /// Trade secrets exfiltrated, or capable of being (CIR Art 3(1)(b)).
    pub trade_secrets_exfiltrated: bool,
    /// Death of a natural person caused, or capable of being (CIR Art 3(1)(c)).
    pub death: bool,
    /// Considerable damage to a natural person's health (CIR Art 3(1)(d)).
    pub considerable_health_damage: bool,
    /// Successful, suspectedly malicious, unauthorised access capable of causing severe operational
    /// disruption (CIR Art 3(1)(e)).
    pub malicious_access_severe_disruption: bool,
    /// Only a scheduled interruption or a planned consequence of scheduled maintenance (CIR Art 3(2));
    /// not an overrun or an unplanned outage during maintenance.
    pub scheduled_maintenance: bool,
    /// Earlier incidents with the same apparent root cause within six months, this one included (CIR Art 4).
    pub occurrences_in_six_months: Option<u32>,
    /// Their combined direct financial loss, in EUR (CIR Art 4(c)).
    pub combined_loss_eur: Option<u64>,
    /// How long the service was completely unavailable, in minutes (CIR Arts 5–10, 14).
    pub complete_unavailability_minutes: Option<u32>,
    /// How long the average response time to DNS requests exceeded 10 seconds, in minutes (CIR Arts 5, 6).
    pub slow_dns_minutes: Option<u32>,
    /// How long availability was limited, in minutes (CIR Arts 7–10).
    pub limited_availability_minutes: Option<u32>,
    /// Trust services: minutes unavailable to users or relying parties in the calendar week (CIR Art 14(b)).
    pub weekly_unavailability_minutes: Option<u32>,
    /// The service's users (or relying parties) in the Union.
    pub union_users: Option<u64>,
    /// Union users affected by unavailability or limited availability.
    pub users_affected: Option<u64>,
    /// The integrity, confidentiality or authenticity of stored, transmitted or processed data was compromised.
    pub data_compromised: bool,
    /// … as a result of a suspectedly malicious action.
    pub data_compromise_malicious: bool,
    /// Union users (or relying parties) affected by the data compromise.
    pub data_compromise_users: Option<u64>,
    /// DNS: domain names the provider manages, and how many a misconfiguration affected (CIR Art 5(c)).
    pub domains_managed: Option<u64>,
    pub domains_affected_by_misconfiguration: Option<u64>,
    /// Physical access to a data centre, or to a restricted area of a trust service provider, compromised (CIR Arts 8(d), 14(d)).
    pub physical_access_compromised: bool,
    /// NIS2 Art 23(3)(a), for entity types the CIR does not cover: severe operational disruption or financial loss.
    pub severe_disruption_or_financial_loss: Option<bool>,
    /// NIS2 Art 23(3)(b), for entity types the CIR does not cover: considerable damage to other persons.
    pub considerable_damage_to_others: Option<bool>,
    /// For a financial entity reporting under DORA: the facts of Delegated Regulation (EU) 2024/1772.
    pub dora: Option<DoraFacts>,
}

/// What DORA's major-incident classification needs (Delegated Regulation (EU) 2024/1772 Arts 8-9).
/// For recurring incidents (Art 8(2)) give the figures of all of them together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DoraFacts {
    /// Critical services affected (Art 8(1), the criterion of DORA Art 18(1)(e) as specified in Art 6).
    pub critical_services_affected: bool,
    /// Clients affected, and all clients using the affected service (Art 9(1)(a)-(b)).
    pub clients_affected: Option<u64>,
    pub clients_total: Option<u64>,
    /// Financial counterparts affected, and all carrying out activities related to the service (Art 9(1)(c)).
    pub counterparts_affected: Option<u64>,
    pub counterparts_total: Option<u64>,
    /// Transactions affected, and the daily average number related to the service (Art 9(1)(d)).
    pub transactions_affected: Option<u64>,
    pub daily_average_transactions: Option<u64>,
    /// Value of transactions affected, and the daily average value, in EUR (Art 9(1)(e)).
    pub transaction_value_affected_eur: Option<u64>,
    pub daily_average_value_eur: Option<u64>,
    /// Clients or counterparts identified as relevant under Art 1(3) affected (Art 9(1)(f)).
    pub relevant_clients_or_counterparts_affected: bool,
    /// Any of the reputational impacts of Art 2(a)-(d) (Art 9(2)).
    pub reputational_impact: bool,
    /// How long the incident lasted, in minutes (Art 9(3)(a): more than 24 hours).
    pub duration_minutes: Option<u64>,
    /// Downtime of ICT services supporting critical or important functions, in minutes (Art 9(3)(b): more than 2 hours).
    pub critical_function_downtime_minutes: Option<u64>,
    /// Member States with an impact under Art 4 (Art 9(4): two or more).
    pub member_states_affected: Option<u32>,
    /// An impact on the availability, authenticity, integrity or confidentiality of data with an adverse
    /// impact on business objectives or on meeting regulatory requirements (Art 9(5)(a)).
    pub data_impact_adverse: bool,
    /// Any other successful, malicious and unauthorised access to network and information systems that may
    /// result in data losses (Art 9(5)(b)).
    pub malicious_access_possible_data_loss: bool,
    /// Costs and losses incurred or likely, in EUR (Art 9(6): more than EUR 100 000).
    pub costs_and_losses_eur: Option<u64>,
    /// Occurrences with the same apparent root cause within six months, these figures covering all (Art 8(2)).
    pub occurrences_in_six_months: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Significant,
    NotSignificant,
    /// A criterion could be met but a figure it needs is missing.
    Undetermined,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Significant => "significant",
            Self::NotSignificant => "not_significant",
            Self::Undetermined => "undetermined",
        }
    }
}

/// One criterion, with the article that states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Criterion {
    pub article: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignificanceProposal {
    pub outcome: Outcome,
    /// `CIR 2024/2690` for the entity types it covers, `NIS2 Art 23(3)` otherwise.
    pub basis: String,
    pub criteria_met: Vec<Criterion>,
    /// Criteria that could be met but need a figure that is missing, naming it.
    pub undetermined: Vec<Criterion>,
    /// Criteria not counted, and why (e.g. scheduled maintenance, CIR Art 3(2)).
    pub notes: Vec<String>,
}

/// Collects criteria as they are checked.
struct Check {
    met: Vec<Criterion>,
    undetermined: Vec<Criterion>,
    notes: Vec<String>,
}

impl Check {
    fn met(&mut self, article: &str, summary: impl Into<String>) {
        self.met.push(Criterion { article: article.into(), summary: summary.into() });
    }

    fn unknown(&mut self, article: &str, summary: impl Into<String>) {
        self.undetermined.push(Criterion { article: article.into(), summary: summary.into() });
    }

    /// More than `percent` % of the Union users or more than `absolute` users, whichever is smaller.
    fn users_above(&mut self, users: Option<u64>, union_users: Option<u64>, per_mille: u64, absolute: u64, article: &str, what: &str) {
        let Some(users) = users else {
            self.unknown(article, format!("{what}: give the number of Union users affected"));
            return;
        };
        let threshold = union_users.map_or(absolute, |total| (total * per_mille / 1000).min(absolute));
        if users > threshold {
            self.met(article, format!("{what} ({users} users > {threshold})"));
        } else if union_users.is_none() && users > 0 {
            // The share threshold may be lower than the absolute one: it needs the total.
            self.unknown(article, format!("{what}: give the service's Union users to compare {users} with the share threshold"));
        }
    }
}

/// A proposal for an incident of an entity of `entity_type` (None: not known).
pub fn propose(entity_type: Option<&str>, facts: &IncidentFacts) -> SignificanceProposal {
    let mut c = Check { met: vec![], undetermined: vec![], notes: vec![] };
    let covered = entity_type.is_some_and(crate::nis2::covered_by_cir_2024_2690);
    let basis = if covered {
        general(&mut c, facts);
        recurring(&mut c, facts);
        let availability_counts = !facts.scheduled_maintenance;
        if !availability_counts {
            c.notes.push("CIR 2024/2690 Art 3(2): scheduled interruptions and planned consequences of scheduled maintenance are not significant; the availability criteria are not counted (an overrun or unplanned outage is not covered)".into());
        }
        by_entity_type(&mut c, entity_type.unwrap_or_default(), facts, availability_counts);
        "CIR 2024/2690 Arts 3-14"
    } else {
        match facts.severe_disruption_or_financial_loss {
            Some(true) => c.met("NIS2 Art 23(3)(a)", "severe operational disruption of the services or financial loss for the entity"),
            Some(false) => {}
            None => c.unknown("NIS2 Art 23(3)(a)", "has it caused, or can it cause, severe operational disruption or financial loss? (answer severe_disruption_or_financial_loss)"),
        }
        match facts.considerable_damage_to_others {
            Some(true) => c.met("NIS2 Art 23(3)(b)", "considerable material or non-material damage to other natural or legal persons"),
            Some(false) => {}
            None => c.unknown(
                "NIS2 Art 23(3)(b)",
                "has it affected, or can it affect, others by considerable damage? (answer considerable_damage_to_others)",
            ),
        }
        "NIS2 Art 23(3)"
    };
    let outcome = if !c.met.is_empty() {
        Outcome::Significant
    } else if !c.undetermined.is_empty() {
        Outcome::Undetermined
    } else {
        Outcome::NotSignificant
    };
    SignificanceProposal { outcome, basis: basis.into(), criteria_met: c.met, undetermined: c.undetermined, notes: c.notes }
}

/// DORA major-incident classification (Delegated Regulation (EU) 2024/1772):
/// - Art 8(1): major when critical services are affected and either the Art 9(5)(b) threshold is met
///   or two or more of the other thresholds of Art 9(1)-(6) are;
/// - Art 8(2): recurring incidents, individually not major, are one major incident when they occurred
///   at least twice within six months, have the same apparent root cause and together meet Art 8(1);
/// - Art 9: the thresholds (each criterion counts once however many of its conditions are met).
pub fn propose_dora(f: &DoraFacts) -> SignificanceProposal {
    let mut c = Check { met: vec![], undetermined: vec![], notes: vec![] };
    let mut others = 0usize;
    let mut open = 0usize;
    // Art 9(1): clients, financial counterparts and transactions.
    let share = |part: Option<u64>, whole: Option<u64>, percent: u64| match (part, whole) {
        (Some(p), Some(w)) => Some(p * 100 > w * percent),
        _ => None,
    };
    let clients = [
        (share(f.clients_affected, f.clients_total, 10), "Art 9(1)(a): more than 10 % of the clients using the service"),
        (f.clients_affected.map(|n| n > 100_000), "Art 9(1)(b): more than 100 000 clients"),
        (share(f.counterparts_affected, f.counterparts_total, 30), "Art 9(1)(c): more than 30 % of the financial counterparts"),
        (
            share(f.transactions_affected, f.daily_average_transactions, 10),
            "Art 9(1)(d): more than 10 % of the daily average number of transactions",
        ),
        (
            share(f.transaction_value_affected_eur, f.daily_average_value_eur, 10),
            "Art 9(1)(e): more than 10 % of the daily average value of transactions",
        ),
        (Some(f.relevant_clients_or_counterparts_affected), "Art 9(1)(f): clients or counterparts identified as relevant (Art 1(3))"),
    ];
    if let Some((_, what)) = clients.iter().find(|(met, _)| *met == Some(true)) {
        c.met("Delegated Regulation (EU) 2024/1772 Art 9(1)", *what);
        others += 1;
    } else if clients.iter().any(|(met, _)| met.is_none()) {
        c.unknown(
            "Delegated Regulation (EU) 2024/1772 Art 9(1)",
            "clients, counterparts or transactions: give the affected numbers and their totals",
        );
        open += 1;
    }
    if f.reputational_impact {
        c.met("Delegated Regulation (EU) 2024/1772 Art 9(2)", "reputational impact (Art 2(a)-(d))");
        others += 1;
    }
    let long = f.duration_minutes.map(|m| m > 24 * 60);
    let down = f.critical_function_downtime_minutes.map(|m| m > 120);
    if long == Some(true) || down == Some(true) {
        c.met(
            "Delegated Regulation (EU) 2024/1772 Art 9(3)",
            if long == Some(true) {
                "duration longer than 24 hours"
            } else {
                "downtime longer than 2 hours for ICT services supporting critical or important functions"
            },
        );
        others += 1;
    } else if long.is_none() || down.is_none() {
        c.unknown(
            "Delegated Regulation (EU) 2024/1772 Art 9(3)",
            "give the duration and the downtime of services supporting critical or important functions",
        );
        open += 1;
    }
    match f.member_states_affected {
        Some(n) if n >= 2 => {
            c.met("Delegated Regulation (EU) 2024/1772 Art 9(4)", format!("impact in {n} Member States"));
            others += 1;
        }
        Some(_) => {}
        None => {
            c.unknown("Delegated Regulation (EU) 2024/1772 Art 9(4)", "give the number of Member States with an impact (Art 4)");
            open += 1;
        }
    }
    if f.data_impact_adverse {
        c.met("Delegated Regulation (EU) 2024/1772 Art 9(5)(a)", "data impact adverse to business objectives or regulatory requirements");
        others += 1;
    }
    let malicious = f.malicious_access_possible_data_loss;
    if malicious {
        c.met(
            "Delegated Regulation (EU) 2024/1772 Art 9(5)(b)",
            "successful, malicious and unauthorised access that may result in data losses",
        );
    }
    match f.costs_and_losses_eur {
        Some(eur) if eur > 100_000 => {
            c.met("Delegated Regulation (EU) 2024/1772 Art 9(6)", format!("costs and losses EUR {eur} above EUR 100 000"));
            others += 1;
        }
        Some(_) => {}
        None => {
            c.unknown("Delegated Regulation (EU) 2024/1772 Art 9(6)", "give the costs and losses incurred or likely (EUR)");
            open += 1;
        }
    }
    let thresholds_hold = malicious || others >= 2;
    // Art 6(c): a successful, malicious and unauthorised access to the entity's network and
    // information systems is itself an impact on critical services.
    let critical = f.critical_services_affected || malicious;
    if malicious && !f.critical_services_affected {
        c.notes.push("Art 6(c): the malicious, unauthorised access counts as affecting critical services".into());
    }
    let outcome = if !critical {
        c.notes.push("Art 8(1): an incident is major only when it affected critical services (Art 6); none are recorded".into());
        Outcome::NotSignificant
    } else if thresholds_hold {
        Outcome::Significant
    } else if others + open >= 2 {
        Outcome::Undetermined
    } else {
        Outcome::NotSignificant
    };
    if outcome == Outcome::Significant {
        let recurring = f.occurrences_in_six_months.is_some_and(|n| n >= 2);
        c.met(
            if recurring { "Delegated Regulation (EU) 2024/1772 Art 8(2)" } else { "Delegated Regulation (EU) 2024/1772 Art 8(1)" },
            if recurring {
                "recurring incidents with the same apparent root cause within six months together meet Art 8(1)".to_owned()
            } else if malicious {
                "critical services affected and the Art 9(5)(b) threshold met".to_owned()
            } else {
                format!("critical services affected and {others} other thresholds met")
            },
        );
    }
    SignificanceProposal {
        outcome,
        basis: "Delegated Regulation (EU) 2024/1772 Arts 8-9 (DORA major ICT-related incident)".into(),
        criteria_met: c.met,
        undetermined: if outcome == Outcome::Significant { vec![] } else { c.undetermined },
        notes: c.notes,
    }
}

/// CIR Art 3(1)(a): EUR 500 000 or 5 % of the preceding year's total annual turnover, whichever is lower.
pub fn financial_threshold(annual_turnover_eur: Option<u64>) -> u64 {
    annual_turnover_eur.map_or(500_000, |t| (t / 20).min(500_000))
}

fn general(c: &mut Check, f: &IncidentFacts) {
    match f.financial_loss_eur {
        Some(loss) => {
            let threshold = financial_threshold(f.annual_turnover_eur);
            if loss > threshold {
                c.met("CIR 2024/2690 Art 3(1)(a)", format!("direct financial loss EUR {loss} above EUR {threshold}"));
            } else if f.annual_turnover_eur.is_none() && loss > 0 {
                c.unknown("CIR 2024/2690 Art 3(1)(a)", "give the preceding year's annual turnover: 5 % of it may be below EUR 500 000");
            }
        }
        None => c.unknown("CIR 2024/2690 Art 3(1)(a)", "give the direct financial loss (EUR 0 if none)"),
    }
    if f.trade_secrets_exfiltrated {
        c.met("CIR 2024/2690 Art 3(1)(b)", "exfiltration of trade secrets (Directive (EU) 2016/943 Art 2(1))");
    }
    if f.death {
        c.met("CIR 2024/2690 Art 3(1)(c)", "death of a natural person");
    }
    if f.considerable_health_damage {
        c.met("CIR 2024/2690 Art 3(1)(d)", "considerable damage to a natural person's health");
    }
    if f.malicious_access_severe_disruption {
        c.met(
            "CIR 2024/2690 Art 3(1)(e)",
            "successful, suspectedly malicious and unauthorised access capable of causing severe operational disruption",
        );
    }
}

/// CIR Art 4: at least twice within six months, same apparent root cause, together above the Art 3(1)(a) threshold.
fn recurring(c: &mut Check, f: &IncidentFacts) {
    match (f.occurrences_in_six_months, f.combined_loss_eur) {
        (Some(n), Some(loss)) if n >= 2 && loss > financial_threshold(f.annual_turnover_eur) => {
            c.met(
                "CIR 2024/2690 Art 3(1)(f), Art 4",
                format!("{n} incidents with the same apparent root cause within six months, together EUR {loss}"),
            );
        }
        (Some(n), None) if n >= 2 => {
            c.unknown("CIR 2024/2690 Art 3(1)(f), Art 4", "recurring incidents: give their combined direct financial loss")
        }
        _ => {}
    }
}

fn minutes_above(c: &mut Check, minutes: Option<u32>, limit: u32, article: &str, what: &str) {
    if minutes.is_some_and(|m| m > limit) {
        c.met(article, format!("{what} for more than {limit} minutes"));
    }
}

fn by_entity_type(c: &mut Check, entity_type: &str, f: &IncidentFacts, availability: bool) {
    let data = |c: &mut Check, article_malicious: &str| {
        if f.data_compromised && f.data_compromise_malicious {
            c.met(article_malicious, "integrity, confidentiality or authenticity of data compromised by a suspectedly malicious action");
        }
    };
    match entity_type {
        // Art 5: DNS service providers.
        "dns_service_provider" => {
            if availability {
                minutes_above(
                    c,
                    f.complete_unavailability_minutes,
                    30,
                    "CIR 2024/2690 Art 5(a)",
                    "recursive or authoritative resolution completely unavailable",
                );
                minutes_above(
                    c,
                    f.slow_dns_minutes,
                    60,
                    "CIR 2024/2690 Art 5(b)",
                    "average response time to DNS requests above 10 seconds",
                );
            }
            if f.data_compromised {
                // Except where fewer than 1 000 domain names, and no more than 1 % of those the provider
                // manages, are incorrect because of a misconfiguration (not a malicious action).
                let excepted = !f.data_compromise_malicious
                    && matches!((f.domains_managed, f.domains_affected_by_misconfiguration), (Some(total), Some(hit)) if hit < 1000 && hit * 100 <= total);
                if excepted {
                    c.notes.push("CIR 2024/2690 Art 5(c): fewer than 1 000 domain names, no more than 1 % of those managed, incorrect because of a misconfiguration: excepted".into());
                } else {
                    c.met(
                        "CIR 2024/2690 Art 5(c)",
                        "integrity, confidentiality or authenticity of authoritative resolution data compromised",
                    );
                }
            }
        }
        // Art 6: TLD name registries.
        "tld_name_registry" => {
            if availability {
                if f.complete_unavailability_minutes.is_some_and(|m| m > 0) {
                    c.met("CIR 2024/2690 Art 6(a)", "authoritative resolution service completely unavailable");
                }
                minutes_above(
                    c,
                    f.slow_dns_minutes,
                    60,
                    "CIR 2024/2690 Art 6(b)",
                    "average response time to DNS requests above 10 seconds",
                );
            }
            if f.data_compromised {
                c.met(
                    "CIR 2024/2690 Art 6(c)",
                    "integrity, confidentiality or authenticity of data of the TLD's technical operation compromised",
                );
            }
        }
        // Art 7 cloud, Art 9 CDN, Art 10 managed (security) service providers: the same pattern.
        "cloud_computing_service_provider"
        | "content_delivery_network_provider"
        | "managed_service_provider"
        | "managed_security_service_provider" => {
            let art = match entity_type {
                "cloud_computing_service_provider" => "7",
                "content_delivery_network_provider" => "9",
                _ => "10",
            };
            let a = |point: &str| format!("CIR 2024/2690 Art {art}({point})");
            if availability {
                minutes_above(c, f.complete_unavailability_minutes, 30, &a("a"), "service completely unavailable");
                if f.limited_availability_minutes.is_some_and(|m| m > 60) {
                    c.users_above(f.users_affected, f.union_users, 50, 1_000_000, &a("b"), "availability limited for more than one hour");
                }
            }
            data(c, &a("c"));
            if f.data_compromised {
                c.users_above(f.data_compromise_users, f.union_users, 50, 1_000_000, &a("d"), "data compromised");
            }
        }
        // Art 8: data centre service providers.
        "data_centre_service_provider" => {
            if availability {
                if f.complete_unavailability_minutes.is_some_and(|m| m > 0) {
                    c.met("CIR 2024/2690 Art 8(a)", "a data centre service completely unavailable");
                }
                minutes_above(
                    c,
                    f.limited_availability_minutes,
                    60,
                    "CIR 2024/2690 Art 8(b)",
                    "a data centre service's availability limited",
                );
            }
            data(c, "CIR 2024/2690 Art 8(c)");
            if f.physical_access_compromised {
                c.met("CIR 2024/2690 Art 8(d)", "physical access to a data centre operated by the provider compromised");
            }
        }
        // Art 11 online marketplaces, Art 12 search engines, Art 13 social networks: the same pattern.
        "online_marketplace_provider" | "online_search_engine_provider" | "social_networking_platform_provider" => {
            let art = match entity_type {
                "online_marketplace_provider" => "11",
                "online_search_engine_provider" => "12",
                _ => "13",
            };
            let a = |point: &str| format!("CIR 2024/2690 Art {art}({point})");
            // No minimum duration: the number of Union users affected decides (points (a) and (b)).
            if availability {
                let down = f.complete_unavailability_minutes.is_some_and(|m| m > 0);
                let limited = f.limited_availability_minutes.is_some_and(|m| m > 0);
                if down {
                    c.users_above(f.users_affected, f.union_users, 50, 1_000_000, &a("a"), "completely unavailable");
                }
                if limited {
                    c.users_above(f.users_affected, f.union_users, 50, 1_000_000, &a("b"), "limited availability");
                }
                if !down && !limited && f.users_affected.is_some_and(|u| u > 0) {
                    c.unknown(
                        &a("a/b"),
                        "users were affected: say whether the service was completely unavailable or its availability limited",
                    );
                }
            }
            data(c, &a("c"));
            if f.data_compromised {
                c.users_above(f.data_compromise_users, f.union_users, 50, 1_000_000, &a("d"), "data compromised");
            }
        }
        // Art 14: trust service providers.
        "trust_service_provider" | "qualified_trust_service_provider" => {
            if availability {
                minutes_above(c, f.complete_unavailability_minutes, 20, "CIR 2024/2690 Art 14(a)", "trust service completely unavailable");
                minutes_above(
                    c,
                    f.weekly_unavailability_minutes,
                    60,
                    "CIR 2024/2690 Art 14(b)",
                    "trust service unavailable to users or relying parties in the calendar week",
                );
                if f.limited_availability_minutes.is_some_and(|m| m > 0) {
                    c.users_above(f.users_affected, f.union_users, 10, 200_000, "CIR 2024/2690 Art 14(c)", "availability limited");
                }
            }
            if f.physical_access_compromised {
                c.met(
                    "CIR 2024/2690 Art 14(d)",
                    "physical access to a restricted area holding network and information systems compromised",
                );
            }
            if f.data_compromised {
                c.users_above(
                    f.data_compromise_users,
                    f.union_users,
                    1,
                    100,
                    "CIR 2024/2690 Art 14(e)",
                    "data of the trust service compromised",
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
