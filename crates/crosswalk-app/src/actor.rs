//! Who is acting, in which tenant, with which role. Only this crate constructs an `Actor`, from a
//! verified session, a verified API token, or the local operator's command line.
use crate::{AppError, AppResult};
use crosswalk_domain::{Permission, Role, TenantId, UserId};

/// How the actor authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// A browser session opened with the account's own password (verified address).
    Session,
    /// A browser session opened with an organisation credential: it can never switch organisation.
    BoundSession,
    Token,
    /// The operator of this installation, on its command line (has database access anyway).
    Operator,
    /// Crosswalk itself, e.g. the scheduler sending reminders.
    System,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub(crate) tenant: TenantId,
    pub(crate) tenant_slug: String,
    pub(crate) tenant_name: String,
    pub(crate) user: Option<UserId>,
    pub(crate) email: Option<String>,
    pub(crate) role: Role,
    pub(crate) method: AuthMethod,
}

impl Actor {
    /// Crosswalk itself acting for a tenant (scheduler, daily snapshots): admin rights, no person.
    pub(crate) fn system(tenant: TenantId) -> Actor {
        Actor {
            tenant,
            tenant_slug: String::new(),
            tenant_name: String::new(),
            user: None,
            email: None,
            role: Role::Admin,
            method: AuthMethod::System,
        }
    }

    /// A person acting in `tenant` with `role`, authenticated by `method`.
    pub(crate) fn person(
        tenant: &crosswalk_store::repo::tenants::Tenant,
        user: uuid::Uuid,
        email: &str,
        role: Role,
        method: AuthMethod,
    ) -> Actor {
        Actor {
            tenant: TenantId(tenant.id),
            tenant_slug: tenant.slug.clone(),
            tenant_name: tenant.name.clone(),
            user: Some(UserId(user)),
            email: Some(email.to_owned()),
            role,
            method,
        }
    }

    pub fn tenant(&self) -> TenantId {
        self.tenant
    }
    pub fn tenant_slug(&self) -> &str {
        &self.tenant_slug
    }
    pub fn tenant_name(&self) -> &str {
        &self.tenant_name
    }
    pub fn user(&self) -> Option<UserId> {
        self.user
    }
    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn method(&self) -> AuthMethod {
        self.method
    }

    /// May this actor do `p`?
    pub fn can(&self, p: Permission) -> bool {
        self.role.allows(p)
    }

    /// Refuse with 403 unless the role allows `p`; `what` completes "your role does not allow …".
    pub fn require(&self, p: Permission, what: &str) -> AppResult<()> {
        if self.can(p) { Ok(()) } else { Err(AppError::Forbidden(what.to_owned())) }
    }

    /// The catalog rows this actor sees: the shared catalog plus its organisation's own. The one
    /// place catalog reads get their scope (issue 11: an organisation's imports are effective only there).
    pub(crate) fn catalog_scope(&self) -> crosswalk_store::repo::catalog::Scope {
        crosswalk_store::repo::catalog::Scope::Organisation(self.tenant.0)
    }

    /// Who owns what this actor imports: the installation operator writes the shared catalog; an
    /// organisation's members (session or API token) write the organisation's own.
    pub(crate) fn catalog_owner(&self) -> Option<uuid::Uuid> {
        (self.method != AuthMethod::Operator).then_some(self.tenant.0)
    }

    /// How the actor is named in journal entries: stable id plus the e-mail at the time.
    pub(crate) fn journal_name(&self) -> String {
        match (self.user, &self.email) {
            (Some(u), Some(e)) => format!("user:{u}:{e}"),
            (Some(u), None) => format!("user:{u}"),
            _ if self.method == AuthMethod::System => "system:scheduler".to_owned(),
            _ => "operator:cli".to_owned(),
        }
    }
}
