//! NIS2 scoping for the front ends (the rules are pure domain code), and the organisation's saved
//! scoping decision, which other NIS2 features read (incident regimes, entity type, dashboard).
use crate::actor::Actor;
use crate::{App, AppResult};
use crosswalk_domain::Permission;
use crosswalk_domain::nis2::{self, EntityType, ScopeInput, ScopeResult};
use crosswalk_store::repo::nis2_profiles::{self, Nis2Profile};
use serde::Serialize;
use serde_json::json;

/// Classify an entity; validation errors name the field.
pub fn scope(input: &ScopeInput) -> AppResult<ScopeResult> {
    Ok(nis2::scope(input)?)
}

/// Every entity type of Annexes I and II (with the size-independent types of Art 2(2)).
pub fn sectors() -> &'static [EntityType] {
    nis2::ENTITY_TYPES
}

/// The organisation's scoping decision: the facts, the result recomputed from them, who decided when.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Nis2ProfileView {
    pub entity_type: String,
    pub employees: i64,
    pub turnover_eur: i64,
    pub balance_eur: i64,
    /// `essential` or `important` when the Member State identified the entity (NIS2 Art 2(2)(b)-(e)).
    pub member_state_identification: Option<String>,
    /// Identified as a critical entity under Directive (EU) 2022/2557 (NIS2 Art 2(3)).
    pub critical_entity: bool,
    pub result: ScopeResult,
    pub decided_at: chrono::DateTime<chrono::Utc>,
    pub decided_by: String,
}

fn input_of(p: &Nis2Profile) -> ScopeInput {
    ScopeInput {
        entity_type: p.entity_type.clone(),
        sector: None,
        subsector: None,
        employees: p.employees,
        turnover_eur: p.turnover_eur,
        balance_eur: p.balance_eur,
        member_state_identification: p.member_state_identification.clone(),
        critical_entity: Some(p.critical_entity),
    }
}

fn view(p: Nis2Profile) -> AppResult<Nis2ProfileView> {
    let result = scope(&input_of(&p))?;
    Ok(Nis2ProfileView {
        entity_type: p.entity_type,
        employees: p.employees,
        turnover_eur: p.turnover_eur,
        balance_eur: p.balance_eur,
        member_state_identification: p.member_state_identification,
        critical_entity: p.critical_entity,
        result,
        decided_at: p.decided_at,
        decided_by: p.decided_by,
    })
}

impl App {
    /// The organisation's saved NIS2 scoping, if it has been decided.
    pub async fn nis2_profile(&self, actor: &Actor) -> AppResult<Option<Nis2ProfileView>> {
        actor.require(Permission::Read, "reading the organisation")?;
        nis2_profiles::get(self.db(), actor.tenant.0).await?.map(view).transpose()
    }

    /// Save (or replace) the organisation's NIS2 scoping (admin, manager); journaled with its result.
    pub async fn save_nis2_profile(&self, actor: &Actor, input: ScopeInput) -> AppResult<Nis2ProfileView> {
        actor.require(Permission::ManageCompliance, "deciding the NIS2 scoping")?;
        let result = scope(&input)?;
        let class = result.classification.as_str().to_owned();
        let identification = input.member_state_identification.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let critical_entity = input.critical_entity.unwrap_or(false);
        let row = Nis2Profile {
            tenant_id: actor.tenant.0,
            entity_type: result.entity_type.to_owned(),
            employees: input.employees,
            turnover_eur: input.turnover_eur,
            balance_eur: input.balance_eur,
            member_state_identification: identification,
            critical_entity,
            classification: class.clone(),
            decided_at: self.now(),
            decided_by: actor.journal_name(),
        };
        let tx = self.begin().await?;
        let row = nis2_profiles::put(&tx, row).await?;
        self.journal(
            &tx,
            actor,
            "nis2.scope",
            "tenant",
            actor.tenant,
            json!({"entity_type": row.entity_type, "employees": row.employees, "turnover_eur": row.turnover_eur, "balance_eur": row.balance_eur, "member_state_identification": row.member_state_identification, "critical_entity": row.critical_entity, "classification": class, "basis": result.basis}),
        )
        .await?;
        tx.commit().await?;
        view(row)
    }
}
