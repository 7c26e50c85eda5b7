//! The posture dashboard: one card per followed framework with proven / attested / derived and the
//! other parts shown separately, the requirements whose state changed this week, evidence about to
//! expire, and a trend from daily snapshots.
//!
//! Snapshots are taken once a day per tenant and framework by the scheduler (`serve` and
//! `crosswalk jobs run`), journaled as `readiness.snapshot`, so the trend is itself auditable.
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Days, NaiveDate};
use crosswalk_domain::crosswalk::{Readiness, Summary};
use crosswalk_domain::{Permission, TenantId};
use crosswalk_store::repo::{catalog as catalog_repo, controls, snapshots, tenants};
use serde::Serialize;
use serde_json::json;

use crate::evidence::EvidenceView;
use crate::{Actor, App, AppError, AppResult};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StateChange {
    #[serde(rename = "ref")]
    pub reference: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    pub day: NaiveDate,
    pub proven: i32,
    pub attested: i32,
    pub derived: i32,
    pub total: i32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PostureCard {
    pub framework: String,
    pub name: String,
    pub summary: Summary,
    pub percent: HashMap<String, u32>,
    /// Requirements whose state differs from the oldest snapshot of the last 7 days.
    pub changed_this_week: Vec<StateChange>,
    /// Daily points, oldest first (the last 30 days), today's live figures last.
    pub trend: Vec<TrendPoint>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PostureView {
    pub cards: Vec<PostureCard>,
    /// Evidence that expired in the last 30 days or expires in the next 30.
    pub expiring_evidence: Vec<EvidenceView>,
}

impl App {
    /// Takes today's snapshot for every tenant and followed framework that has none yet; returns how many were taken.
    pub async fn record_daily_snapshots(&self) -> AppResult<usize> {
        let today = self.now().date_naive();
        let mut taken = 0;
        for tenant in tenants::all(self.db()).await? {
            let have: Vec<i64> = snapshots::since(self.db(), tenant.id, today).await?.into_iter().map(|s| s.framework_id).collect();
            let missing: Vec<i64> = controls::followed(self.db(), tenant.id).await?.into_iter().filter(|f| !have.contains(f)).collect();
            if missing.is_empty() {
                continue;
            }
            let actor = Actor::system(TenantId(tenant.id));
            let mut rows = Vec::with_capacity(missing.len());
            for framework_id in missing {
                let Some(f) = catalog_repo::framework_by_id(self.db(), actor.catalog_scope(), framework_id).await? else { continue };
                let report = self.readiness_shared(&actor, &f).await?;
                let states: HashMap<&str, &str> = report.requirements.iter().map(|r| (r.reference.as_str(), r.state.as_str())).collect();
                let s = report.summary;
                let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
                rows.push(snapshots::Snapshot {
                    tenant_id: tenant.id,
                    framework_id,
                    day: today,
                    proven: count(s.proven),
                    attested: count(s.attested),
                    derived: count(s.derived),
                    partial: count(s.partial),
                    gap: count(s.gap),
                    not_applicable: count(s.not_applicable),
                    unknown: count(s.unknown),
                    states: serde_json::to_string(&states).map_err(|e| AppError::Internal(e.to_string()))?,
                });
            }
            let tx = self.begin().await?;
            let summary: Vec<_> = rows
                .iter()
                .map(|r| json!({"framework": r.framework_id, "proven": r.proven, "attested": r.attested, "derived": r.derived}))
                .collect();
            for row in rows {
                snapshots::upsert(&tx, row).await?;
                taken += 1;
            }
            self.journal(&tx, &actor, "readiness.snapshot", "tenant", tenant.id, json!({"day": today, "frameworks": summary})).await?;
            tx.commit().await?;
        }
        Ok(taken)
    }

    pub async fn posture(&self, actor: &Actor) -> AppResult<PostureView> {
        Ok((*self.posture_shared(actor).await?).clone())
    }

    /// The posture dashboard, shared (no copy): the same `Arc` is handed out until the data or the
    /// day changes, so callers may cache what they derive from it (e.g. its JSON) by identity.
    pub async fn posture_shared(&self, actor: &Actor) -> AppResult<Arc<PostureView>> {
        actor.require(Permission::Read, "reading the dashboard")?;
        // Computed once per snapshot (journal head and day) and catalog generation.
        let snapshot = self.snapshot(actor.tenant.0).await?;
        let generation = self.catalog_key().await?;
        if let Some(view) = snapshot.posture.get_for(generation) {
            return Ok(view);
        }
        // One computation per change, however many requests wait for it.
        let lock = self.inner.flights.lock_of(actor.tenant.0, crate::single_flight::Kind::Posture);
        let _computing = lock.lock().await;
        let snapshot = self.snapshot(actor.tenant.0).await?;
        if let Some(view) = snapshot.posture.get_for(generation) {
            return Ok(view);
        }
        let view = Arc::new(self.compute_posture(actor).await?);
        snapshot.posture.put_for(generation, view.clone());
        Ok(view)
    }

    async fn compute_posture(&self, actor: &Actor) -> AppResult<PostureView> {
        let today = self.now().date_naive();
        let month_ago = today.checked_sub_days(Days::new(30)).unwrap_or(today);
        let week_ago = today.checked_sub_days(Days::new(7)).unwrap_or(today);
        let history = snapshots::since(self.db(), actor.tenant.0, month_ago).await?;
        let mut cards = Vec::new();
        for framework_id in controls::followed(self.db(), actor.tenant.0).await? {
            let Some(f) = catalog_repo::framework_by_id(self.db(), actor.catalog_scope(), framework_id).await? else { continue };
            let report = self.readiness_shared(actor, &f).await?;
            let mine: Vec<&snapshots::Snapshot> = history.iter().filter(|s| s.framework_id == framework_id).collect();
            let mut trend: Vec<TrendPoint> = mine
                .iter()
                .filter(|s| s.day < today)
                .map(|s| TrendPoint {
                    day: s.day,
                    proven: s.proven,
                    attested: s.attested,
                    derived: s.derived,
                    total: s.proven + s.attested + s.derived + s.partial + s.gap + s.not_applicable + s.unknown,
                })
                .collect();
            let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
            trend.push(TrendPoint {
                day: today,
                proven: count(report.summary.proven),
                attested: count(report.summary.attested),
                derived: count(report.summary.derived),
                total: count(report.summary.total()),
            });
            let baseline: HashMap<String, String> =
                mine.iter().find(|s| s.day >= week_ago).and_then(|s| serde_json::from_str(&s.states).ok()).unwrap_or_default();
            let changed_this_week = if baseline.is_empty() {
                vec![]
            } else {
                report
                    .requirements
                    .iter()
                    .filter_map(|r| {
                        let before = baseline.get(&r.reference).map_or(Readiness::Unknown.as_str(), String::as_str);
                        (before != r.state.as_str()).then(|| StateChange {
                            reference: r.reference.clone(),
                            from: before.to_owned(),
                            to: r.state.as_str().to_owned(),
                        })
                    })
                    .collect()
            };
            cards.push(PostureCard {
                framework: report.framework.clone(),
                name: f.name.clone(),
                summary: report.summary,
                percent: report.percent.clone(),
                changed_this_week,
                trend,
            });
        }
        let horizon = today.checked_add_days(Days::new(30)).unwrap_or(today);
        let expiring_evidence =
            crosswalk_store::repo::evidence::evidence_valid_until_between(self.db(), actor.tenant.0, month_ago, horizon)
                .await?
                .into_iter()
                .map(|(e, controls)| crate::evidence::evidence_view(e, controls, today))
                .collect();
        Ok(PostureView { cards, expiring_evidence })
    }
}
