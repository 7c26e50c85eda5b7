//! NIS2 Art 20, management-body accountability: members' approvals of the cybersecurity
//! risk-management measures (Art 20(1)) and their training with renewal dates (Art 20(2)), with an
//! overview of who has never been trained or is overdue. Every record is journaled.
use crate::actor::Actor;
use crate::{App, AppError, AppResult};
use chrono::NaiveDate;
use crosswalk_domain::Permission;
use crosswalk_domain::validate::non_empty_text;
use crosswalk_store::repo::management::{self as repo, Approval, Training};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// The decision options for an approval.
pub const DECISIONS: [&str; 3] = ["approved", "approved_with_conditions", "rejected"];

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApproval {
    /// The management-body member who decided (a named person).
    pub member: String,
    /// The document approved, e.g. "Information security policy and Art 21 measures".
    pub document: String,
    pub document_version: String,
    /// `approved`, `approved_with_conditions` or `rejected`.
    pub decision: String,
    pub decided_on: NaiveDate,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTraining {
    pub member: String,
    pub course: String,
    pub completed_on: NaiveDate,
    /// When it must be renewed.
    pub valid_until: NaiveDate,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApprovalView {
    pub id: Uuid,
    pub member: String,
    pub document: String,
    pub document_version: String,
    pub decision: String,
    pub decided_on: NaiveDate,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrainingView {
    pub id: Uuid,
    pub member: String,
    pub course: String,
    pub completed_on: NaiveDate,
    pub valid_until: NaiveDate,
}

/// One member's training standing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberStanding {
    pub member: String,
    /// The latest renewal date over the member's trainings; `None` if never trained.
    pub trained_until: Option<NaiveDate>,
    /// Never trained, or the training has lapsed.
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ManagementOverview {
    pub approvals: Vec<ApprovalView>,
    pub trainings: Vec<TrainingView>,
    /// Everyone named in an approval or a training, alphabetically.
    pub members: Vec<MemberStanding>,
}

fn approval_view(a: Approval) -> ApprovalView {
    ApprovalView {
        id: a.id,
        member: a.member,
        document: a.document,
        document_version: a.document_version,
        decision: a.decision,
        decided_on: a.decided_on,
        note: a.note,
    }
}

fn training_view(t: Training) -> TrainingView {
    TrainingView { id: t.id, member: t.member, course: t.course, completed_on: t.completed_on, valid_until: t.valid_until }
}

/// Each member's standing on `today`: trained until the latest renewal date of any of their trainings.
pub fn standings(approvals: &[ApprovalView], trainings: &[TrainingView], today: NaiveDate) -> Vec<MemberStanding> {
    let mut names: Vec<&str> = approvals.iter().map(|a| a.member.as_str()).chain(trainings.iter().map(|t| t.member.as_str())).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|m| {
            let trained_until = trainings.iter().filter(|t| t.member == m).map(|t| t.valid_until).max();
            MemberStanding { member: m.to_owned(), trained_until, overdue: trained_until.is_none_or(|d| d < today) }
        })
        .collect()
}

impl App {
    pub async fn management_overview(&self, actor: &Actor) -> AppResult<ManagementOverview> {
        actor.require(Permission::Read, "reading management-body records")?;
        let approvals: Vec<_> = repo::approvals(self.db(), actor.tenant.0).await?.into_iter().map(approval_view).collect();
        let trainings: Vec<_> = repo::trainings(self.db(), actor.tenant.0).await?.into_iter().map(training_view).collect();
        let members = standings(&approvals, &trainings, self.now().date_naive());
        Ok(ManagementOverview { approvals, trainings, members })
    }

    /// Record a member's decision on the measures (admin, manager).
    pub async fn record_approval(&self, actor: &Actor, new: NewApproval) -> AppResult<ApprovalView> {
        actor.require(Permission::ManageCompliance, "recording management-body decisions")?;
        let member = non_empty_text("member", &new.member, 200)?;
        let document = non_empty_text("document", &new.document, 300)?;
        let document_version = non_empty_text("document_version", &new.document_version, 50)?;
        if !DECISIONS.contains(&new.decision.as_str()) {
            return Err(AppError::invalid("decision", format!("'{}' is not one of {}", new.decision, DECISIONS.join(", "))));
        }
        if new.decided_on > self.now().date_naive() {
            return Err(AppError::invalid("decided_on", "must not be in the future"));
        }
        let row = Approval {
            id: Uuid::now_v7(),
            tenant_id: actor.tenant.0,
            member,
            document,
            document_version,
            decision: new.decision,
            decided_on: new.decided_on,
            note: new.note.trim().to_owned(),
            created_at: self.now(),
        };
        let tx = self.begin().await?;
        let row = repo::insert_approval(&tx, row).await?;
        self.journal(&tx, actor, "management.approval", "management_approval", row.id, json!({"member": row.member, "document": row.document, "version": row.document_version, "decision": row.decision, "decided_on": row.decided_on})).await?;
        tx.commit().await?;
        Ok(approval_view(row))
    }

    /// Record a member's completed training (admin, manager).
    pub async fn record_training(&self, actor: &Actor, new: NewTraining) -> AppResult<TrainingView> {
        actor.require(Permission::ManageCompliance, "recording management-body training")?;
        let member = non_empty_text("member", &new.member, 200)?;
        let course = non_empty_text("course", &new.course, 300)?;
        if new.valid_until < new.completed_on {
            return Err(AppError::invalid("valid_until", "must not be before completed_on"));
        }
        let row = Training {
            id: Uuid::now_v7(),
            tenant_id: actor.tenant.0,
            member,
            course,
            completed_on: new.completed_on,
            valid_until: new.valid_until,
            created_at: self.now(),
        };
        let tx = self.begin().await?;
        let row = repo::insert_training(&tx, row).await?;
        self.journal(
            &tx,
            actor,
            "management.training",
            "management_training",
            row.id,
            json!({"member": row.member, "course": row.course, "completed_on": row.completed_on, "valid_until": row.valid_until}),
        )
        .await?;
        self.schedule_training_renewal(&tx, actor.tenant, row.id, &row.member, row.valid_until).await?;
        tx.commit().await?;
        Ok(training_view(row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn standing_uses_the_latest_renewal_and_flags_the_untrained() {
        let approvals = vec![ApprovalView {
            id: Uuid::nil(),
            member: "Bea Board".into(),
            document: "Policy".into(),
            document_version: "2".into(),
            decision: "approved".into(),
            decided_on: d("2026-01-10"),
            note: String::new(),
        }];
        let t = |m: &str, until: &str| TrainingView {
            id: Uuid::nil(),
            member: m.into(),
            course: "NIS2 for boards".into(),
            completed_on: d("2025-01-01"),
            valid_until: d(until),
        };
        let trainings = vec![t("Carl CFO", "2026-06-30"), t("Carl CFO", "2027-06-30"), t("Dana Director", "2026-10-01")];
        let s = standings(&approvals, &trainings, d("2026-11-27"));
        let by = |m: &str| s.iter().find(|x| x.member == m).unwrap();
        assert!(by("Bea Board").overdue && by("Bea Board").trained_until.is_none(), "approved but never trained");
        assert!(!by("Carl CFO").overdue, "the renewal counts");
        assert!(by("Dana Director").overdue, "lapsed on 2026-10-01");
    }
}
