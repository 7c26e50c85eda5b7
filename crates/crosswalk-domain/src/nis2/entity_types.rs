//! The entity types of NIS2 Annexes I and II and the types Art 2(2)-(4) bring into scope whatever
//! their size, with their sector and subsector as the Directive names them.
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
pub(super) enum Special {
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
    pub(super) special: Special,
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
