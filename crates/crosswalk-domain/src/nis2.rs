//! NIS2 scoping: is an entity essential, important or out of scope, on which articles does that rest,
//! what is the maximum fine, and which duties follow.
//!
//! Sources: Directive (EU) 2022/2555 Art 2 (scope), Art 3 (classification), Art 20, 21, 23, 27, 32-34
//! and Annexes I and II; size classes from Commission Recommendation 2003/361/EC, Annex Art 2. Summary:
//! `shared/reference/eu-law/nis2.yaml`. This is the EU floor: national transpositions may add more.
use serde::Serialize;

mod entity_types;
pub use entity_types::*;

/// Entity types that register with ENISA's registry (Art 27(1)).
const ART27_TYPES: &[&str] = &[
    "domain_name_registration_service_provider",
    "dns_service_provider",
    "tld_name_registry",
    "cloud_computing_service_provider",
    "data_centre_service_provider",
    "content_delivery_network_provider",
    "managed_service_provider",
    "managed_security_service_provider",
    "online_marketplace_provider",
    "online_search_engine_provider",
    "social_networking_platform_provider",
];

/// Whether Implementing Regulation (EU) 2024/2690 sets the technical and methodological
/// requirements of this entity type's Art 21(2) measures: NIS2 Art 21(5) first subparagraph and CIR
/// 2024/2690 Art 1 name the digital-infrastructure and digital-provider types of Art 27(1) plus
/// trust service providers.
pub fn covered_by_cir_2024_2690(entity_type: &str) -> bool {
    // Domain name registration services are in the Art 27 registry but not in Art 21(5): they have
    // no Art 21 duties at all (Art 2(4)).
    (ART27_TYPES.contains(&entity_type) && entity_type != "domain_name_registration_service_provider")
        || matches!(entity_type, "trust_service_provider" | "qualified_trust_service_provider")
}

/// Trust service providers, qualified or not: NIS2 Art 23(4) second subparagraph gives them 24 hours for
/// the incident notification, and Art 3(1)(b) / Art 2(2)(a)(ii) take them in scope whatever their size.
pub fn is_trust_service_provider(entity_type: &str) -> bool {
    matches!(entity_type, "trust_service_provider" | "qualified_trust_service_provider")
}

/// NIS2 entity types that are financial entities under DORA (Regulation (EU) 2022/2554 Art 2(1)): credit
/// institutions (point (a)), central counterparties (point (h)) and trading venues (point (i)) — the whole
/// of NIS2 Annex I points 3 (banking) and 4 (financial market infrastructure).
pub fn is_dora_financial_entity(entity_type: &str) -> bool {
    matches!(entity_type, "credit_institution" | "central_counterparty" | "trading_venue_operator")
}

/// A NIS2 duty that a sector-specific Union act replaces, and what replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReplacedDuty {
    /// The NIS2 provision that does not apply.
    pub nis2: &'static str,
    /// What applies instead.
    pub replaced_by: &'static str,
}

/// NIS2 Art 4 (lex specialis): which NIS2 duties a sector-specific Union act replaces for this entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LexSpecialis {
    pub act: &'static str,
    pub basis: Vec<&'static str>,
    pub replaces: Vec<ReplacedDuty>,
    /// What stays under NIS2.
    pub remains: Vec<&'static str>,
}

/// NIS2 Art 4(1) with DORA Art 1(2): for financial entities identified as essential or important, DORA is
/// the sector-specific act; NIS2's risk-management and reporting provisions, and its supervision and
/// enforcement (Chapter VII) for those matters, do not apply.
fn dora_lex_specialis() -> LexSpecialis {
    LexSpecialis {
        act: "Regulation (EU) 2022/2554 (DORA)",
        basis: vec!["NIS2 Art 4(1)", "DORA Art 1(2)", "DORA Art 2(1)"],
        replaces: vec![
            ReplacedDuty {
                nis2: "NIS2 Art 21 cybersecurity risk-management measures (and the Art 20 approval and oversight of them)",
                replaced_by: "DORA Chapter II ICT risk management (Arts 5-16; management body's responsibility: Art 5(2))",
            },
            ReplacedDuty {
                nis2: "NIS2 Art 23 reporting of significant incidents (early warning 24 h, notification 72 h, final report one month)",
                replaced_by: "DORA Art 19 reporting of major ICT-related incidents (initial notification, intermediate and final reports; time limits in Delegated Regulation (EU) 2025/301 Art 5)",
            },
            ReplacedDuty {
                nis2: "NIS2 Chapter VII supervision and enforcement of those duties (Art 32-33 supervision, Art 34 fines)",
                replaced_by: "DORA competent authorities (Art 46) with their supervisory and sanctioning powers (Art 50)",
            },
        ],
        remains: vec!["Identification as essential or important and the Member State's list (NIS2 Art 3(3)-(4))"],
    }
}

/// Size class under Recommendation 2003/361/EC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SizeClass {
    Micro,
    Small,
    Medium,
    Large,
}

/// Rec. 2003/361/EC Annex Art 2: the headcount ceiling must be met, and either the turnover or the
/// balance-sheet ceiling. Micro: < 10 staff, ≤ EUR 2 m; small: < 50, ≤ EUR 10 m; medium: < 250,
/// turnover ≤ EUR 50 m or balance sheet ≤ EUR 43 m. Anything above is large.
pub fn size_class(employees: u64, turnover_eur: u64, balance_eur: u64) -> SizeClass {
    let within = |staff: u64, turnover: u64, balance: u64| employees < staff && (turnover_eur <= turnover || balance_eur <= balance);
    if within(10, 2_000_000, 2_000_000) {
        SizeClass::Micro
    } else if within(50, 10_000_000, 10_000_000) {
        SizeClass::Small
    } else if within(250, 50_000_000, 43_000_000) {
        SizeClass::Medium
    } else {
        SizeClass::Large
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    Essential,
    Important,
    /// Covered for named articles only, neither essential nor important: entities providing domain
    /// name registration services (Art 2(4): Art 3(3), 27, 28).
    SpecificDuties,
    /// In scope only if a condition the result names is met (`depends_on`): regional public
    /// administration after the Member State's risk-based assessment (Art 2(2)(f)(ii)).
    Conditional,
    OutOfScope,
}

impl Classification {
    /// The stored and JSON name (`essential`, `specific_duties`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Essential => "essential",
            Self::Important => "important",
            Self::SpecificDuties => "specific_duties",
            Self::Conditional => "conditional",
            Self::OutOfScope => "out_of_scope",
        }
    }

    /// How a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Essential => "Essential",
            Self::Important => "Important",
            Self::SpecificDuties => "Specific duties only (Art 2(4))",
            Self::Conditional => "Conditional",
            Self::OutOfScope => "Out of scope",
        }
    }

    /// Whether NIS2 Art 23 incident reporting may apply (a conditional entity is treated as in scope
    /// for its clocks: missing a deadline costs more than a clock that turns out not to apply).
    pub fn reports_incidents(self) -> bool {
        matches!(self, Self::Essential | Self::Important | Self::Conditional)
    }
}

/// The maximum administrative fine Member States must at least provide for (Art 34(4)-(5)).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MaxFine {
    pub fixed_eur: u64,
    pub percent_of_worldwide_turnover: f64,
    /// The higher of the two, computed from the given turnover.
    pub amount_eur: u64,
    pub basis: &'static str,
}

/// The scoping outcome.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScopeResult {
    pub classification: Classification,
    pub entity_type: &'static str,
    pub sector: &'static str,
    pub subsector: Option<&'static str>,
    /// `None` for domain name registration services (in neither annex).
    pub annex: Option<Annex>,
    pub size_class: SizeClass,
    /// The articles the classification rests on.
    pub basis: Vec<&'static str>,
    pub max_fine: Option<MaxFine>,
    /// Duties that follow, each with its article.
    pub duties: Vec<&'static str>,
    /// NIS2 duties replaced by a sector-specific Union act (NIS2 Art 4), e.g. DORA for credit institutions.
    pub lex_specialis: Option<LexSpecialis>,
    /// For `conditional`: what the classification depends on.
    pub depends_on: Option<&'static str>,
    /// Why no maximum fine is stated, when none is.
    pub fine_note: Option<&'static str>,
    /// What this EU-floor check does not model, each with its source: the person must check these.
    pub not_modelled: Vec<&'static str>,
}

/// NIS2 Art 28, for TLD name registries and entities providing domain name registration services.
const ART28_DUTY: &str = "Collect and keep accurate and complete domain name registration data in a dedicated database with due diligence and in line with Union data protection law (Art 28(1)-(2)); have policies and procedures, including verification, and make them public (Art 28(3)); publish registration data that are not personal data without undue delay after registration (Art 28(4)); give legitimate access seekers access on lawful and duly substantiated requests without undue delay and in any event within 72 hours (Art 28(5)); avoid duplicating data collection between registries and registrars (Art 28(6))";

/// What the scoping does not model (stated on every result).
pub const NOT_MODELLED: &[&str] = &[
    "A change of size class takes effect only when the ceilings are crossed in two consecutive accounting periods (Rec. 2003/361/EC Annex Art 4(2)); this check uses the figures given",
    "Figures of partner and linked enterprises are aggregated (Rec. 2003/361/EC Annex Art 3 and 6; NIS2 recital 16 lets a Member State weigh an entity's independence); enter aggregated figures",
    "Public administration entities carrying out activities in national security, public security, defence or law enforcement are excluded (NIS2 Art 2(7)), Member States may exempt specific entities in those areas from Art 21 and 23 (Art 2(8)), and Art 2(9)-(11) limit what must be disclosed; none of this is modelled",
    "Member States may apply NIS2 to local public administration and education institutions (Art 2(5)) and keep earlier operators of essential services as essential (Art 3(1)(g))",
    "National transposition may go beyond this EU floor",
];

/// Most staff an undertaking can state: far above any employer's headcount, far below integer limits.
pub const MAX_EMPLOYEES: i64 = 100_000_000;
/// Largest turnover or balance-sheet total in EUR: above world GDP, so no real entity is refused, and the
/// Art 34 fine arithmetic (a percentage of turnover) cannot overflow.
pub const MAX_EUR: i64 = 1_000_000_000_000_000;

/// Facts about the entity (also the API's query parameters).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScopeInput {
    /// Entity-type slug (unique across annexes; see the sectors listing).
    pub entity_type: String,
    /// Optional sector slug, checked against the entity type.
    pub sector: Option<String>,
    /// Optional subsector slug, checked against the entity type.
    pub subsector: Option<String>,
    /// Staff headcount in annual work units.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub employees: i64,
    /// Annual turnover in EUR (worldwide, of the undertaking; also the base of the Art 34 fine).
    #[param(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub turnover_eur: i64,
    /// Annual balance-sheet total in EUR.
    #[param(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub balance_eur: i64,
    /// Identified by the Member State under Art 2(2)(b)-(e): `essential` (Art 3(1)(e)) or `important` (Art 3(2)).
    #[serde(default)]
    pub member_state_identification: Option<String>,
    /// Identified as a critical entity under Directive (EU) 2022/2557 (CER): in scope regardless of size (Art 2(3)) and essential (Art 3(1)(f)).
    #[serde(default)]
    pub critical_entity: Option<bool>,
}

fn figure(field: &str, v: i64, max: i64) -> Result<u64, crate::ValidationError> {
    if v > max {
        return Err(crate::ValidationError::new(field, format!("must be at most {max} (got {v})")));
    }
    u64::try_from(v).map_err(|_| crate::ValidationError::new(field, format!("must not be negative (got {v})")))
}

/// Look up an entity type by slug.
pub fn entity_type(slug: &str) -> Option<&'static EntityType> {
    ENTITY_TYPES.iter().find(|t| t.slug == slug)
}

/// Classify an entity under NIS2 Art 2 and 3.
pub fn scope(input: &ScopeInput) -> Result<ScopeResult, crate::ValidationError> {
    let employees = figure("employees", input.employees, MAX_EMPLOYEES)?;
    let turnover = figure("turnover_eur", input.turnover_eur, MAX_EUR)?;
    let balance = figure("balance_eur", input.balance_eur, MAX_EUR)?;
    let t = entity_type(&input.entity_type).ok_or_else(|| {
        crate::ValidationError::new("entity_type", format!("unknown entity type '{}' (see `crosswalk nis2 sectors`)", input.entity_type))
    })?;
    if let Some(s) = &input.sector
        && s != t.sector
    {
        return Err(crate::ValidationError::new("sector", format!("'{}' is in sector '{}', not '{s}'", t.slug, t.sector)));
    }
    if let Some(s) = &input.subsector
        && Some(s.as_str()) != t.subsector
    {
        return Err(crate::ValidationError::new("subsector", format!("'{}' is not in subsector '{s}'", t.slug)));
    }
    let size = size_class(employees, turnover, balance);
    let at_least_medium = size >= SizeClass::Medium;
    use Classification::*;
    let identification = match input.member_state_identification.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("essential") => Some(Essential),
        Some("important") => Some(Important),
        Some(other) => {
            return Err(crate::ValidationError::new(
                "member_state_identification",
                format!("'{other}' is not essential or important (NIS2 Art 2(2)(b)-(e), Art 3(1)(e), Art 3(2))"),
            ));
        }
    };
    let critical = input.critical_entity.unwrap_or(false);
    designations_agree(t, identification, critical)?;
    let (mut class, mut basis): (Classification, Vec<&'static str>) = match (t.special, t.annex, size) {
        (Special::DomainRegistrar, _, _) => (SpecificDuties, vec!["NIS2 Art 2(4)", "NIS2 Art 3(3)", "NIS2 Art 27", "NIS2 Art 28"]),
        (Special::EssentialAnySize, _, _) => (Essential, vec!["NIS2 Art 2(2)(a)", "NIS2 Art 3(1)(b)"]),
        (Special::CentralGovernment, _, _) => (Essential, vec!["NIS2 Art 2(2)(f)(i)", "NIS2 Art 3(1)(d)"]),
        (Special::RegionalGovernment, _, _) => (Conditional, vec!["NIS2 Art 2(2)(f)(ii)", "NIS2 Art 3(2) (if in scope)"]),
        (Special::PublicEcomms, _, SizeClass::Large) => (Essential, vec!["NIS2 Art 2(1)", "NIS2 Art 3(1)(a)"]),
        (Special::PublicEcomms, _, SizeClass::Medium) => (Essential, vec!["NIS2 Art 2(1)", "NIS2 Art 3(1)(c)"]),
        (Special::PublicEcomms, _, _) => (Important, vec!["NIS2 Art 2(2)(a)(i)", "NIS2 Art 3(2)"]),
        (Special::AnySize, Some(Annex::I), SizeClass::Large) => (Essential, vec!["NIS2 Art 2(1)", "NIS2 Art 3(1)(a)"]),
        (Special::AnySize, _, _) => (Important, vec!["NIS2 Art 2(2)(a)(ii)", "NIS2 Art 3(2)"]),
        (Special::None, Some(Annex::I), SizeClass::Large) => (Essential, vec!["NIS2 Art 2(1)", "NIS2 Art 3(1)(a)"]),
        (Special::None, _, _) if at_least_medium => (Important, vec!["NIS2 Art 2(1)", "NIS2 Art 3(2)"]),
        (Special::None, _, _) => (OutOfScope, vec!["NIS2 Art 2(1) (micro and small enterprises are outside the general scope)"]),
    };
    // Designations that take an Annex I or II entity in scope whatever its size (Art 2(2)(b)-(e),
    // Art 2(3)); they never lower a classification the general rules already give.
    // An entity already essential keeps its ground (Art 3(1)(e) covers "any other" entities); the
    // designation is added to the basis.
    if critical {
        if class != Essential {
            basis.clear();
        }
        class = Essential;
        basis.extend(["NIS2 Art 2(3) (critical entity under Directive (EU) 2022/2557)", "NIS2 Art 3(1)(f)"]);
    } else if identification == Some(Essential) {
        if class != Essential {
            basis = vec!["NIS2 Art 2(2)(b)-(e) (identified by the Member State)", "NIS2 Art 3(1)(e)"];
        }
        class = Essential;
    } else if identification == Some(Important) && class != Essential {
        class = Important;
        basis = vec!["NIS2 Art 2(2)(b)-(e) (identified by the Member State)", "NIS2 Art 3(2)"];
    }
    let depends_on = (class == Conditional).then_some(
        "the Member State's risk-based assessment (NIS2 Art 2(2)(f)(ii)): a regional public administration entity is in scope, as an important entity (Art 3(2)), only if that assessment finds that disruption of its services could have a significant impact on critical societal or economic activities",
    );
    let public_administration = t.sector == "public_administration";
    let lex_specialis = (matches!(class, Essential | Important) && is_dora_financial_entity(t.slug)).then(dora_lex_specialis);
    let (max_fine, fine_note) = match class {
        // Art 34(4)-(5) fines punish infringements of Art 21 and 23, which DORA replaces (Art 4(1)).
        _ if lex_specialis.is_some() => (
            None,
            Some(
                "NIS2 Art 34 fines do not apply to the duties DORA replaces (NIS2 Art 4(1)); DORA's competent authorities sanction them (DORA Art 50)",
            ),
        ),
        // Art 34(7): each Member State decides whether and how far public administration entities can be fined.
        Essential | Important | Conditional if public_administration => (
            None,
            Some(
                "NIS2 Art 34(7): each Member State decides whether and to what extent administrative fines may be imposed on public administration entities",
            ),
        ),
        // Art 34(4): essential entities, at least EUR 10 m or 2 % of worldwide annual turnover, whichever is higher.
        Essential => (Some(fine(10_000_000, 200, turnover, 2.0, "NIS2 Art 34(4)")), None),
        // Art 34(5): important entities, at least EUR 7 m or 1.4 % of worldwide annual turnover, whichever is higher.
        Important => (Some(fine(7_000_000, 140, turnover, 1.4, "NIS2 Art 34(5)")), None),
        SpecificDuties => (
            None,
            Some(
                "NIS2 Art 34 fines concern essential and important entities; penalties for infringing the Art 27-28 duties are laid down by the Member State (NIS2 Art 36)",
            ),
        ),
        Conditional => (None, None),
        OutOfScope => (None, None),
    };
    let mut duties = Vec::new();
    if class == SpecificDuties {
        duties.push("Submit entity information for the Member State's list and report changes within two weeks (Art 3(3)-(4))");
        duties.push("Submit the Art 27(2) information to the competent authority, which forwards it to ENISA's registry; notify changes without delay and in any event within three months (Art 27)");
        duties.push(ART28_DUTY);
    } else if class == Conditional {
        duties.push(
            "Obtain the Member State's risk-based assessment (Art 2(2)(f)(ii)); if it brings the entity in scope, the duties below apply",
        );
    }
    if matches!(class, Essential | Important | Conditional) {
        duties.push("Submit entity information to the Member State's list and report changes within two weeks (Art 3(3)-(4))");
        if ART27_TYPES.contains(&t.slug) {
            duties.push("Submit the Art 27(2) information to the competent authority, which forwards it to ENISA's registry; notify changes without delay and in any event within three months (Art 27)");
        }
        if t.slug == "tld_name_registry" {
            duties.push(ART28_DUTY);
        }
        if lex_specialis.is_some() {
            duties.push(
                "ICT risk management under DORA Chapter II (Arts 5-16), which replaces NIS2 Art 20-21 (NIS2 Art 4(1), DORA Art 1(2))",
            );
            duties.push("Report major ICT-related incidents under DORA Art 19 (Delegated Regulation (EU) 2025/301 Art 5), which replaces NIS2 Art 23");
            duties.push("Supervision by the DORA competent authority (DORA Art 46, 50), in place of NIS2 Art 32-34");
        } else {
            duties.push("Management body approves the cybersecurity risk-management measures, oversees them and follows training (Art 20)");
            duties.push("Take the cybersecurity risk-management measures of Art 21(2)(a)-(j) (Art 21)");
            duties.push(if is_trust_service_provider(t.slug) {
                "Report significant incidents: early warning 24 h, notification 24 h for trust service providers (Art 23(4), second subparagraph), final report one month (Art 23)"
            } else {
                "Report significant incidents: early warning 24 h, notification 72 h, final report one month (Art 23)"
            });
            duties.push(if class == Essential { "Ex ante and ex post supervision (Art 32)" } else { "Ex post supervision (Art 33)" });
        }
    }
    Ok(ScopeResult {
        classification: class,
        entity_type: t.slug,
        sector: t.sector,
        subsector: t.subsector,
        annex: t.annex,
        size_class: size,
        basis,
        max_fine,
        duties,
        lex_specialis,
        depends_on,
        fine_note,
        not_modelled: NOT_MODELLED.to_vec(),
    })
}

/// NIS2 sectors of entity types that can be critical entities under Directive (EU) 2022/2557 (CER
/// Annex: energy, transport, banking, financial market infrastructure, health, drinking water, waste
/// water, digital infrastructure, public administration of central government, space, production,
/// processing and distribution of food).
const CER_SECTORS: &[&str] = &[
    "energy",
    "transport",
    "banking",
    "financial_market_infrastructure",
    "health",
    "drinking_water",
    "waste_water",
    "digital_infrastructure",
    "space",
    "food",
];

/// Whether an entity of this type can be identified as a CER critical entity (NIS2 Art 2(3)).
pub fn may_be_cer_critical_entity(t: &EntityType) -> bool {
    CER_SECTORS.contains(&t.sector) || t.slug == "central_government_entity"
}

/// Designations that cannot hold together, refused naming the field (issue 14: "contradictory
/// designations: exit 2 / 422 naming the field").
fn designations_agree(t: &EntityType, identification: Option<Classification>, critical: bool) -> Result<(), crate::ValidationError> {
    if t.special == Special::DomainRegistrar {
        let field = if critical { "critical_entity" } else { "member_state_identification" };
        if critical || identification.is_some() {
            return Err(crate::ValidationError::new(
                field,
                "entities providing domain name registration services are in neither annex: NIS2 covers them only for Art 3(3), 27 and 28 (Art 2(4)), so they are not identified under Art 2(2)(b)-(e) or Art 2(3)",
            ));
        }
    }
    if critical && t.special != Special::DomainRegistrar && !may_be_cer_critical_entity(t) {
        return Err(crate::ValidationError::new(
            "critical_entity",
            format!(
                "{} is in sector '{}', which the CER Directive (EU) 2022/2557 Annex does not list (its public administration sector is central government only): it cannot be a critical entity under NIS2 Art 2(3)",
                t.slug, t.sector
            ),
        ));
    }
    if identification == Some(Classification::Important) {
        if critical {
            return Err(crate::ValidationError::new(
                "member_state_identification",
                "'important' contradicts critical_entity: a critical entity under Directive (EU) 2022/2557 is essential (NIS2 Art 3(1)(f))",
            ));
        }
        if matches!(t.special, Special::EssentialAnySize | Special::CentralGovernment) {
            return Err(crate::ValidationError::new(
                "member_state_identification",
                format!("'important' contradicts the entity type: {} is essential whatever its size (NIS2 Art 3(1)(b), (d))", t.slug),
            ));
        }
    }
    Ok(())
}

fn fine(fixed: u64, basis_points: u64, turnover: u64, percent: f64, basis: &'static str) -> MaxFine {
    // Integer arithmetic in basis points (1/100 %): exact for every turnover.
    let share = (u128::from(turnover) * u128::from(basis_points) / 10_000) as u64;
    MaxFine { fixed_eur: fixed, percent_of_worldwide_turnover: percent, amount_eur: fixed.max(share), basis }
}
pub mod registration;

#[cfg(test)]
mod tests;
