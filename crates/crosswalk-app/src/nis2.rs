//! NIS2 scoping for the front ends (the rules are pure domain code), and the organisation's saved
//! scoping decision, which other NIS2 features read (incident regimes, entity type, dashboard).
use crate::actor::Actor;
use crate::{App, AppError, AppResult};
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

/// The organisation's NIS2 registration record (Art 3(4), Art 27(2)) with its reporting deadlines.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegistrationView {
    pub record: crosswalk_domain::nis2::registration::RegistrationInput,
    pub changed_on: chrono::NaiveDate,
    pub reported_on: Option<chrono::NaiveDate>,
    /// When the current content must have reached the authority (Art 3(4); Art 27(3) for Art 27 types).
    pub report_by: Vec<crosswalk_domain::nis2::registration::ReportDue>,
    /// Not reported and the two-week limit has passed.
    pub overdue: bool,
    pub updated_by: String,
}

/// Reminder kind for an unreported registration change.
pub const REGISTRATION_CHANGE: &str = "nis2.registration";

fn lines(v: &[String]) -> String {
    v.join("\n")
}

fn split_lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

fn to_civil(d: chrono::NaiveDate) -> jiff::civil::Date {
    use chrono::Datelike as _;
    jiff::civil::Date::new(d.year() as i16, d.month() as i8, d.day() as i8).unwrap_or_default()
}

impl App {
    /// The saved registration record, if any, with when its last change must be reported.
    pub async fn nis2_registration(&self, actor: &Actor) -> AppResult<Option<RegistrationView>> {
        actor.require(Permission::Read, "reading the organisation")?;
        let Some(r) = crosswalk_store::repo::nis2_registrations::get(self.db(), actor.tenant.0).await? else { return Ok(None) };
        let entity_type = nis2_profiles::get(self.db(), actor.tenant.0).await?.map(|p| p.entity_type).unwrap_or_default();
        Ok(Some(self.registration_view(r, &entity_type)))
    }

    fn registration_view(&self, r: crosswalk_store::repo::nis2_registrations::Nis2Registration, entity_type: &str) -> RegistrationView {
        let report_by = crosswalk_domain::nis2::registration::change_report_due(to_civil(r.changed_on), entity_type);
        let today = to_civil(self.now().date_naive());
        let overdue = r.reported_on.is_none() && report_by.first().is_some_and(|d| d.by < today);
        RegistrationView {
            record: crosswalk_domain::nis2::registration::RegistrationInput {
                name: r.name,
                address: r.address,
                emails: split_lines(&r.emails),
                phones: split_lines(&r.phones),
                ip_ranges: split_lines(&r.ip_ranges),
                member_states: split_lines(&r.member_states),
                representative: r.representative,
                changed_on: Some(to_civil(r.changed_on)),
            },
            changed_on: r.changed_on,
            reported_on: r.reported_on,
            report_by,
            overdue,
            updated_by: r.updated_by,
        }
    }

    /// Save the registration record (admin, manager; journaled). A change of content starts the
    /// reporting clock again (Art 3(4): two weeks) and schedules a reminder; saving the same content
    /// changes nothing.
    pub async fn save_nis2_registration(
        &self,
        actor: &Actor,
        input: crosswalk_domain::nis2::registration::RegistrationInput,
    ) -> AppResult<RegistrationView> {
        actor.require(Permission::ManageCompliance, "keeping the NIS2 registration record")?;
        let clean = crosswalk_domain::nis2::registration::validate(&input)?;
        let before = crosswalk_store::repo::nis2_registrations::get(self.db(), actor.tenant.0).await?;
        let entity_type = nis2_profiles::get(self.db(), actor.tenant.0).await?.map(|p| p.entity_type).unwrap_or_default();
        let today = self.now().date_naive();
        let changed_on = match clean.changed_on {
            Some(d) => chrono::NaiveDate::from_ymd_opt(i32::from(d.year()), d.month() as u32, d.day() as u32)
                .ok_or_else(|| AppError::invalid("changed_on", format!("{d} is not a date")))?,
            None => today,
        };
        if changed_on > today {
            return Err(AppError::invalid("changed_on", format!("{changed_on} is in the future")));
        }
        let row = crosswalk_store::repo::nis2_registrations::Nis2Registration {
            tenant_id: actor.tenant.0,
            name: clean.name.clone(),
            address: clean.address.clone(),
            emails: lines(&clean.emails),
            phones: lines(&clean.phones),
            ip_ranges: lines(&clean.ip_ranges),
            member_states: lines(&clean.member_states),
            representative: clean.representative.clone(),
            changed_on,
            reported_on: None,
            updated_at: self.now(),
            updated_by: actor.journal_name(),
        };
        if let Some(b) = &before
            && (&b.name, &b.address, &b.emails, &b.phones, &b.ip_ranges, &b.member_states, &b.representative)
                == (&row.name, &row.address, &row.emails, &row.phones, &row.ip_ranges, &row.member_states, &row.representative)
        {
            return Ok(self.registration_view(b.clone(), &entity_type));
        }
        let tx = self.begin().await?;
        let row = crosswalk_store::repo::nis2_registrations::put(&tx, row).await?;
        let view = self.registration_view(row, &entity_type);
        self.journal(
            &tx,
            actor,
            "nis2.registration",
            "tenant",
            actor.tenant,
            json!({"record": view.record, "changed_on": view.changed_on, "report_by": view.report_by}),
        )
        .await?;
        self.reschedule_registration_reminder(&tx, actor.tenant, &view).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Record that the current content was reported to the authority on `on` (journaled); the reminder goes.
    pub async fn nis2_registration_reported(&self, actor: &Actor, on: chrono::NaiveDate) -> AppResult<RegistrationView> {
        actor.require(Permission::ManageCompliance, "keeping the NIS2 registration record")?;
        let mut row = crosswalk_store::repo::nis2_registrations::get(self.db(), actor.tenant.0)
            .await?
            .ok_or_else(|| AppError::NotFound("NIS2 registration record (save it first)".into()))?;
        if on < row.changed_on {
            return Err(AppError::invalid("reported_on", format!("{on} is before the change of {}", row.changed_on)));
        }
        if on > self.now().date_naive() {
            return Err(AppError::invalid("reported_on", format!("{on} is in the future")));
        }
        row.reported_on = Some(on);
        let entity_type = nis2_profiles::get(self.db(), actor.tenant.0).await?.map(|p| p.entity_type).unwrap_or_default();
        let tx = self.begin().await?;
        let row = crosswalk_store::repo::nis2_registrations::put(&tx, row).await?;
        let view = self.registration_view(row, &entity_type);
        self.journal(
            &tx,
            actor,
            "nis2.registration.reported",
            "tenant",
            actor.tenant,
            json!({"reported_on": on, "changed_on": view.changed_on}),
        )
        .await?;
        self.reschedule_registration_reminder(&tx, actor.tenant, &view).await?;
        tx.commit().await?;
        Ok(view)
    }
}
