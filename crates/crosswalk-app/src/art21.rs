//! The NIS2 Art 21 view: each minimum measure of Art 21(2)(a)–(j) with its honest readiness (direct
//! or through the crosswalk), the controls linked to it, the ISO/IEC 27001 requirements it relates
//! to and their states, and — for the entity types of Art 21(5) — the CIR 2024/2690 annex sections
//! beneath it.
use std::collections::HashMap;

use crosswalk_domain::Permission;
use crosswalk_domain::crosswalk::Readiness;
use crosswalk_store::repo::catalog as catalog_repo;
use serde::Serialize;

use crate::readiness::RequirementReadiness;
use crate::{Actor, App, AppResult};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelatedRequirement {
    pub framework: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    /// How the measure relates to it: "Art.21(2)(x) `relation` ref".
    pub relation: String,
    /// The organisation's state of that requirement, when it follows the framework.
    pub state: Option<Readiness>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Art21Measure {
    pub measure: RequirementReadiness,
    pub controls: Vec<String>,
    pub iso27001: Vec<RelatedRequirement>,
    /// CIR 2024/2690 annex sections detailing this measure (empty when the entity type is not covered).
    pub cir_sections: Vec<RelatedRequirement>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Art21View {
    /// The entity type from the organisation's saved NIS2 scoping, if any.
    pub entity_type: Option<String>,
    /// Whether CIR 2024/2690 applies to it (NIS2 Art 21(5), CIR Art 1).
    pub cir_applies: bool,
    pub measures: Vec<Art21Measure>,
}

impl App {
    pub async fn art21(&self, actor: &Actor) -> AppResult<Art21View> {
        actor.require(Permission::Read, "reading the Art 21 view")?;
        let entity_type = self.nis2_profile(actor).await?.map(|p| p.entity_type);
        let cir_applies = entity_type.as_deref().is_some_and(crosswalk_domain::nis2::covered_by_cir_2024_2690);
        let nis2 = self.readiness(actor, "nis2").await?;
        let followed = self.list_frameworks(actor).await?;
        let follows = |slug: &str| followed.iter().any(|f| f.slug == slug && f.followed);
        let states = |report: Option<crate::readiness::ReadinessReport>| -> HashMap<String, Readiness> {
            report.map(|r| r.requirements.into_iter().map(|q| (q.reference, q.state)).collect()).unwrap_or_default()
        };
        let iso_states = states(if follows("iso27001-2022") { Some(self.readiness(actor, "iso27001-2022").await?) } else { None });
        let cir_states = states(if cir_applies && follows("nis2-cir-2024-2690") {
            Some(self.readiness(actor, "nis2-cir-2024-2690").await?)
        } else {
            None
        });

        let framework = self.framework_named(actor, "nis2").await?;
        let measure_rows: Vec<_> = nis2.requirements.into_iter().filter(|r| r.reference.starts_with("Art.21(2)(")).collect();
        let mut ids = Vec::with_capacity(measure_rows.len());
        for row in &measure_rows {
            if let Some(r) = catalog_repo::requirement(self.db(), framework.id, &row.reference).await? {
                ids.push(r.id);
            }
        }
        let relations = self.relation_views(actor, &ids).await?;
        let snapshot = self.snapshot(actor.tenant.0).await?;
        let mut controls_of: HashMap<i64, Vec<String>> = HashMap::new();
        for (control, requirement) in &snapshot.links {
            if let Some(c) = snapshot.controls.get(control) {
                controls_of.entry(*requirement).or_default().push(format!("{} ({})", c.name, c.status));
            }
        }
        let mut measures = Vec::with_capacity(measure_rows.len());
        for (row, id) in measure_rows.into_iter().zip(ids) {
            let mine: Vec<_> = relations.iter().filter(|r| r.from == row.reference).collect();
            let related = |prefix: &str, states: &HashMap<String, Readiness>, section_only: bool| -> Vec<RelatedRequirement> {
                mine.iter()
                    .filter(|r| r.to_framework.starts_with(prefix) && (!section_only || !r.to.contains('.')))
                    .map(|r| RelatedRequirement {
                        framework: r.to_framework.clone(),
                        reference: r.to.clone(),
                        title: r.to_title.clone(),
                        relation: r.relation.as_str().to_owned(),
                        state: states.get(&r.to).copied(),
                    })
                    .collect()
            };
            measures.push(Art21Measure {
                controls: controls_of.remove(&id).unwrap_or_default(),
                iso27001: related("iso27001-2022@", &iso_states, false),
                cir_sections: if cir_applies { related("nis2-cir-2024-2690@", &cir_states, true) } else { vec![] },
                measure: row,
            });
        }
        Ok(Art21View { entity_type, cir_applies, measures })
    }
}
