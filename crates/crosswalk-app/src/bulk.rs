//! Bulk writes: the benchmark's generated organisation. Written in one transaction and journaled by
//! one entry whose record hashes (Merkle root in the entry, one ref per row in `journal_records`)
//! cover every row, so generated data is as provable as data entered by hand.
use chrono::Days;
use crosswalk_store::repo::evidence as evidence_repo;
use crosswalk_store::repo::{catalog, controls};
use uuid::Uuid;

use crate::{Actor, App, AppError, AppResult};

impl App {
    /// Generates `n` controls linked to ISO 27001, SP 800-53 and CSF requirements, half implemented
    /// with `evidence_per_implemented` valid evidence links each, in one transaction journaled by one
    /// entry (`bench.generate`) whose record hashes cover every row. Local operator only. Returns the
    /// first evidence id and the number of rows written.
    pub async fn generate_bench_controls(&self, op: &Actor, n: usize, evidence_per_implemented: usize) -> AppResult<(Uuid, u64)> {
        if op.method() != crate::AuthMethod::Operator {
            return Err(AppError::Forbidden("generating benchmark data (local operator only)".into()));
        }
        for f in ["iso27001-2022", "nist-csf-2.0", "nis2", "nist-sp-800-53-r5", "nis2-cir-2024-2690"] {
            self.follow_framework(op, f).await?;
        }
        let db = self.db();
        let mut targets = Vec::new();
        for slug in ["iso27001-2022", "nist-sp-800-53-r5", "nist-csf-2.0"] {
            let f = catalog::frameworks_with_slug(db, catalog::Scope::Shared, slug)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| AppError::NotFound(format!("bundled framework {slug}")))?;
            targets.extend(catalog::requirements(db, f.id).await?.into_iter().filter(|r| r.assessable).map(|r| r.id));
        }
        let tenant = op.tenant().0;
        let now = self.now();
        let today = now.date_naive();
        let (mut controls_rows, mut links, mut evidence_rows, mut evidence_links) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in 0..n {
            let implemented = i % 2 == 0;
            let control = Uuid::now_v7();
            controls_rows.push(controls::Control {
                id: control,
                tenant_id: tenant,
                name: format!("Control {i}"),
                description: String::new(),
                owner_id: None,
                status: if implemented { "implemented" } else { "planned" }.into(),
                justification: None,
                created_at: now,
                updated_at: now,
            });
            let mut mine = std::collections::BTreeSet::new();
            for k in 0..2 {
                mine.insert(targets[(i * 7 + k * 131) % targets.len()]);
            }
            links.extend(mine.into_iter().map(|r| (control, r)));
            for _ in 0..if implemented { evidence_per_implemented } else { 0 } {
                let evidence = Uuid::now_v7();
                evidence_rows.push(evidence_repo::Evidence {
                    id: evidence,
                    tenant_id: tenant,
                    name: format!("evidence {i}"),
                    sha256: None,
                    size: 0,
                    link: Some(format!("https://evidence.example/{i}")),
                    collected_at: now,
                    effective_from: None,
                    valid_until: today.checked_add_days(Days::new(90)),
                    created_at: now,
                });
                evidence_links.push((evidence, control));
            }
        }
        let first_evidence = evidence_rows.first().map(|e| e.id);
        let rows = (controls_rows.len() + links.len() + evidence_rows.len() + evidence_links.len()) as u64;
        let tx = self.begin().await?;
        controls::insert_controls_many(&tx, controls_rows).await?;
        controls::link_many(&tx, tenant, links).await?;
        evidence_repo::insert_evidence_many(&tx, evidence_rows).await?;
        evidence_repo::link_evidence_many(&tx, tenant, evidence_links).await?;
        self.journal(&tx, op, "bench.generate", "organisation", op.tenant_slug(), serde_json::json!({"controls": n, "rows": rows})).await?;
        tx.commit().await?;
        Ok((first_evidence.ok_or_else(|| AppError::invalid("n", "no evidence generated"))?, rows))
    }
}
