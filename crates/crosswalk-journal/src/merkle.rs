//! Merkle trees as in RFC 6962 §2.1 (Certificate Transparency): a root over an ordered list of leaf
//! hashes, and audit paths proving that one leaf is in a tree of a given size.
//!
//! Leaves are hashed by the caller with the `0x00` prefix ([`leaf_hash`]); interior nodes use `0x01`,
//! so a leaf can never be passed off as an interior node (second-preimage resistance). The tree of
//! `n` leaves splits at the largest power of two below `n`, which makes root and proofs unique for
//! every size, not just powers of two.
use crate::canonical::Hash;
use sha2::{Digest, Sha256};

/// The hash of a leaf's bytes: `SHA-256(0x00 ‖ data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The root over `leaves` (already leaf-hashed); the hash of the empty string for no leaves.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path for leaf `index` (RFC 6962 §2.1.1), bottom-up. Empty when `index` is out of range.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Vec<Hash> {
    fn path(leaves: &[Hash], index: usize, out: &mut Vec<Hash>) {
        let n = leaves.len();
        if n <= 1 {
            return;
        }
        let k = split(n);
        if index < k {
            path(&leaves[..k], index, out);
            out.push(root(&leaves[k..]));
        } else {
            path(&leaves[k..], index - k, out);
            out.push(root(&leaves[..k]));
        }
    }
    let mut out = Vec::new();
    if index < leaves.len() {
        path(leaves, index, &mut out);
    }
    out
}

/// Does `proof` show that `leaf` is leaf `index` of a tree of `size` leaves with `root`?
/// (RFC 9162 §2.1.3.2, the iterative form of the verification.)
pub fn verify_inclusion(leaf: &Hash, index: usize, size: usize, proof: &[Hash], expected_root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == *expected_root
}

/// A whole tree kept level by level, for many audit paths at O(log n) each. Pairing neighbours and
/// carrying an unpaired last node up unchanged builds exactly the RFC 6962 tree.
#[derive(Debug, Clone)]
pub struct Tree {
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    pub fn new(leaves: Vec<Hash>) -> Self {
        let mut levels = vec![leaves];
        while levels.last().is_some_and(|l| l.len() > 1) {
            let below = levels.last().map(Vec::as_slice).unwrap_or_default();
            let above: Vec<Hash> = below.chunks(2).map(|p| if p.len() == 2 { node_hash(&p[0], &p[1]) } else { p[0] }).collect();
            levels.push(above);
        }
        Self { levels }
    }

    pub fn size(&self) -> usize {
        self.levels[0].len()
    }

    pub fn root(&self) -> Hash {
        match self.levels.last().and_then(|l| l.first()) {
            Some(r) if self.size() > 0 => *r,
            _ => root(&[]),
        }
    }

    /// The audit path of leaf `index`, bottom-up (the same as [`inclusion_proof`]).
    pub fn proof(&self, mut index: usize) -> Vec<Hash> {
        let mut out = Vec::new();
        if index >= self.size() {
            return out;
        }
        for level in &self.levels[..self.levels.len() - 1] {
            let sibling = index ^ 1;
            if sibling < level.len() {
                out.push(level[sibling]);
            }
            index >>= 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&(i as u64).to_be_bytes())).collect()
    }

    #[test]
    fn small_trees_match_the_definition() {
        let l = leaves(3);
        assert_eq!(root(&l), node_hash(&node_hash(&l[0], &l[1]), &l[2]));
        assert_eq!(root(&l[..1]), l[0]);
        // RFC 6962: the empty tree's root is SHA-256 of the empty string.
        assert_eq!(hex::encode(root(&[])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    proptest! {
        #[test]
        fn every_leaf_has_a_proof_that_verifies_and_no_other_leaf_passes(n in 1usize..70, pick in 0usize..70) {
            let l = leaves(n);
            let r = root(&l);
            let i = pick % n;
            let proof = inclusion_proof(&l, i);
            prop_assert!(verify_inclusion(&l[i], i, n, &proof, &r));
            let other = leaf_hash(b"not in the tree");
            prop_assert!(!verify_inclusion(&other, i, n, &proof, &r));
            if n > 1 {
                prop_assert!(!verify_inclusion(&l[i], (i + 1) % n, n, &proof, &r));
            }
            let tree = Tree::new(l.clone());
            prop_assert_eq!(tree.root(), r);
            prop_assert_eq!(tree.proof(i), proof);
        }
    }
}
