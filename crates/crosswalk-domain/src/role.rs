//! Roles and what each may do. The app layer asks `role.allows(permission)` and nothing else,
//! so this table is the single statement of the authorisation policy.
use serde::{Deserialize, Serialize};

/// A member's role within one tenant (CONTRACT.md fixes the names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including users, tokens and organisation settings.
    Admin,
    /// Runs the ISMS: controls, mappings, risks, incidents.
    Manager,
    /// Owns controls and supplies evidence.
    Contributor,
    /// Reads everything and verifies the journal; comments on audits.
    Auditor,
    /// Reads the posture; changes nothing.
    Viewer,
}

/// Something an actor may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the organisation, its members and its posture.
    Read,
    /// Rename the organisation, change settings.
    ManageTenant,
    /// Add, change or remove members.
    ManageUsers,
    /// Create and revoke one's own API tokens.
    ManageOwnTokens,
    /// See and revoke every member's API tokens.
    ManageAllTokens,
    /// Read journal entries.
    ReadJournal,
    /// Recompute the chain and sign a checkpoint.
    VerifyJournal,
    /// Register incidents and record report submissions (the incident manager's work).
    ManageIncidents,
    /// Decide compliance matters: NIS2 scoping, and later controls, mappings, SoA, risks.
    ManageCompliance,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Manager, Role::Contributor, Role::Auditor, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Contributor => "contributor",
            Role::Auditor => "auditor",
            Role::Viewer => "viewer",
        }
    }

    /// The authorisation policy. A viewer never changes anything; an auditor reads everything and may
    /// verify (and so checkpoint) the journal, which is what an auditor is for.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match permission {
            Read => true,
            ManageTenant | ManageUsers | ManageAllTokens => self == Admin,
            ManageOwnTokens => self != Viewer,
            ReadJournal => matches!(self, Admin | Manager | Auditor),
            VerifyJournal => matches!(self, Admin | Auditor),
            ManageIncidents | ManageCompliance => matches!(self, Admin | Manager),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown role name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}' (expected admin, manager, contributor, auditor or viewer)")]
pub struct UnknownRole(pub String);

impl std::str::FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_may_only_read() {
        for p in [
            Permission::ManageTenant,
            Permission::ManageUsers,
            Permission::ManageOwnTokens,
            Permission::ManageAllTokens,
            Permission::VerifyJournal,
            Permission::ReadJournal,
            Permission::ManageIncidents,
            Permission::ManageCompliance,
        ] {
            assert!(!Role::Viewer.allows(p), "viewer must not be allowed {p:?}");
        }
        assert!(Role::Viewer.allows(Permission::Read));
    }

    #[test]
    fn only_admin_manages_users() {
        for role in Role::ALL {
            assert_eq!(role.allows(Permission::ManageUsers), role == Role::Admin, "{role}");
        }
    }

    #[test]
    fn auditor_verifies_journal() {
        assert!(Role::Auditor.allows(Permission::VerifyJournal));
        assert!(!Role::Contributor.allows(Permission::ReadJournal));
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
