//! The crosswalk engine: what a tenant's work on some requirements says about others.
//!
//! Rules (ARCHITECTURE.md, "Catalog and mappings"; NIST IR 8477):
//! - Credit flows automatically only along one relation "S equal T" or "S superset T" from a
//!   *proven* source S: the target is then `derived`, with that one-step path.
//! - `subset` and `intersects` relations, attested sources and chains of 2–3 relations are only
//!   *suggestions*: they show the path and its weakest strength and need a named person's sign-off.
//!   A signed-off suggestion counts as `attested`, never as proven or derived.
//! - `not_related` relations are never followed.
//! - Credit never flows from a heading (a requirement with children) and never into one: a heading's
//!   state is rolled up from its children ([`crate::hierarchy`]); relations touching it only suggest.
//!
//! The engine is pure and works on dense requirement indexes so that a whole framework can be
//! assessed in one pass without database round trips.
use serde::Serialize;

use crate::catalog::RelationType;

/// A requirement, as a dense index into the caller's requirement table.
pub type Node = u32;

/// Readiness of one requirement. The discriminant order is the "better than" order used when
/// several bases apply; `NotApplicable` stands outside it (a justified exclusion wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Readiness {
    Unknown,
    Gap,
    Partial,
    Attested,
    Derived,
    Proven,
    NotApplicable,
}

impl Readiness {
    pub const ALL: [Readiness; 7] =
        [Self::Proven, Self::Attested, Self::Derived, Self::Partial, Self::Gap, Self::NotApplicable, Self::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Gap => "gap",
            Self::Partial => "partial",
            Self::Attested => "attested",
            Self::Derived => "derived",
            Self::Proven => "proven",
            Self::NotApplicable => "not_applicable",
        }
    }

    /// A requirement counts as met (for scores) when proven, attested, derived or excluded.
    pub fn is_met(self) -> bool {
        matches!(self, Self::Proven | Self::Attested | Self::Derived | Self::NotApplicable)
    }
}

/// What a state rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The tenant's own work on this requirement (controls, evidence, attestations).
    Direct,
    /// One equal/superset relation from a proven requirement.
    Derived,
    /// A suggestion a named person signed off.
    SignedOff,
    /// Only suggestions reach it; a person must review them.
    Suggestion,
    /// A heading (or an NIS2 Art 21(2) measure of an entity the CIR covers): rolled up from its
    /// children ([`crate::hierarchy::roll_up`]), never assessed directly.
    RollUp,
    /// Nothing reaches it.
    Gap,
}

/// One relation along a path, oriented from the source towards the target: "from `relation` to".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Step {
    pub from: Node,
    pub to: Node,
    pub relation: RelationType,
    pub strength: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// From the tenant's requirement to the target.
    pub path: Vec<Step>,
    /// The weakest stated strength along the path (None when no step states one).
    pub weakest_strength: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub state: Readiness,
    pub basis: Basis,
    /// For `Derived`: the one credit-carrying step.
    pub path: Vec<Step>,
    /// Up to [`MAX_SUGGESTIONS`] paths worth a reviewer's look, shortest and strongest first.
    pub suggestions: Vec<Suggestion>,
}

pub const MAX_HOPS: usize = 3;
pub const MAX_SUGGESTIONS: usize = 5;

/// An arc into a node: "`other` `relation` this node".
#[derive(Debug, Clone, Copy)]
struct Arc {
    other: Node,
    relation: RelationType,
    strength: Option<u8>,
}

/// Relations between requirements, stored both ways so either side can be the target.
#[derive(Debug, Default, Clone)]
pub struct MappingGraph {
    incoming: Vec<Vec<Arc>>,
}

impl MappingGraph {
    pub fn new(node_count: usize) -> Self {
        Self { incoming: vec![Vec::new(); node_count] }
    }

    /// Records "from `relation` to" (and therefore "to `relation.inverse()` from").
    pub fn add(&mut self, from: Node, to: Node, relation: RelationType, strength: Option<u8>) {
        if relation == RelationType::NotRelated || from == to {
            return;
        }
        let needed = from.max(to) as usize + 1;
        if self.incoming.len() < needed {
            self.incoming.resize(needed, Vec::new());
        }
        self.incoming[to as usize].push(Arc { other: from, relation, strength });
        self.incoming[from as usize].push(Arc { other: to, relation: relation.inverse(), strength });
    }

    pub fn node_count(&self) -> usize {
        self.incoming.len()
    }

    /// The relations into `node`, each as (other requirement, "other `relation` node").
    pub fn relations_into(&self, node: Node) -> impl Iterator<Item = (Node, RelationType)> + '_ {
        self.arcs_into(node).iter().map(|a| (a.other, a.relation))
    }

    fn arcs_into(&self, node: Node) -> &[Arc] {
        self.incoming.get(node as usize).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// What the engine needs to know about the tenant, as functions so callers need not build maps.
#[allow(missing_debug_implementations)] // closures only
pub struct Inputs<'a> {
    /// The tenant's own state of a requirement (`Unknown` when nothing is recorded). Never `Derived`.
    pub direct: &'a dyn Fn(Node) -> Readiness,
    /// Whether a requirement's own state may be used as the source of credit or suggestions
    /// (for coverage: only the `--from` framework's requirements).
    pub is_source: &'a dyn Fn(Node) -> bool,
    /// Whether the target's own direct state counts (readiness: yes; coverage from A: no).
    pub use_target_direct: bool,
    /// Whether a named person signed off a suggestion for this target.
    pub signed_off: &'a dyn Fn(Node) -> bool,
    /// Whether a requirement is a heading (has children, see [`crate::hierarchy`]): credit never
    /// flows from a heading, and a heading as target only collects suggestions (its state is rolled
    /// up from its children by the caller).
    pub is_heading: &'a dyn Fn(Node) -> bool,
}

fn weakest(path: &[Step]) -> Option<u8> {
    path.iter().filter_map(|s| s.strength).min()
}

/// Assesses one target requirement (see [`assess_all`] for many).
pub fn assess(graph: &MappingGraph, target: Node, inputs: &Inputs<'_>) -> Assessment {
    let paths = SuggestionPaths::find(graph, inputs, &[target]);
    assess_with(graph, target, inputs, &paths)
}

/// Assesses many targets with one search for suggestion paths shared by all of them.
pub fn assess_all(graph: &MappingGraph, targets: &[Node], inputs: &Inputs<'_>) -> Vec<Assessment> {
    let paths = SuggestionPaths::find(graph, inputs, targets);
    targets.iter().map(|&t| assess_with(graph, t, inputs, &paths)).collect()
}

fn assess_with(graph: &MappingGraph, target: Node, inputs: &Inputs<'_>, paths: &SuggestionPaths) -> Assessment {
    let direct = if inputs.use_target_direct { (inputs.direct)(target) } else { Readiness::Unknown };
    debug_assert_ne!(direct, Readiness::Derived, "direct states are never derived");
    if direct == Readiness::NotApplicable {
        return Assessment { state: direct, basis: Basis::Direct, path: vec![], suggestions: vec![] };
    }

    let mut credit: Option<Step> = None;
    let target_is_heading = (inputs.is_heading)(target);
    for arc in graph.arcs_into(target) {
        if !target_is_heading
            && arc.relation.carries_credit()
            && !(inputs.is_heading)(arc.other)
            && (inputs.is_source)(arc.other)
            && (inputs.direct)(arc.other) == Readiness::Proven
        {
            let step = Step { from: arc.other, to: target, relation: arc.relation, strength: arc.strength };
            // Prefer equal over superset, then the stronger relation: the most convincing path is shown.
            let better = match credit {
                None => true,
                Some(best) => (step.relation == RelationType::Equal, step.strength) > (best.relation == RelationType::Equal, best.strength),
            };
            if better {
                credit = Some(step);
            }
        }
    }

    let suggestions = paths.for_target(target, credit.map(|c| c.from));

    let mut best = (direct, if inputs.use_target_direct { Basis::Direct } else { Basis::Gap }, Vec::new());
    if let Some(step) = credit
        && Readiness::Derived > best.0
    {
        best = (Readiness::Derived, Basis::Derived, vec![step]);
    }
    if !suggestions.is_empty() && (inputs.signed_off)(target) && Readiness::Attested > best.0 {
        best = (Readiness::Attested, Basis::SignedOff, suggestions[0].path.clone());
    }
    let (mut state, mut basis, path) = best;
    if !inputs.use_target_direct && basis == Basis::Gap {
        // Coverage view: a suggestion is undetermined until reviewed; nothing at all is a gap.
        state = if suggestions.is_empty() { Readiness::Gap } else { Readiness::Unknown };
        if !suggestions.is_empty() {
            basis = Basis::Suggestion;
        }
    } else if basis == Basis::Direct && matches!(state, Readiness::Unknown | Readiness::Gap | Readiness::Partial) && !suggestions.is_empty()
    {
        basis = Basis::Suggestion;
    }
    Assessment { state, basis, path, suggestions }
}

/// Paths of up to [`MAX_HOPS`] relations from every proven or attested source, found in one
/// breadth-first pass forward from all sources at once. Each requirement keeps at most
/// `KEPT_PER_NODE` paths, shortest first, and only kept paths are extended, so the work is bounded
/// by (relations × kept paths × hops) however dense the catalog is — one pass serves a whole framework.
/// A path only enters a requirement from which the targets are still reachable in the hops left, so
/// the search stays within the targets' neighbourhood.
struct SuggestionPaths {
    per_node: std::collections::HashMap<Node, Vec<Vec<Step>>>,
}

const KEPT_PER_NODE: usize = MAX_SUGGESTIONS + 1;

impl SuggestionPaths {
    fn find(graph: &MappingGraph, inputs: &Inputs<'_>, targets: &[Node]) -> Self {
        // Hops from each requirement to the nearest target (relations are stored both ways).
        let mut distance = vec![u8::MAX; graph.node_count()];
        let mut layer: Vec<Node> = targets.iter().copied().filter(|&t| (t as usize) < distance.len()).collect();
        for &t in &layer {
            distance[t as usize] = 0;
        }
        for hop in 1..=MAX_HOPS as u8 {
            let mut next = Vec::new();
            for &n in &layer {
                for arc in graph.arcs_into(n) {
                    if distance[arc.other as usize] == u8::MAX {
                        distance[arc.other as usize] = hop;
                        next.push(arc.other);
                    }
                }
            }
            layer = next;
        }
        let mut per_node: std::collections::HashMap<Node, Vec<Vec<Step>>> = std::collections::HashMap::new();
        let mut frontier: Vec<(Node, Vec<Step>)> = (0..graph.node_count() as Node)
            .filter(|&n| distance[n as usize] <= MAX_HOPS as u8)
            .filter(|&n| (inputs.is_source)(n) && matches!((inputs.direct)(n), Readiness::Proven | Readiness::Attested))
            .map(|n| (n, Vec::new()))
            .collect();
        for hop in 0..MAX_HOPS {
            // A step taken now must leave the target within the hops that remain after it.
            let hops_left_after = (MAX_HOPS - hop - 1) as u8;
            let mut next = Vec::new();
            for (node, path) in &frontier {
                let origin = path.first().map_or(*node, |s| s.from);
                for arc in graph.arcs_into(*node) {
                    let to = arc.other;
                    // A path never revisits a requirement (nor returns to its source).
                    if to == origin || distance[to as usize] > hops_left_after || path.iter().any(|s| s.to == to) {
                        continue;
                    }
                    let kept = per_node.entry(to).or_default();
                    if kept.len() >= KEPT_PER_NODE {
                        continue;
                    }
                    let mut extended = path.clone();
                    // The stored arc reads "to REL node"; walking from node to `to` reads the inverse.
                    extended.push(Step { from: *node, to, relation: arc.relation.inverse(), strength: arc.strength });
                    kept.push(extended.clone());
                    next.push((to, extended));
                }
            }
            frontier = next;
        }
        Self { per_node }
    }

    fn for_target(&self, target: Node, credited_source: Option<Node>) -> Vec<Suggestion> {
        let mut found: Vec<Suggestion> = self
            .per_node
            .get(&target)
            .into_iter()
            .flatten()
            .filter(|p| !(p.len() == 1 && Some(p[0].from) == credited_source))
            .map(|p| Suggestion { weakest_strength: weakest(p), path: p.clone() })
            .collect();
        found.sort_by(|a, b| a.path.len().cmp(&b.path.len()).then(b.weakest_strength.cmp(&a.weakest_strength)));
        found.truncate(MAX_SUGGESTIONS);
        found
    }
}

/// Counts of each state over a set of assessments, for summaries and scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub proven: usize,
    pub attested: usize,
    pub derived: usize,
    pub partial: usize,
    pub gap: usize,
    pub not_applicable: usize,
    pub unknown: usize,
}

impl Summary {
    pub fn add(&mut self, state: Readiness) {
        *match state {
            Readiness::Proven => &mut self.proven,
            Readiness::Attested => &mut self.attested,
            Readiness::Derived => &mut self.derived,
            Readiness::Partial => &mut self.partial,
            Readiness::Gap => &mut self.gap,
            Readiness::NotApplicable => &mut self.not_applicable,
            Readiness::Unknown => &mut self.unknown,
        } += 1;
    }

    pub fn total(&self) -> usize {
        self.proven + self.attested + self.derived + self.partial + self.gap + self.not_applicable + self.unknown
    }

    /// Whole-percent share of one state; the parts are shown separately, never summed into one "score".
    pub fn percent(&self, count: usize) -> u32 {
        let total = self.total();
        (count * 100 + total / 2).checked_div(total).map_or(0, |p| p as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RelationType::*;
    use proptest::prelude::*;

    fn run(graph: &MappingGraph, states: &[Readiness], target: Node, use_direct: bool) -> Assessment {
        let direct = |n: Node| states.get(n as usize).copied().unwrap_or(Readiness::Unknown);
        let source = |n: Node| n != target;
        let never = |_: Node| false;
        assess(
            graph,
            target,
            &Inputs { direct: &direct, is_source: &source, use_target_direct: use_direct, signed_off: &never, is_heading: &never },
        )
    }

    #[test]
    fn superset_from_a_proven_source_derives_with_its_path() {
        // 0 = ISO A.8.8, 1 = CSF ID.RA-01: A.8.8 superset ID.RA-01.
        let mut graph = MappingGraph::new(2);
        graph.add(0, 1, Superset, Some(8));
        let result = run(&graph, &[Readiness::Proven, Readiness::Unknown], 1, true);
        assert_eq!(result.state, Readiness::Derived);
        assert_eq!(result.path, vec![Step { from: 0, to: 1, relation: Superset, strength: Some(8) }]);
        // Read the other way (ID.RA-01 subset A.8.8), proving the CSF item proves nothing about ISO.
        let reverse = run(&graph, &[Readiness::Unknown, Readiness::Proven], 0, true);
        assert_eq!(reverse.state, Readiness::Unknown);
        assert_eq!(reverse.basis, Basis::Suggestion);
        assert_eq!(reverse.suggestions[0].path[0].relation, Subset);
    }

    #[test]
    fn intersects_never_gives_credit_and_attested_sources_only_suggest() {
        let mut graph = MappingGraph::new(3);
        graph.add(0, 2, Intersects, Some(9));
        graph.add(1, 2, Equal, None);
        let result = run(&graph, &[Readiness::Proven, Readiness::Attested, Readiness::Unknown], 2, true);
        assert_eq!(result.state, Readiness::Unknown);
        assert_eq!(result.suggestions.len(), 2);
    }

    #[test]
    fn chains_are_suggestions_with_their_weakest_strength() {
        let mut graph = MappingGraph::new(4);
        graph.add(0, 1, Equal, Some(9));
        graph.add(1, 2, Superset, Some(4));
        graph.add(2, 3, Equal, Some(7));
        let result = run(&graph, &[Readiness::Proven, Readiness::Unknown, Readiness::Unknown, Readiness::Unknown], 3, true);
        assert_eq!(result.state, Readiness::Unknown);
        assert_eq!(result.suggestions[0].path.len(), 3);
        assert_eq!(result.suggestions[0].weakest_strength, Some(4));
        // A fourth hop is out of reach.
        graph.add(4, 0, Equal, None);
        let far =
            run(&graph, &[Readiness::Unknown, Readiness::Unknown, Readiness::Unknown, Readiness::Unknown, Readiness::Proven], 3, true);
        assert!(far.suggestions.is_empty());
    }

    #[test]
    fn coverage_view_ignores_the_targets_own_state_and_signed_off_is_attested() {
        let mut graph = MappingGraph::new(2);
        graph.add(0, 1, Intersects, None);
        let states = [Readiness::Proven, Readiness::Proven];
        let direct = |n: Node| states[n as usize];
        let only_zero = |n: Node| n == 0;
        let yes = |_: Node| true;
        let never = |_: Node| false;
        let inputs = Inputs { direct: &direct, is_source: &only_zero, use_target_direct: false, signed_off: &yes, is_heading: &never };
        let result = assess(&graph, 1, &inputs);
        assert_eq!((result.state, result.basis), (Readiness::Attested, Basis::SignedOff));
        let no = |_: Node| false;
        let unsigned = assess(&graph, 1, &Inputs { signed_off: &no, ..inputs });
        assert_eq!((unsigned.state, unsigned.basis), (Readiness::Unknown, Basis::Suggestion));
        let empty = MappingGraph::new(2);
        assert_eq!(assess(&empty, 1, &Inputs { signed_off: &no, ..inputs }).state, Readiness::Gap);
    }

    #[test]
    fn not_applicable_wins_and_not_related_is_ignored() {
        let mut graph = MappingGraph::new(2);
        graph.add(0, 1, NotRelated, None);
        assert_eq!(graph.arcs_into(1).len(), 0);
        graph.add(0, 1, Equal, None);
        let result = run(&graph, &[Readiness::Proven, Readiness::NotApplicable], 1, true);
        assert_eq!(result.state, Readiness::NotApplicable);
    }

    #[test]
    fn summary_percentages_are_rounded_parts() {
        let mut summary = Summary::default();
        for state in [Readiness::Proven, Readiness::Proven, Readiness::Attested] {
            summary.add(state);
        }
        assert_eq!((summary.percent(summary.proven), summary.percent(summary.attested)), (67, 33));
    }

    const NODES: u32 = 8;

    fn arb_relation() -> impl Strategy<Value = (u32, u32, RelationType, Option<u8>)> {
        (0..NODES, 0..NODES, prop::sample::select(RelationType::ALL.to_vec()), prop::option::of(0u8..=10))
    }

    fn arb_state() -> impl Strategy<Value = Readiness> {
        prop::sample::select(vec![Readiness::Unknown, Readiness::Gap, Readiness::Partial, Readiness::Attested, Readiness::Proven])
    }

    fn graph_of(relations: &[(u32, u32, RelationType, Option<u8>)]) -> MappingGraph {
        let mut graph = MappingGraph::new(NODES as usize);
        for &(from, to, relation, strength) in relations {
            graph.add(from, to, relation, strength);
        }
        graph
    }

    fn all_states(graph: &MappingGraph, states: &[Readiness]) -> Vec<Readiness> {
        (0..NODES).map(|t| run(graph, states, t, true).state).collect()
    }

    proptest! {
        #[test]
        fn raising_any_direct_state_never_lowers_readiness(
            relations in prop::collection::vec(arb_relation(), 0..24),
            states in prop::collection::vec(arb_state(), NODES as usize),
            node in 0..NODES,
            raised in arb_state(),
        ) {
            prop_assume!(raised > states[node as usize]);
            let graph = graph_of(&relations);
            let before = all_states(&graph, &states);
            let mut more = states.clone();
            more[node as usize] = raised;
            let after = all_states(&graph, &more);
            for (b, a) in before.iter().zip(&after) {
                prop_assert!(a >= b, "{b:?} fell to {a:?}");
            }
        }

        #[test]
        fn removing_a_relation_never_raises_readiness(
            relations in prop::collection::vec(arb_relation(), 1..24),
            states in prop::collection::vec(arb_state(), NODES as usize),
            remove in any::<prop::sample::Index>(),
        ) {
            let graph = graph_of(&relations);
            let mut fewer = relations.clone();
            fewer.remove(remove.index(relations.len()));
            let before = all_states(&graph, &states);
            let after = all_states(&graph_of(&fewer), &states);
            for (b, a) in before.iter().zip(&after) {
                prop_assert!(a <= b, "{b:?} rose to {a:?}");
            }
        }

        /// Proving a heading (or a measure whose points are its children) alone derives no
        /// requirement anywhere, whatever the relations say.
        #[test]
        fn a_proven_heading_derives_nothing(
            relations in prop::collection::vec(arb_relation(), 0..24),
            heading in 0..NODES,
        ) {
            let graph = graph_of(&relations);
            let mut states = vec![Readiness::Unknown; NODES as usize];
            states[heading as usize] = Readiness::Proven;
            let direct = |n: Node| states[n as usize];
            let is_heading = |n: Node| n == heading;
            let never = |_: Node| false;
            for target in (0..NODES).filter(|&t| t != heading) {
                let source = |n: Node| n != target;
                let inputs = Inputs { direct: &direct, is_source: &source, use_target_direct: true, signed_off: &never, is_heading: &is_heading };
                prop_assert_ne!(assess(&graph, target, &inputs).state, Readiness::Derived);
            }
        }

        /// A heading as target collects suggestions only, never credit.
        #[test]
        fn a_heading_target_is_never_derived(
            relations in prop::collection::vec(arb_relation(), 0..24),
            states in prop::collection::vec(arb_state(), NODES as usize),
            heading in 0..NODES,
        ) {
            let graph = graph_of(&relations);
            let direct = |n: Node| states[n as usize];
            let is_heading = |n: Node| n == heading;
            let source = |n: Node| n != heading;
            let never = |_: Node| false;
            let inputs = Inputs { direct: &direct, is_source: &source, use_target_direct: false, signed_off: &never, is_heading: &is_heading };
            prop_assert_ne!(assess(&graph, heading, &inputs).state, Readiness::Derived);
        }

        #[test]
        fn credit_paths_are_one_sound_step_from_a_proven_source(
            relations in prop::collection::vec(arb_relation(), 0..24),
            states in prop::collection::vec(arb_state(), NODES as usize),
        ) {
            let graph = graph_of(&relations);
            for target in 0..NODES {
                let result = run(&graph, &states, target, true);
                if result.state == Readiness::Derived {
                    prop_assert_eq!(result.path.len(), 1);
                    let step = result.path[0];
                    prop_assert!(step.relation.carries_credit(), "credit through {:?}", step.relation);
                    prop_assert_eq!(states[step.from as usize], Readiness::Proven);
                    // The stored relation must really say source equal/superset target.
                    let stated = relations.iter().any(|&(f, t, r, _)| {
                        (f == step.from && t == target && r.carries_credit())
                            || (t == step.from && f == target && r.inverse().carries_credit())
                    });
                    prop_assert!(stated);
                }
                for suggestion in &result.suggestions {
                    prop_assert!(suggestion.path.len() <= MAX_HOPS);
                    prop_assert!(suggestion.path.iter().all(|s| s.relation != NotRelated));
                    prop_assert_eq!(suggestion.path.last().map(|s| s.to), Some(target));
                }
            }
        }
    }
}
