//! Reminders: before each open, unconditional reporting step of an incident is due (6 hours and 1 hour
//! ahead), before a supplier review is due (14 days ahead) and before a management-body training
//! lapses (30 days ahead), a job is scheduled in the same transaction as the change that implies it.
//! The scheduler turns due jobs into in-app notifications and journals that the organisation was
//! reminded. A subject's pending jobs are replaced whenever the subject changes. When SMTP is
//! configured, each reminder is also e-mailed to the organisation's enabled admins and managers whose
//! addresses are verified (an unverified address may not belong to the person it names).
use crate::actor::Actor;
use crate::incidents::IncidentView;
use crate::{App, AppResult};
use chrono::{DateTime, Duration, Utc};
use crosswalk_domain::{Permission, TenantId};
use crosswalk_store::WriteTx;
use crosswalk_store::repo::jobs::{self, Job, Notification};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

pub const INCIDENT_REMINDER: &str = "incident.reminder";
pub const SUPPLIER_REVIEW: &str = "supplier.review";
pub const TRAINING_RENEWAL: &str = "training.renewal";
pub const EVIDENCE_EXPIRY: &str = "evidence.expiry";

/// How long before a reporting step is due its reminders are sent.
pub const REMINDER_LEADS_HOURS: [i64; 2] = [6, 1];
/// How long before a supplier review is due its reminder is sent.
pub const SUPPLIER_REVIEW_LEAD_DAYS: i64 = 14;
/// How long before a training lapses its reminder is sent.
pub const TRAINING_RENEWAL_LEAD_DAYS: i64 = 30;
/// Days before evidence stops being valid, so it can be renewed before a requirement falls to "not ready".
pub const EVIDENCE_EXPIRY_LEAD_DAYS: i64 = 14;

/// What a reminder says and what it is about; fixed when scheduled.
#[derive(Debug, Serialize, Deserialize)]
struct Reminder {
    message: String,
    link: String,
    entity: String,
    entity_id: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub message: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
}

/// The reminder jobs an incident needs at `now`: (run at, payload).
fn incident_reminders(i: &IncidentView, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, Reminder)> {
    let mut out = Vec::new();
    for s in i.clocks.iter().flat_map(|c| c.steps.iter()) {
        let Some(due) = s.step.due.as_ref() else { continue };
        if s.submitted.is_some() || s.step.condition.is_some() || i.status != "open" {
            continue;
        }
        let due_utc = DateTime::<Utc>::from_timestamp_micros(due.timestamp().as_microsecond()).unwrap_or_default();
        for lead in REMINDER_LEADS_HOURS {
            let run_at = due_utc - Duration::hours(lead);
            if run_at > now {
                let payload = Reminder {
                    message: format!("{} for \"{}\" is due in {lead} h ({due}; {})", s.step.name, i.title, s.step.basis),
                    link: format!("/incidents/{}", i.id),
                    entity: "incident".into(),
                    entity_id: i.id.to_string(),
                };
                out.push((run_at, payload));
            }
        }
    }
    out
}

impl App {
    /// Replace a subject's pending jobs of `kind` with `planned` (inside the mutation's transaction, so
    /// reminders never disagree with the record).
    async fn reschedule(
        &self,
        tx: &WriteTx,
        tenant: TenantId,
        kind: &str,
        subject: &str,
        planned: Vec<(DateTime<Utc>, Reminder)>,
    ) -> AppResult<()> {
        jobs::delete_pending(tx, tenant.0, kind, subject).await?;
        let now = self.now();
        for (run_at, payload) in planned {
            let payload = serde_json::to_string(&payload).map_err(|e| crate::AppError::Internal(e.to_string()))?;
            let job = Job {
                id: Uuid::now_v7(),
                tenant_id: tenant.0,
                kind: kind.into(),
                subject: subject.to_owned(),
                run_at,
                payload,
                done_at: None,
                created_at: now,
            };
            jobs::insert(tx, job).await?;
        }
        Ok(())
    }

    pub(crate) async fn reschedule_incident_reminders(&self, tx: &WriteTx, tenant: TenantId, i: &IncidentView) -> AppResult<()> {
        let planned = incident_reminders(i, self.now());
        self.reschedule(tx, tenant, INCIDENT_REMINDER, &i.id.to_string(), planned).await
    }

    /// A reminder `lead_days` before `due` (at 08:00 UTC), or at once if that moment has passed.
    fn ahead_of(&self, due: chrono::NaiveDate, lead_days: i64) -> DateTime<Utc> {
        let at = (due - Duration::days(lead_days)).and_hms_opt(8, 0, 0).map(|d| d.and_utc()).unwrap_or_default();
        at.max(self.now())
    }

    pub(crate) async fn reschedule_supplier_review(
        &self,
        tx: &WriteTx,
        tenant: TenantId,
        id: Uuid,
        name: &str,
        due: chrono::NaiveDate,
    ) -> AppResult<()> {
        let reminder = Reminder {
            message: format!("Supplier review of \"{name}\" is due on {due} (NIS2 Art 21(2)(d); ISO 27001 A.5.22)"),
            link: format!("/suppliers/{id}"),
            entity: "supplier".into(),
            entity_id: id.to_string(),
        };
        let at = self.ahead_of(due, SUPPLIER_REVIEW_LEAD_DAYS);
        self.reschedule(tx, tenant, SUPPLIER_REVIEW, &id.to_string(), vec![(at, reminder)]).await
    }

    pub(crate) async fn schedule_training_renewal(
        &self,
        tx: &WriteTx,
        tenant: TenantId,
        id: Uuid,
        member: &str,
        until: chrono::NaiveDate,
    ) -> AppResult<()> {
        let reminder = Reminder {
            message: format!("Management-body training of {member} lapses on {until} (NIS2 Art 20(2))"),
            link: "/management-body".into(),
            entity: "management_training".into(),
            entity_id: id.to_string(),
        };
        let at = self.ahead_of(until, TRAINING_RENEWAL_LEAD_DAYS);
        self.reschedule(tx, tenant, TRAINING_RENEWAL, &id.to_string(), vec![(at, reminder)]).await
    }

    /// One reminder ahead of an evidence item's `valid_until` (none when it has no end date).
    pub(crate) async fn reschedule_evidence_expiry(
        &self,
        tx: &WriteTx,
        tenant: TenantId,
        id: Uuid,
        name: &str,
        valid_until: Option<chrono::NaiveDate>,
        control: Option<Uuid>,
    ) -> AppResult<()> {
        let planned = match valid_until {
            Some(until) => vec![(
                self.ahead_of(until, EVIDENCE_EXPIRY_LEAD_DAYS),
                Reminder {
                    message: format!(
                        "Evidence \"{name}\" stops being valid on {until}; the requirements it proves will no longer be ready"
                    ),
                    link: control.map_or_else(|| "/controls".to_owned(), |c| format!("/controls/{c}")),
                    entity: "evidence".into(),
                    entity_id: id.to_string(),
                },
            )],
            None => vec![],
        };
        self.reschedule(tx, tenant, EVIDENCE_EXPIRY, &id.to_string(), planned).await
    }

    /// A reminder three days before an unreported registration change must reach the authority (NIS2
    /// Art 3(4): two weeks), or none once it is reported.
    pub(crate) async fn reschedule_registration_reminder(
        &self,
        tx: &WriteTx,
        tenant: TenantId,
        view: &crate::nis2::RegistrationView,
    ) -> AppResult<()> {
        let due = view
            .report_by
            .first()
            .and_then(|d| chrono::NaiveDate::from_ymd_opt(i32::from(d.by.year()), d.by.month() as u32, d.by.day() as u32));
        let planned = match (view.reported_on, due) {
            (None, Some(due)) => vec![(
                self.ahead_of(due, 3),
                Reminder {
                    message: format!(
                        "Report the change of the NIS2 registration record (made {}) to the competent authority by {due} (NIS2 Art 3(4))",
                        view.changed_on
                    ),
                    link: "/nis2/registration".into(),
                    entity: "nis2_registration".into(),
                    entity_id: tenant.0.to_string(),
                },
            )],
            _ => vec![],
        };
        self.reschedule(tx, tenant, crate::nis2::REGISTRATION_CHANGE, &tenant.0.to_string(), planned).await
    }

    /// Pending reminder times of any subject (incident, supplier, evidence id), for display and tests.
    pub async fn pending_reminders_of(&self, actor: &Actor, subject: Uuid) -> AppResult<Vec<DateTime<Utc>>> {
        actor.require(Permission::Read, "reading reminders")?;
        Ok(jobs::pending(self.db(), actor.tenant.0, &subject.to_string()).await?.into_iter().map(|j| j.run_at).collect())
    }

    /// Pending reminder times for an incident (for display and tests).
    pub async fn pending_reminders(&self, actor: &Actor, incident: Uuid) -> AppResult<Vec<DateTime<Utc>>> {
        actor.require(Permission::Read, "reading incidents")?;
        Ok(jobs::pending(self.db(), actor.tenant.0, &incident.to_string()).await?.into_iter().map(|j| j.run_at).collect())
    }

    /// Run due jobs (the scheduler calls this periodically; `crosswalk jobs run` once). Returns how
    /// many ran. Each job's notification, its journal entry and its completion commit together.
    pub async fn run_due_jobs(&self, limit: u64) -> AppResult<usize> {
        let now = self.now();
        let tx = self.begin().await?;
        let due = jobs::claim_due(&tx, now, limit).await?;
        let mut to_mail: Vec<(Uuid, String, String)> = Vec::new();
        for job in &due {
            let scheduler = Actor::system(TenantId(job.tenant_id));
            match serde_json::from_str::<Reminder>(&job.payload) {
                Ok(r) => {
                    let n = Notification {
                        id: Uuid::now_v7(),
                        tenant_id: job.tenant_id,
                        message: r.message.clone(),
                        link: r.link.clone(),
                        created_at: now,
                    };
                    to_mail.push((job.tenant_id, r.message.clone(), r.link.clone()));
                    jobs::notify(&tx, n).await?;
                    self.journal(
                        &tx,
                        &scheduler,
                        "reminder.sent",
                        &r.entity,
                        &r.entity_id,
                        json!({"kind": job.kind, "message": r.message}),
                    )
                    .await?;
                }
                // A payload this version cannot read is marked done with a warning, not retried forever.
                Err(e) => tracing::warn!(job = %job.id, error = %e, "unreadable job payload"),
            }
            jobs::mark_done(&tx, job.id, now).await?;
        }
        tx.commit().await?;
        // E-mail after the commit: a relay that is down delays nobody's in-app reminder.
        if let Some(mailer) = self.mailer() {
            for (tenant, message, link) in to_mail {
                for to in self.reminder_recipients(tenant).await? {
                    let body = format!("{message}\n\n{}\n", self.link(&link));
                    if let Err(e) = mailer.send(&to, &format!("Crosswalk reminder: {message}"), body).await {
                        tracing::warn!(error = %e, "reminder e-mail not sent");
                    }
                }
            }
        }
        Ok(due.len())
    }

    /// Verified addresses of the organisation's enabled admins and managers.
    async fn reminder_recipients(&self, tenant: Uuid) -> AppResult<Vec<String>> {
        Ok(crosswalk_store::repo::memberships::list_with_users(self.db(), tenant)
            .await?
            .into_iter()
            .filter(|(m, u)| !m.disabled && matches!(m.role.as_str(), "admin" | "manager") && u.email_verified_at.is_some())
            .map(|(_, u)| u.email)
            .collect())
    }

    /// The organisation's latest notifications, newest first.
    pub async fn notifications(&self, actor: &Actor, limit: u64) -> AppResult<Vec<NotificationView>> {
        actor.require(Permission::Read, "reading notifications")?;
        Ok(jobs::notifications(self.db(), actor.tenant.0, limit.clamp(1, 200))
            .await?
            .into_iter()
            .map(|n| NotificationView { message: n.message, link: n.link, created_at: n.created_at })
            .collect())
    }
}
