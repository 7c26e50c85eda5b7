//! Reminders: before each open, unconditional reporting step of an incident is due, a job is
//! scheduled (6 hours and 1 hour ahead); the scheduler turns due jobs into in-app notifications and
//! journals that the organisation was reminded. Jobs are rescheduled whenever the incident changes.
use crate::actor::{Actor, AuthMethod};
use crate::incidents::IncidentView;
use crate::{App, AppResult};
use chrono::{DateTime, Duration, Utc};
use crosswalk_domain::{Permission, Role, TenantId};
use crosswalk_store::WriteTx;
use crosswalk_store::repo::jobs::{self, Job, Notification};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

pub const INCIDENT_REMINDER: &str = "incident.reminder";

/// How long before a due time reminders are sent.
pub const REMINDER_LEADS_HOURS: [i64; 2] = [6, 1];

#[derive(Debug, Serialize, Deserialize)]
struct IncidentReminder {
    incident_id: Uuid,
    title: String,
    step: String,
    step_name: String,
    due: String,
    lead_hours: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub message: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
}

/// The reminder jobs an incident needs at `now`: (run at, payload).
fn incident_reminders(i: &IncidentView, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, IncidentReminder)> {
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
                let payload = IncidentReminder {
                    incident_id: i.id,
                    title: i.title.clone(),
                    step: s.step.id.to_owned(),
                    step_name: s.step.name.to_owned(),
                    due: due.to_string(),
                    lead_hours: lead,
                };
                out.push((run_at, payload));
            }
        }
    }
    out
}

impl App {
    /// Replace an incident's pending reminders with those its current state needs (inside the
    /// mutation's transaction, so reminders never disagree with the record).
    pub(crate) async fn reschedule_incident_reminders(&self, tx: &WriteTx, tenant: TenantId, i: &IncidentView) -> AppResult<()> {
        let subject = i.id.to_string();
        jobs::delete_pending(tx, tenant.0, INCIDENT_REMINDER, &subject).await?;
        let now = self.now();
        for (run_at, payload) in incident_reminders(i, now) {
            let payload = serde_json::to_string(&payload).map_err(|e| crate::AppError::Internal(e.to_string()))?;
            jobs::insert(
                tx,
                Job {
                    id: Uuid::now_v7(),
                    tenant_id: tenant.0,
                    kind: INCIDENT_REMINDER.into(),
                    subject: subject.clone(),
                    run_at,
                    payload,
                    done_at: None,
                    created_at: now,
                },
            )
            .await?;
        }
        Ok(())
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
        for job in &due {
            let scheduler = Actor {
                tenant: TenantId(job.tenant_id),
                tenant_slug: String::new(),
                tenant_name: String::new(),
                user: None,
                email: None,
                role: Role::Admin,
                method: AuthMethod::System,
            };
            if job.kind == INCIDENT_REMINDER
                && let Ok(r) = serde_json::from_str::<IncidentReminder>(&job.payload)
            {
                let message = format!("{} for \"{}\" is due in {} h ({})", r.step_name, r.title, r.lead_hours, r.due);
                let link = format!("/incidents/{}", r.incident_id);
                jobs::notify(
                    &tx,
                    Notification { id: Uuid::now_v7(), tenant_id: job.tenant_id, message: message.clone(), link, created_at: now },
                )
                .await?;
                self.journal(
                    &tx,
                    &scheduler,
                    "reminder.sent",
                    "incident",
                    r.incident_id,
                    json!({"step": r.step, "due": r.due, "message": message}),
                )
                .await?;
            }
            jobs::mark_done(&tx, job.id, now).await?;
        }
        tx.commit().await?;
        Ok(due.len())
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
