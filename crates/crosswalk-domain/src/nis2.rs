//! NIS2 scoping: is an entity essential, important or out of scope, on which articles does that rest,
//! what is the maximum fine, and which duties follow.
//!
//! Sources: Directive (EU) 2022/2555 Art 2 (scope), Art 3 (classification), Art 20, 21, 23, 27, 32-34
//! and Annexes I and II; size classes from Commission Recommendation 2003/361/EC, Annex Art 2. Summary:
//! `shared/reference/eu-law/nis2.yaml`. This is the EU floor: national transpositions may add more.
use serde::Serialize;

/// Which annex an entity type is listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum Annex {
    #[serde(rename = "I")]
    I,
    #[serde(rename = "II")]
    II,
}

/// Rules that make an entity type differ from the general size test of Art 2(1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    None,
    /// Qualified trust service providers, TLD name registries, DNS service providers: in scope whatever
    /// their size (Art 2(2)(a)(ii)-(iii)) and essential (Art 3(1)(b)).
    EssentialAnySize,
    /// Public electronic communications networks/services: in scope whatever their size (Art 2(2)(a)(i));
    /// essential when medium (Art 3(1)(c)) or large (Art 3(1)(a)); otherwise important (Art 3(2)).
    PublicEcomms,
    /// Non-qualified trust service providers: in scope whatever their size (Art 2(2)(a)(ii)).
    AnySize,
    /// Central government public administration: in scope (Art 2(2)(f)(i)) and essential (Art 3(1)(d)).
    CentralGovernment,
    /// Regional public administration: in scope after the Member State's risk-based assessment (Art 2(2)(f)(ii)).
    RegionalGovernment,
    /// Entities providing domain name registration services: in neither annex; covered regardless of
    /// size only for Art 3(3) (the Member State's list), Art 27 (ENISA registry) and Art 28
    /// (registration data) — Art 2(4).
    DomainRegistrar,
}

/// An entity type of Annex I or II.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct EntityType {
    pub slug: &'static str,
    pub name: &'static str,
    /// `None` for entities NIS2 covers outside its annexes (domain name registration services, Art 2(4)).
    pub annex: Option<Annex>,
    pub sector: &'static str,
    pub sector_name: &'static str,
    pub subsector: Option<&'static str>,
    pub subsector_name: Option<&'static str>,
    #[serde(skip)]
    special: Special,
}

macro_rules! t {
    ($annex:ident, $sector:literal, $sector_name:literal, $sub:expr, $sub_name:expr, $slug:literal, $name:literal) => {
        t!($annex, $sector, $sector_name, $sub, $sub_name, $slug, $name, Special::None)
    };
    ($annex:ident, $sector:literal, $sector_name:literal, $sub:expr, $sub_name:expr, $slug:literal, $name:literal, $special:expr) => {
        EntityType {
            slug: $slug,
            name: $name,
            annex: Some(Annex::$annex),
            sector: $sector,
            sector_name: $sector_name,
            subsector: $sub,
            subsector_name: $sub_name,
            special: $special,
        }
    };
}

const E: Option<&str> = None;

/// Every entity type of Annexes I and II, with the size-independent types of Art 2(2).
pub static ENTITY_TYPES: &[EntityType] = &[
    // Annex I point 1: Energy
    t!(
        I,
        "energy",
        "Energy",
        Some("electricity"),
        Some("Electricity"),
        "electricity_supply_undertaking",
        "Electricity undertakings carrying out the function of supply"
    ),
    t!(
        I,
        "energy",
        "Energy",
        Some("electricity"),
        Some("Electricity"),
        "electricity_distribution_system_operator",
        "Distribution system operators (electricity)"
    ),
    t!(
        I,
        "energy",
        "Energy",
        Some("electricity"),
        Some("Electricity"),
        "electricity_transmission_system_operator",
        "Transmission system operators (electricity)"
    ),
    t!(I, "energy", "Energy", Some("electricity"), Some("Electricity"), "electricity_producer", "Producers"),
    t!(
        I,
        "energy",
        "Energy",
        Some("electricity"),
        Some("Electricity"),
        "nominated_electricity_market_operator",
        "Nominated electricity market operators"
    ),
    t!(
        I,
        "energy",
        "Energy",
        Some("electricity"),
        Some("Electricity"),
        "electricity_market_participant",
        "Market participants providing aggregation, demand response or energy storage services"
    ),
    t!(I, "energy", "Energy", Some("electricity"), Some("Electricity"), "recharging_point_operator", "Operators of a recharging point"),
    t!(
        I,
        "energy",
        "Energy",
        Some("district_heating_cooling"),
        Some("District heating and cooling"),
        "district_heating_cooling_operator",
        "Operators of district heating or district cooling"
    ),
    t!(I, "energy", "Energy", Some("oil"), Some("Oil"), "oil_pipeline_operator", "Operators of oil transmission pipelines"),
    t!(
        I,
        "energy",
        "Energy",
        Some("oil"),
        Some("Oil"),
        "oil_production_refining_operator",
        "Operators of oil production, refining and treatment facilities, storage and transmission"
    ),
    t!(I, "energy", "Energy", Some("oil"), Some("Oil"), "central_stockholding_entity", "Central stockholding entities"),
    t!(I, "energy", "Energy", Some("gas"), Some("Gas"), "gas_supply_undertaking", "Supply undertakings (gas)"),
    t!(I, "energy", "Energy", Some("gas"), Some("Gas"), "gas_distribution_system_operator", "Distribution system operators (gas)"),
    t!(I, "energy", "Energy", Some("gas"), Some("Gas"), "gas_transmission_system_operator", "Transmission system operators (gas)"),
    t!(I, "energy", "Energy", Some("gas"), Some("Gas"), "gas_storage_system_operator", "Storage system operators"),
    t!(I, "energy", "Energy", Some("gas"), Some("Gas"), "lng_system_operator", "LNG system operators"),
    t!(I, "energy", "Energy", Some("gas"), Some("Gas"), "natural_gas_undertaking", "Natural gas undertakings"),
    t!(
        I,
        "energy",
        "Energy",
        Some("gas"),
        Some("Gas"),
        "natural_gas_refining_operator",
        "Operators of natural gas refining and treatment facilities"
    ),
    t!(
        I,
        "energy",
        "Energy",
        Some("hydrogen"),
        Some("Hydrogen"),
        "hydrogen_operator",
        "Operators of hydrogen production, storage and transmission"
    ),
    // Annex I point 2: Transport
    t!(I, "transport", "Transport", Some("air"), Some("Air"), "air_carrier", "Air carriers"),
    t!(
        I,
        "transport",
        "Transport",
        Some("air"),
        Some("Air"),
        "airport_managing_body",
        "Airport managing bodies and operators of ancillary installations within airports"
    ),
    t!(
        I,
        "transport",
        "Transport",
        Some("air"),
        Some("Air"),
        "air_traffic_control_operator",
        "Traffic management control operators providing air traffic control services"
    ),
    t!(I, "transport", "Transport", Some("rail"), Some("Rail"), "rail_infrastructure_manager", "Infrastructure managers (rail)"),
    t!(
        I,
        "transport",
        "Transport",
        Some("rail"),
        Some("Rail"),
        "railway_undertaking",
        "Railway undertakings, including operators of service facilities"
    ),
    t!(
        I,
        "transport",
        "Transport",
        Some("water"),
        Some("Water"),
        "water_transport_company",
        "Inland, sea and coastal passenger and freight water transport companies"
    ),
    t!(
        I,
        "transport",
        "Transport",
        Some("water"),
        Some("Water"),
        "port_managing_body",
        "Managing bodies of ports and operators of works and equipment within ports"
    ),
    t!(
        I,
        "transport",
        "Transport",
        Some("water"),
        Some("Water"),
        "vessel_traffic_service_operator",
        "Operators of vessel traffic services"
    ),
    t!(
        I,
        "transport",
        "Transport",
        Some("road"),
        Some("Road"),
        "road_authority",
        "Road authorities responsible for traffic management control"
    ),
    t!(
        I,
        "transport",
        "Transport",
        Some("road"),
        Some("Road"),
        "intelligent_transport_system_operator",
        "Operators of Intelligent Transport Systems"
    ),
    // Annex I points 3-7
    t!(I, "banking", "Banking", E, E, "credit_institution", "Credit institutions"),
    t!(
        I,
        "financial_market_infrastructure",
        "Financial market infrastructure",
        E,
        E,
        "trading_venue_operator",
        "Operators of trading venues"
    ),
    t!(
        I,
        "financial_market_infrastructure",
        "Financial market infrastructure",
        E,
        E,
        "central_counterparty",
        "Central counterparties (CCPs)"
    ),
    t!(I, "health", "Health", E, E, "healthcare_provider", "Healthcare providers"),
    t!(I, "health", "Health", E, E, "eu_reference_laboratory", "EU reference laboratories"),
    t!(I, "health", "Health", E, E, "medicinal_products_rnd", "Entities carrying out research and development of medicinal products"),
    t!(
        I,
        "health",
        "Health",
        E,
        E,
        "pharmaceutical_manufacturer",
        "Entities manufacturing basic pharmaceutical products and preparations (NACE C 21)"
    ),
    t!(
        I,
        "health",
        "Health",
        E,
        E,
        "critical_medical_device_manufacturer",
        "Entities manufacturing medical devices considered critical during a public health emergency"
    ),
    t!(
        I,
        "drinking_water",
        "Drinking water",
        E,
        E,
        "drinking_water_supplier",
        "Suppliers and distributors of water intended for human consumption"
    ),
    t!(I, "waste_water", "Waste water", E, E, "waste_water_undertaking", "Undertakings collecting, disposing of or treating waste water"),
    // Annex I point 8: Digital infrastructure
    t!(
        I,
        "digital_infrastructure",
        "Digital infrastructure",
        E,
        E,
        "internet_exchange_point_provider",
        "Internet Exchange Point providers"
    ),
    t!(
        I,
        "digital_infrastructure",
        "Digital infrastructure",
        E,
        E,
        "dns_service_provider",
        "DNS service providers, excluding operators of root name servers",
        Special::EssentialAnySize
    ),
    t!(I, "digital_infrastructure", "Digital infrastructure", E, E, "tld_name_registry", "TLD name registries", Special::EssentialAnySize),
    t!(
        I,
        "digital_infrastructure",
        "Digital infrastructure",
        E,
        E,
        "cloud_computing_service_provider",
        "Cloud computing service providers"
    ),
    t!(I, "digital_infrastructure", "Digital infrastructure", E, E, "data_centre_service_provider", "Data centre service providers"),
    t!(
        I,
        "digital_infrastructure",
        "Digital infrastructure",
        E,
        E,
        "content_delivery_network_provider",
        "Content delivery network providers"
    ),
    t!(
        I,
        "digital_infrastructure",
        "Digital infrastructure",
        E,
        E,
        "qualified_trust_service_provider",
        "Qualified trust service providers",
        Special::EssentialAnySize
    ),
    t!(
        I,
        "digital_infrastructure",
        "Digital infrastructure",
        E,
        E,
        "trust_service_provider",
        "Trust service providers (non-qualified)",
        Special::AnySize
    ),
    t!(
        I,
        "digital_infrastructure",
        "Digital infrastructure",
        E,
        E,
        "public_electronic_communications_network_provider",
        "Providers of public electronic communications networks",
        Special::PublicEcomms
    ),
    t!(
        I,
        "digital_infrastructure",
        "Digital infrastructure",
        E,
        E,
        "public_electronic_communications_service_provider",
        "Providers of publicly available electronic communications services",
        Special::PublicEcomms
    ),
    // Annex I points 9-11
    t!(
        I,
        "ict_service_management",
        "ICT service management (business-to-business)",
        E,
        E,
        "managed_service_provider",
        "Managed service providers"
    ),
    t!(
        I,
        "ict_service_management",
        "ICT service management (business-to-business)",
        E,
        E,
        "managed_security_service_provider",
        "Managed security service providers"
    ),
    t!(
        I,
        "public_administration",
        "Public administration",
        E,
        E,
        "central_government_entity",
        "Public administration entities of central governments",
        Special::CentralGovernment
    ),
    t!(
        I,
        "public_administration",
        "Public administration",
        E,
        E,
        "regional_government_entity",
        "Public administration entities at regional level",
        Special::RegionalGovernment
    ),
    t!(
        I,
        "space",
        "Space",
        E,
        E,
        "space_ground_infrastructure_operator",
        "Operators of ground-based infrastructure supporting space-based services"
    ),
    // Annex II
    t!(
        II,
        "postal_courier",
        "Postal and courier services",
        E,
        E,
        "postal_service_provider",
        "Postal service providers, including providers of courier services"
    ),
    t!(
        II,
        "waste_management",
        "Waste management",
        E,
        E,
        "waste_management_undertaking",
        "Undertakings carrying out waste management as their principal economic activity"
    ),
    t!(
        II,
        "chemicals",
        "Manufacture, production and distribution of chemicals",
        E,
        E,
        "chemicals_undertaking",
        "Undertakings manufacturing or distributing substances or mixtures, or producing articles from them"
    ),
    t!(
        II,
        "food",
        "Production, processing and distribution of food",
        E,
        E,
        "food_business",
        "Food businesses in wholesale distribution and industrial production and processing"
    ),
    t!(
        II,
        "manufacturing",
        "Manufacturing",
        Some("medical_devices"),
        Some("Manufacture of medical devices and in vitro diagnostic medical devices"),
        "medical_device_manufacturer",
        "Manufacturers of medical devices and in vitro diagnostic medical devices"
    ),
    t!(
        II,
        "manufacturing",
        "Manufacturing",
        Some("computer_electronic_optical"),
        Some("Manufacture of computer, electronic and optical products"),
        "computer_electronic_optical_manufacturer",
        "Undertakings in NACE C 26"
    ),
    t!(
        II,
        "manufacturing",
        "Manufacturing",
        Some("electrical_equipment"),
        Some("Manufacture of electrical equipment"),
        "electrical_equipment_manufacturer",
        "Undertakings in NACE C 27"
    ),
    t!(
        II,
        "manufacturing",
        "Manufacturing",
        Some("machinery_equipment"),
        Some("Manufacture of machinery and equipment n.e.c."),
        "machinery_manufacturer",
        "Undertakings in NACE C 28"
    ),
    t!(
        II,
        "manufacturing",
        "Manufacturing",
        Some("motor_vehicles"),
        Some("Manufacture of motor vehicles, trailers and semi-trailers"),
        "motor_vehicle_manufacturer",
        "Undertakings in NACE C 29"
    ),
    t!(
        II,
        "manufacturing",
        "Manufacturing",
        Some("other_transport_equipment"),
        Some("Manufacture of other transport equipment"),
        "other_transport_equipment_manufacturer",
        "Undertakings in NACE C 30"
    ),
    t!(II, "digital_providers", "Digital providers", E, E, "online_marketplace_provider", "Providers of online marketplaces"),
    t!(II, "digital_providers", "Digital providers", E, E, "online_search_engine_provider", "Providers of online search engines"),
    t!(
        II,
        "digital_providers",
        "Digital providers",
        E,
        E,
        "social_networking_platform_provider",
        "Providers of social networking services platforms"
    ),
    t!(II, "research", "Research", E, E, "research_organisation", "Research organisations"),
    // Art 2(4): in neither annex; covered for Art 3(3), 27 and 28 only.
    EntityType {
        slug: "domain_name_registration_service_provider",
        name: "Entities providing domain name registration services (NIS2 Art 2(4); in neither annex)",
        annex: None,
        sector: "domain_name_registration",
        sector_name: "Domain name registration services (Art 2(4), 27, 28)",
        subsector: None,
        subsector_name: None,
        special: Special::DomainRegistrar,
    },
];

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
