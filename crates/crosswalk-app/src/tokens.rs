//! API tokens: created by a member for themselves (or by the operator for a member), shown once,
//! stored hashed, revocable, listed with owner and last use.
use crate::actor::Actor;
use crate::auth::{random_secret, sha256_hex};
use crate::{App, AppError, AppResult};
use crosswalk_domain::{Permission, TokenId, UserId, validate::non_empty_text};
use crosswalk_store::repo::tokens;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Every token starts with this, so leaked tokens are easy to recognise (e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "cwt_";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: uuid::Uuid,
    pub name: String,
    /// The first characters of the secret, to tell tokens apart.
    pub prefix: String,
    pub owner_id: uuid::Uuid,
    pub owner_email: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A token just created: the only time its secret is visible.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub token: TokenView,
    /// Send as `Authorization: Bearer <secret>`. Not stored; cannot be shown again.
    pub secret: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
}

fn view(t: tokens::ApiToken, owner_email: Option<String>) -> TokenView {
    TokenView {
        id: t.id,
        name: t.name,
        prefix: t.prefix,
        owner_id: t.user_id,
        owner_email,
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        revoked_at: t.revoked_at,
    }
}

impl App {
    /// Create a token for `owner` (the actor themself, unless the actor may manage all tokens).
    pub async fn create_token(&self, actor: &Actor, owner: Option<UserId>, name: &str) -> AppResult<CreatedToken> {
        let owner = match (owner, actor.user) {
            (Some(o), me) if Some(o) != me => {
                actor.require(Permission::ManageAllTokens, "creating tokens for other members")?;
                o
            }
            (Some(me), _) | (None, Some(me)) => {
                actor.require(Permission::ManageOwnTokens, "creating API tokens")?;
                me
            }
            (None, None) => return Err(AppError::invalid("owner", "the operator must name the member the token is for")),
        };
        let name = non_empty_text("name", name, 200)?;
        let member = self.get_member(actor, owner).await?;
        if member.disabled {
            return Err(AppError::Conflict(format!("{} is disabled", member.email)));
        }
        let secret = format!("{TOKEN_PREFIX}{}", random_secret());
        let row = tokens::ApiToken {
            id: TokenId::new().0,
            tenant_id: actor.tenant.0,
            user_id: owner.0,
            name,
            prefix: secret[..TOKEN_PREFIX.len() + 8].to_owned(),
            secret_hash: sha256_hex(&secret),
            created_at: self.now(),
            last_used_at: None,
            revoked_at: None,
        };
        let tx = self.begin().await?;
        let row = tokens::insert(&tx, row).await?;
        self.journal(&tx, actor, "token.create", "api_token", row.id, json!({"name": row.name, "owner": owner, "prefix": row.prefix}))
            .await?;
        tx.commit().await?;
        Ok(CreatedToken { token: view(row, Some(member.email)), secret })
    }

    /// Tokens the actor may see: all of the organisation's for an admin, else their own.
    pub async fn list_tokens(&self, actor: &Actor) -> AppResult<Vec<TokenView>> {
        actor.require(Permission::Read, "reading tokens")?;
        let only = if actor.can(Permission::ManageAllTokens) { None } else { Some(actor.user.map_or(uuid::Uuid::nil(), |u| u.0)) };
        Ok(tokens::list(self.db(), actor.tenant.0, only).await?.into_iter().map(|(t, u)| view(t, u.map(|u| u.email))).collect())
    }

    /// Revoke a token: the actor's own, or any for an admin.
    pub async fn revoke_token(&self, actor: &Actor, id: TokenId) -> AppResult<TokenView> {
        actor.require(Permission::ManageOwnTokens, "revoking API tokens")?;
        let t = tokens::get(self.db(), actor.tenant.0, id.0).await?.ok_or_else(|| AppError::NotFound(format!("token {id}")))?;
        if Some(UserId(t.user_id)) != actor.user {
            actor.require(Permission::ManageAllTokens, "revoking other members' tokens")?;
        }
        if t.revoked_at.is_none() {
            let tx = self.begin().await?;
            tokens::revoke(&tx, actor.tenant.0, id.0, self.now()).await?;
            self.journal(&tx, actor, "token.revoke", "api_token", id, json!({"name": t.name, "prefix": t.prefix})).await?;
            tx.commit().await?;
        }
        let t = tokens::get(self.db(), actor.tenant.0, id.0).await?.ok_or_else(|| AppError::NotFound(format!("token {id}")))?;
        Ok(view(t, None))
    }
}
