//! Members of an organisation: change role, disable, remove; and, for the installation operator
//! only, add a member directly (creating a verified account). Admins add people by invitation
//! (`accounts`), never by naming an address. An organisation always keeps at least one enabled admin.
use crate::actor::Actor;
use crate::{App, AppError, AppResult};
use crosswalk_domain::{Email, Permission, Role, UserId, validate};
use crosswalk_store::repo::{credentials, memberships, sessions, tokens, users};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A member as listed to other members.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    pub id: uuid::Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub member_since: chrono::DateTime<chrono::Utc>,
}

/// Adding a member.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub email: String,
    pub role: Role,
    /// Defaults to the part of the e-mail before `@`.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Required for a person new to this installation; ignored for an existing account, whose
    /// password stays theirs.
    #[serde(default)]
    pub password: Option<String>,
}

/// Changing a member; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberChange {
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// A member as this organisation sees them. A membership set up with an organisation password
/// shows the name given at redemption, never the account's own (which another organisation may
/// have recorded): an admin learns nothing about an account beyond their organisation.
fn view(m: memberships::Membership, u: users::User, local_name: Option<String>) -> AppResult<MemberView> {
    let display_name = if m.account_accepted {
        u.display_name
    } else {
        local_name.unwrap_or_else(|| u.email.split('@').next().unwrap_or_default().to_owned())
    };
    Ok(MemberView {
        id: u.id,
        email: u.email,
        display_name,
        role: crate::auth::parse_role(&m.role)?,
        disabled: m.disabled,
        member_since: m.created_at,
    })
}

impl App {
    pub async fn list_members(&self, actor: &Actor) -> AppResult<Vec<MemberView>> {
        actor.require(Permission::Read, "reading members")?;
        let names: std::collections::HashMap<uuid::Uuid, String> =
            credentials::of_tenant(self.db(), actor.tenant.0).await?.into_iter().map(|c| (c.user_id, c.display_name)).collect();
        memberships::list_with_users(self.db(), actor.tenant.0)
            .await?
            .into_iter()
            .map(|(m, u)| {
                let name = names.get(&u.id).cloned();
                view(m, u, name)
            })
            .collect()
    }

    pub async fn get_member(&self, actor: &Actor, id: UserId) -> AppResult<MemberView> {
        actor.require(Permission::Read, "reading members")?;
        let not_found = || AppError::NotFound(format!("user {id}"));
        let m = memberships::get(self.db(), actor.tenant.0, id.0).await?.ok_or_else(not_found)?;
        let u = users::by_id(self.db(), id.0).await?.ok_or_else(not_found)?;
        let name = credentials::get(self.db(), id.0, actor.tenant.0).await?.map(|c| c.display_name);
        view(m, u, name)
    }

    /// Add a member directly: the installation operator only (`crosswalk user create`), who vouches
    /// for the address. A person new to the installation gets a verified account with the given
    /// password. Admins invite instead ([`App::invite`]), so they never set anyone's password.
    pub async fn add_member(&self, actor: &Actor, new: NewMember) -> AppResult<MemberView> {
        if actor.method() != crate::AuthMethod::Operator {
            return Err(AppError::Forbidden("adding members directly; invite them instead".into()));
        }
        let email = Email::parse("email", &new.email)?;
        let display_name = match &new.display_name {
            Some(n) => validate::non_empty_text("display_name", n, 200)?,
            None => email.as_str().split('@').next().unwrap_or_default().to_owned(),
        };
        let existing = users::by_email(self.db(), email.as_str()).await?;
        let password_hash = match (&existing, new.password) {
            (Some(_), _) => None,
            (None, Some(p)) => {
                validate::password("password", &p)?;
                Some(crate::passwords::hash(self.config().password_cost, p).await?)
            }
            (None, None) => return Err(AppError::invalid("password", "is required for a person new to this installation")),
        };
        if let Some(u) = &existing
            && memberships::get(self.db(), actor.tenant.0, u.id).await?.is_some()
        {
            return Err(AppError::Conflict(format!("{email} is already a member")));
        }
        let now = self.now();
        let tx = self.begin().await?;
        let user = match existing {
            Some(u) => u,
            None => users::insert(&tx, users::User::new(email.as_str(), display_name, password_hash, Some(now), now)).await?,
        };
        let m = memberships::insert(&tx, memberships::Membership::new(actor.tenant.0, user.id, new.role.as_str(), now, true)).await?;
        self.journal(&tx, actor, "member.add", "user", user.id, json!({"email": user.email, "role": new.role})).await?;
        tx.commit().await?;
        view(m, user, None)
    }

    /// Change a member's role or disable/enable them (admin). Disabling ends their sessions and tokens.
    pub async fn change_member(&self, actor: &Actor, id: UserId, change: MemberChange) -> AppResult<MemberView> {
        actor.require(Permission::ManageUsers, "managing users")?;
        let current = self.get_member(actor, id).await?;
        let loses_admin = current.role == Role::Admin
            && !current.disabled
            && (change.role.is_some_and(|r| r != Role::Admin) || change.disabled == Some(true));
        if loses_admin && memberships::count_admins(self.db(), actor.tenant.0).await? <= 1 {
            return Err(AppError::Conflict("the organisation must keep at least one enabled admin".into()));
        }
        let tx = self.begin().await?;
        memberships::update(&tx, actor.tenant.0, id.0, change.role.map(Role::as_str), change.disabled).await?;
        if change.disabled == Some(true) {
            sessions::delete_for_member(&tx, actor.tenant.0, id.0).await?;
            tokens::revoke_for_member(&tx, actor.tenant.0, id.0, self.now()).await?;
        }
        self.journal(&tx, actor, "member.change", "user", id, json!({"role": change.role, "disabled": change.disabled})).await?;
        tx.commit().await?;
        self.get_member(actor, id).await
    }

    /// Remove a member from the organisation (admin); their sessions end and tokens are revoked.
    pub async fn remove_member(&self, actor: &Actor, id: UserId) -> AppResult<()> {
        actor.require(Permission::ManageUsers, "managing users")?;
        let current = self.get_member(actor, id).await?;
        if current.role == Role::Admin && !current.disabled && memberships::count_admins(self.db(), actor.tenant.0).await? <= 1 {
            return Err(AppError::Conflict("the organisation must keep at least one enabled admin".into()));
        }
        let tx = self.begin().await?;
        sessions::delete_for_member(&tx, actor.tenant.0, id.0).await?;
        tokens::revoke_for_member(&tx, actor.tenant.0, id.0, self.now()).await?;
        memberships::delete(&tx, actor.tenant.0, id.0).await?;
        credentials::delete(&tx, id.0, actor.tenant.0).await?;
        self.journal(&tx, actor, "member.remove", "user", id, json!({"email": current.email})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Find a member by e-mail (for the CLI, which names people by e-mail).
    pub async fn member_by_email(&self, actor: &Actor, email: &str) -> AppResult<MemberView> {
        let email = Email::parse("email", email)?;
        let u = users::by_email(self.db(), email.as_str()).await?.ok_or_else(|| AppError::NotFound(format!("user {email}")))?;
        self.get_member(actor, UserId(u.id)).await.map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound(format!("user {email} in tenant '{}'", actor.tenant_slug)),
            other => other,
        })
    }
}
