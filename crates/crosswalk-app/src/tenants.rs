//! Organisations: creation by the operator, reading and renaming by members.
use crate::actor::{Actor, AuthMethod};
use crate::{App, AppError, AppResult};
use crosswalk_domain::{Permission, Role, Slug, TenantId, validate::non_empty_text};
use crosswalk_store::repo::tenants;
use serde::Serialize;
use serde_json::json;

/// An organisation as shown to its members.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TenantView {
    pub id: uuid::Uuid,
    pub slug: String,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The caller's role in it (absent for the operator's listing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}

fn view(t: tenants::Tenant, role: Option<Role>) -> TenantView {
    TenantView { id: t.id, slug: t.slug, name: t.name, created_at: t.created_at, role }
}

impl App {
    /// Create an organisation (operator only: `crosswalk tenant create`). Its journal starts with
    /// this creation as entry 1.
    pub async fn create_tenant(&self, slug: &str, name: &str) -> AppResult<TenantView> {
        let slug = Slug::parse("slug", slug)?;
        let name = non_empty_text("name", name, 200)?;
        if tenants::by_slug(self.db(), slug.as_str()).await?.is_some() {
            return Err(AppError::Conflict(format!("a tenant with slug '{slug}' already exists")));
        }
        let id = TenantId::new();
        let tx = self.begin().await?;
        let t =
            tenants::insert(&tx, tenants::Tenant { id: id.0, slug: slug.to_string(), name: name.clone(), created_at: self.now() }).await?;
        crosswalk_store::journal::init_head(&tx, id.0).await?;
        let actor = Actor {
            tenant: id,
            tenant_slug: t.slug.clone(),
            tenant_name: t.name.clone(),
            user: None,
            email: None,
            role: Role::Admin,
            method: AuthMethod::Operator,
        };
        self.journal(&tx, &actor, "tenant.create", "tenant", id, json!({"slug": t.slug, "name": t.name})).await?;
        tx.commit().await?;
        Ok(view(t, None))
    }

    /// Every organisation on this installation (operator only).
    pub async fn list_all_tenants(&self) -> AppResult<Vec<TenantView>> {
        Ok(tenants::all(self.db()).await?.into_iter().map(|t| view(t, None)).collect())
    }

    /// The organisations this login may act in, with the actor's role in each: every membership the
    /// account holder accepted for a login with the account's own password; only the current one for
    /// an organisation password or an API token (tokens stay per organisation). Memberships set up
    /// with another organisation's password are never listed: they may not be this person's.
    pub async fn my_tenants(&self, actor: &Actor) -> AppResult<Vec<TenantView>> {
        let (Some(user), AuthMethod::Session) = (actor.user, actor.method) else {
            return Ok(vec![self.current_tenant(actor).await?]);
        };
        let ms = self.account_memberships(user.0).await?;
        let roles: std::collections::HashMap<_, _> = ms.iter().map(|m| (m.tenant_id, m.role.clone())).collect();
        let ts = tenants::by_ids(self.db(), ms.iter().map(|m| m.tenant_id).collect()).await?;
        ts.into_iter()
            .map(|t| {
                let role = roles.get(&t.id).map(|r| crate::auth::parse_role(r)).transpose()?;
                Ok(view(t, role))
            })
            .collect()
    }

    /// The actor's organisation.
    pub async fn current_tenant(&self, actor: &Actor) -> AppResult<TenantView> {
        let t = tenants::by_id(self.db(), actor.tenant.0).await?.ok_or_else(|| AppError::NotFound("tenant".into()))?;
        Ok(view(t, Some(actor.role)))
    }

    /// Rename the actor's organisation (admin).
    pub async fn rename_tenant(&self, actor: &Actor, name: &str) -> AppResult<TenantView> {
        actor.require(Permission::ManageTenant, "changing the organisation")?;
        let name = non_empty_text("name", name, 200)?;
        let tx = self.begin().await?;
        tenants::rename(&tx, actor.tenant.0, &name).await?;
        self.journal(&tx, actor, "tenant.rename", "tenant", actor.tenant, json!({"name": name})).await?;
        tx.commit().await?;
        self.current_tenant(actor).await
    }
}
