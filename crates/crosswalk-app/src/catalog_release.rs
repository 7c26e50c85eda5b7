//! A new release of Crosswalk's bundled catalog (issue 13, item 6).
//!
//! When this binary bundles catalog documents the database does not hold — a new framework, a
//! refreshed one (e.g. SP 800-53 controls now marked withdrawn) or a new release of a curated
//! mapping set — loading them is recorded in the installation journal with every relation added or
//! removed (`catalog.load_bundled`). What that does to each organisation is recorded in the
//! organisation's own journal: before loading, every followed framework's readiness is computed; after
//! loading, again; each requirement whose state changed is listed with both states and the reason
//! (`readiness.catalog_release`). An organisation whose readiness did not change gets no entry.
use std::collections::HashMap;

use crosswalk_domain::TenantId;
use crosswalk_domain::crosswalk::Readiness;
use crosswalk_store::repo::catalog::{self as repo, BundledChanges};
use serde::Serialize;
use serde_json::json;

use crate::{Actor, App, AppResult};

/// One requirement whose readiness a catalog release changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseChange {
    pub framework: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub before: Option<Readiness>,
    pub after: Option<Readiness>,
}

type States = HashMap<(String, String), Readiness>;

impl App {
    /// Loads the bundled catalog documents that are new or changed and journals, per organisation,
    /// the readiness changes that follow (see the module documentation). Cheap when nothing is
    /// pending: one query of content hashes.
    pub async fn upgrade_catalog(&self) -> AppResult<BundledChanges> {
        if !self.db().bundled_pending().await? {
            return Ok(BundledChanges::default());
        }
        let tenants = crosswalk_store::repo::tenants::all(self.db()).await?;
        let mut before = Vec::with_capacity(tenants.len());
        for t in &tenants {
            // One organisation's trouble must not stop the installation from starting: its entry
            // is skipped (and logged), the catalog still loads, the others are journaled.
            before.push(match self.followed_states(TenantId(t.id)).await {
                Ok(states) => Some(states),
                Err(e) => {
                    tracing::error!(tenant = %t.id, "readiness before the catalog release could not be computed: {e}");
                    None
                }
            });
        }
        let changes = self.db().load_bundled(self.mac_key()).await?;
        self.invalidate_graph();
        if changes.sets_replaced.is_empty() && changes.frameworks_refreshed.is_empty() {
            return Ok(changes);
        }
        let reason = release_reason(&changes);
        for (t, before) in tenants.iter().zip(before) {
            let Some(before) = before else { continue };
            if let Err(e) = self.journal_release(TenantId(t.id), &before, &reason).await {
                tracing::error!(tenant = %t.id, "the catalog release's readiness changes could not be journaled: {e}");
            }
        }
        Ok(changes)
    }

    /// The `readiness.catalog_release` entry of one organisation, when its readiness changed.
    async fn journal_release(&self, tenant: TenantId, before: &States, reason: &str) -> AppResult<()> {
        let after = self.followed_states(tenant).await?;
        let diff = diff(before, &after);
        if diff.is_empty() {
            return Ok(());
        }
        let actor = Actor::system(tenant);
        let tx = self.begin().await?;
        self.journal(&tx, &actor, "readiness.catalog_release", "catalog", "bundled", json!({"reason": reason, "changes": diff})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every followed framework's requirement states for one organisation, as the catalog stands.
    async fn followed_states(&self, tenant: TenantId) -> AppResult<States> {
        let actor = Actor::system(tenant);
        let mut out = HashMap::new();
        for id in crosswalk_store::repo::controls::followed(self.db(), tenant.0).await? {
            let Some(framework) = repo::framework_by_id(self.db(), actor.catalog_scope(), id).await? else { continue };
            let report = self.readiness_shared(&actor, &framework).await?;
            for r in report.requirements.iter().filter(|r| !r.heading) {
                out.insert((report.framework.clone(), r.reference.clone()), r.state);
            }
        }
        Ok(out)
    }
}

fn release_reason(changes: &BundledChanges) -> String {
    let mut parts = Vec::new();
    for set in &changes.sets_replaced {
        parts.push(format!("mapping set {} replaced ({} relations added, {} removed)", set.set, set.added.len(), set.removed.len()));
    }
    for f in &changes.frameworks_refreshed {
        parts.push(format!("framework {} refreshed ({} requirements changed)", f.framework, f.changed.len()));
    }
    format!("a new release of Crosswalk's bundled catalog: {}", parts.join("; "))
}

/// Requirements whose state differs, in a stable order.
fn diff(before: &States, after: &States) -> Vec<ReleaseChange> {
    let mut keys: Vec<&(String, String)> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|(framework, reference)| ReleaseChange {
            framework: framework.clone(),
            reference: reference.clone(),
            before: before.get(&(framework.clone(), reference.clone())).copied(),
            after: after.get(&(framework.clone(), reference.clone())).copied(),
        })
        .collect()
}
