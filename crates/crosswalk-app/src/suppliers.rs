//! The supplier register (NIS2 Art 21(2)(d) and 21(3); ISO 27001 A.5.19-A.5.22; CSF GV.SC): suppliers
//! with criticality and services, which contract clauses are in place, review due dates, and
//! assessments whose questions map to those requirements. Every change is journaled.
use crate::actor::Actor;
use crate::{App, AppError, AppResult};
use chrono::{Months, NaiveDate};
use crosswalk_domain::Permission;
use crosswalk_domain::suppliers::{self, Answer, CONTRACT_CLAUSES, Criticality, QUESTIONS};
use crosswalk_domain::validate::non_empty_text;
use crosswalk_store::repo::suppliers::{self as repo, Assessment, Supplier};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSupplier {
    pub name: String,
    /// What the supplier provides to us.
    #[serde(default)]
    pub services: String,
    pub criticality: Criticality,
    #[serde(default)]
    pub contact: String,
    /// Keys of the contract clauses already in place.
    #[serde(default)]
    pub clauses: Vec<String>,
    /// Default: today plus the criticality's review interval.
    #[serde(default)]
    pub next_review_on: Option<NaiveDate>,
}

/// Changing a supplier; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierChange {
    #[serde(default)]
    pub criticality: Option<Criticality>,
    #[serde(default)]
    pub clauses: Option<Vec<String>>,
    #[serde(default)]
    pub next_review_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessment {
    /// Question key → answer; unanswered questions count as "no".
    pub answers: BTreeMap<String, Answer>,
    /// Default: today.
    #[serde(default)]
    pub assessed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssessmentView {
    pub id: Uuid,
    pub assessed_on: NaiveDate,
    pub assessor: String,
    pub answers: BTreeMap<String, Answer>,
    /// Percent: yes = 1, partial = ½, no or unanswered = 0.
    pub score: i32,
    /// Requirements served by questions not answered "yes".
    pub gaps: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SupplierView {
    pub id: Uuid,
    pub name: String,
    pub services: String,
    pub criticality: Criticality,
    pub contact: String,
    pub clauses: Vec<String>,
    /// Clause keys not in place yet.
    pub missing_clauses: Vec<&'static str>,
    pub next_review_on: NaiveDate,
    pub review_overdue: bool,
    pub latest_assessment: Option<AssessmentView>,
}

fn assessment_view(a: &Assessment) -> AssessmentView {
    let answers: BTreeMap<String, Answer> = serde_json::from_str(&a.answers).unwrap_or_default();
    let pairs: Vec<(String, Answer)> = answers.iter().map(|(k, v)| (k.clone(), *v)).collect();
    AssessmentView {
        id: a.id,
        assessed_on: a.assessed_on,
        assessor: a.assessor.clone(),
        score: a.score,
        gaps: suppliers::gaps(&pairs),
        answers,
    }
}

fn view(s: Supplier, latest: Option<&Assessment>, today: NaiveDate) -> SupplierView {
    let clauses: Vec<String> = s.clauses.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect();
    let missing_clauses = CONTRACT_CLAUSES.iter().map(|c| c.key).filter(|k| !clauses.iter().any(|c| c == k)).collect();
    SupplierView {
        id: s.id,
        name: s.name,
        services: s.services,
        criticality: s.criticality.parse().unwrap_or(Criticality::Medium),
        contact: s.contact,
        clauses,
        missing_clauses,
        review_overdue: s.next_review_on < today,
        next_review_on: s.next_review_on,
        latest_assessment: latest.map(assessment_view),
    }
}

fn clause_list(keys: &[String]) -> AppResult<String> {
    suppliers::check_keys("clauses", CONTRACT_CLAUSES, keys.iter().map(String::as_str))?;
    let mut keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    keys.sort_unstable();
    keys.dedup();
    Ok(keys.join(","))
}

impl App {
    pub async fn list_suppliers(&self, actor: &Actor) -> AppResult<Vec<SupplierView>> {
        actor.require(Permission::Read, "reading suppliers")?;
        let (list, assessments) = (repo::list(self.db(), actor.tenant.0).await?, repo::assessments(self.db(), actor.tenant.0).await?);
        let today = self.now().date_naive();
        Ok(list
            .into_iter()
            .map(|s| {
                let latest = assessments.iter().find(|a| a.supplier_id == s.id);
                view(s, latest, today)
            })
            .collect())
    }

    pub async fn get_supplier(&self, actor: &Actor, id: Uuid) -> AppResult<SupplierView> {
        actor.require(Permission::Read, "reading suppliers")?;
        let s = repo::get(self.db(), actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("supplier {id}")))?;
        let assessments = repo::assessments(self.db(), actor.tenant.0).await?;
        Ok(view(s, assessments.iter().find(|a| a.supplier_id == id), self.now().date_naive()))
    }

    pub async fn create_supplier(&self, actor: &Actor, new: NewSupplier) -> AppResult<SupplierView> {
        actor.require(Permission::ManageCompliance, "managing suppliers")?;
        let name = non_empty_text("name", &new.name, 200)?;
        let clauses = clause_list(&new.clauses)?;
        let today = self.now().date_naive();
        let next_review_on = match new.next_review_on {
            Some(d) => d,
            None => today.checked_add_months(Months::new(new.criticality.review_interval_months())).unwrap_or(today),
        };
        let row = Supplier {
            id: Uuid::now_v7(),
            tenant_id: actor.tenant.0,
            name,
            services: new.services.trim().to_owned(),
            criticality: new.criticality.as_str().to_owned(),
            contact: new.contact.trim().to_owned(),
            clauses,
            next_review_on,
            created_at: self.now(),
        };
        let tx = self.begin().await?;
        let row = repo::insert(&tx, row).await?;
        self.journal(
            &tx,
            actor,
            "supplier.create",
            "supplier",
            row.id,
            json!({"name": row.name, "criticality": row.criticality, "clauses": row.clauses, "next_review_on": row.next_review_on}),
        )
        .await?;
        self.reschedule_supplier_review(&tx, actor.tenant, row.id, &row.name, row.next_review_on).await?;
        tx.commit().await?;
        Ok(view(row, None, today))
    }

    pub async fn change_supplier(&self, actor: &Actor, id: Uuid, change: SupplierChange) -> AppResult<SupplierView> {
        actor.require(Permission::ManageCompliance, "managing suppliers")?;
        let current = self.get_supplier(actor, id).await?;
        let criticality = change.criticality.unwrap_or(current.criticality);
        let clauses = clause_list(change.clauses.as_ref().unwrap_or(&current.clauses))?;
        let next_review_on = change.next_review_on.unwrap_or(current.next_review_on);
        let tx = self.begin().await?;
        repo::update(&tx, actor.tenant.0, id, criticality.as_str(), &clauses, next_review_on).await?;
        self.journal(
            &tx,
            actor,
            "supplier.change",
            "supplier",
            id,
            json!({"criticality": criticality, "clauses": clauses, "next_review_on": next_review_on}),
        )
        .await?;
        self.reschedule_supplier_review(&tx, actor.tenant, id, &current.name, next_review_on).await?;
        tx.commit().await?;
        self.get_supplier(actor, id).await
    }

    /// Record an assessment (admin, manager); the next review moves to the date plus the interval.
    pub async fn assess_supplier(&self, actor: &Actor, id: Uuid, new: NewAssessment) -> AppResult<SupplierView> {
        actor.require(Permission::ManageCompliance, "assessing suppliers")?;
        let current = self.get_supplier(actor, id).await?;
        suppliers::check_keys("answers", QUESTIONS, new.answers.keys().map(String::as_str))?;
        let today = self.now().date_naive();
        let assessed_on = new.assessed_on.unwrap_or(today);
        if assessed_on > today {
            return Err(AppError::invalid("assessed_on", "must not be in the future"));
        }
        let pairs: Vec<(String, Answer)> = new.answers.iter().map(|(k, v)| (k.clone(), *v)).collect();
        let score = suppliers::score(&pairs) as i32;
        let answers =
            crosswalk_journal::canonical_json(&serde_json::to_value(&new.answers).map_err(|e| AppError::Internal(e.to_string()))?);
        let next_review_on =
            assessed_on.checked_add_months(Months::new(current.criticality.review_interval_months())).unwrap_or(assessed_on);
        let row = Assessment {
            id: Uuid::now_v7(),
            tenant_id: actor.tenant.0,
            supplier_id: id,
            assessed_on,
            assessor: actor.journal_name(),
            answers: answers.clone(),
            score,
            created_at: self.now(),
        };
        let tx = self.begin().await?;
        repo::insert_assessment(&tx, row).await?;
        repo::update(&tx, actor.tenant.0, id, current.criticality.as_str(), &current.clauses.join(","), next_review_on).await?;
        self.journal(
            &tx,
            actor,
            "supplier.assess",
            "supplier",
            id,
            json!({"assessed_on": assessed_on, "score": score, "answers": new.answers, "next_review_on": next_review_on}),
        )
        .await?;
        self.reschedule_supplier_review(&tx, actor.tenant, id, &current.name, next_review_on).await?;
        tx.commit().await?;
        self.get_supplier(actor, id).await
    }
}
