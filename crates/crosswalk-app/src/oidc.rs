//! OIDC single sign-on, after the provider's ID token was verified (issue 15, item 5). The web layer
//! speaks the protocol (authorization code + PKCE, ID-token checks); this module decides what a
//! verified (issuer, subject) opens.
//!
//! The rules:
//! - An OIDC login opens the account linked to exactly (issuer, subject), never one found by the
//!   e-mail claim: whoever runs a provider (or registers at one) may put any address in it.
//! - A link is made only by the account's holder logged in with the account's own password (or an
//!   OIDC login of the same account), or by accepting an invitation with the provider. Membership
//!   still comes only from an invitation, or from an operator's claim rule, which only ever creates
//!   a new account (for the provider's verified address) and never attaches to an existing one.
//! - Accepting an invitation with a provider creates the account when the invited address has none;
//!   when it has one, its holder logs in and links the provider first (a hand-passed link proves
//!   nothing about the address, so it never attaches a provider login to someone's account).
//! - Verifying an account's address removes the links made before it was verified: they were made
//!   by whoever held an invitation link, who may not be the person at the address.
use crate::actor::{Actor, AuthMethod};
use crate::{App, AppError, AppResult, LoginOutcome};
use crosswalk_store::repo::{identity_links, invitations, memberships, tenants, users};
use serde::Serialize;
use serde_json::json;

/// What an unknown (issuer, subject) is told.
pub const NOT_LINKED: &str = "this sign-in is not linked to an account; ask an administrator for an invitation, or log in with your password and link it from your account page";

/// One OIDC login linked to an account.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkedLogin {
    pub id: uuid::Uuid,
    pub issuer: String,
    pub subject: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<identity_links::IdentityLink> for LinkedLogin {
    fn from(l: identity_links::IdentityLink) -> Self {
        LinkedLogin { id: l.id, issuer: l.issuer, subject: l.subject, created_at: l.created_at }
    }
}

impl App {
    /// Log in with a verified OIDC identity: the account linked to (issuer, subject), into its
    /// accepted memberships (`organisation` slug picks where it lands). Unlinked: 401 [`NOT_LINKED`].
    pub async fn oidc_login(&self, issuer: &str, subject: &str, address: &str, organisation: Option<&str>) -> AppResult<LoginOutcome> {
        let not_linked = || AppError::Unauthenticated(NOT_LINKED.into());
        let link = identity_links::by_identity(self.db(), issuer, subject).await?.ok_or_else(not_linked)?;
        let user = users::by_id(self.db(), link.user_id).await?.ok_or_else(not_linked)?;
        let ms: Vec<memberships::Membership> = self.account_memberships(user.id).await?.into_iter().filter(|m| !m.disabled).collect();
        let wanted = match organisation.map(str::trim).filter(|s| !s.is_empty()) {
            Some(slug) => tenants::by_slug(self.db(), slug).await?.map(|t| t.id),
            None => None,
        };
        let chosen = ms.iter().find(|m| Some(m.tenant_id) == wanted).or_else(|| ms.first()).cloned();
        let Some(chosen) = chosen else {
            return Err(AppError::Unauthenticated("this sign-in's account is not a member of any organisation".into()));
        };
        let tenant = tenants::by_id(self.db(), chosen.tenant_id).await?.ok_or_else(|| AppError::NotFound("tenant".into()))?;
        let actor = Actor::person(&tenant, user.id, &user.email, crate::auth::parse_role(&chosen.role)?, AuthMethod::Session);
        let session = self.open_session(&actor, address).await?;
        Ok(LoginOutcome { session, actor, organisations: ms.len() })
    }

    /// A keyed tag over an OIDC flow's cookie content, so a browser (or someone who can plant a
    /// cookie) cannot forge or alter one: HMAC under the installation's key of a domain-separated
    /// hash (never valid as a journal MAC, which covers entry hashes).
    pub fn oidc_flow_tag(&self, content: &str) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(b"crosswalk-oidc-flow-v1\0");
        h.update(content.as_bytes());
        hex::encode(self.mac_key().mac(&h.finalize().into()))
    }

    /// Link a verified OIDC identity to the logged-in account. Only a login that opens the whole
    /// account may (not an organisation password, not an API token); a pair already linked to
    /// another account is refused.
    pub async fn link_oidc(&self, actor: &Actor, issuer: &str, subject: &str) -> AppResult<LinkedLogin> {
        let user = actor.user.ok_or_else(|| AppError::Forbidden("linking a sign-in without a personal account".into()))?;
        if actor.method != AuthMethod::Session {
            return Err(AppError::Forbidden("linking a sign-in from this login; log in with your account's own password".into()));
        }
        if let Some(existing) = identity_links::by_identity(self.db(), issuer, subject).await? {
            if existing.user_id == user.0 {
                return Ok(existing.into());
            }
            return Err(AppError::Conflict("this sign-in is already linked to another account".into()));
        }
        let tx = self.begin().await?;
        let link = identity_links::insert(&tx, self.new_link(issuer, subject, user.0)).await?;
        self.journal(&tx, actor, "account.oidc.link", "user", user, json!({"link": link.id, "issuer": issuer, "subject": subject})).await?;
        tx.commit().await?;
        Ok(link.into())
    }

    fn new_link(&self, issuer: &str, subject: &str, user: uuid::Uuid) -> identity_links::IdentityLink {
        identity_links::IdentityLink {
            id: uuid::Uuid::new_v4(),
            issuer: issuer.to_owned(),
            subject: subject.to_owned(),
            user_id: user,
            created_at: self.now(),
        }
    }

    /// Accept an invitation with a verified OIDC identity and log in. The identity's linked account
    /// joins when its address is the invited one; with no link, a new account is created for the
    /// invited address and linked, unless the address already has an account (409: its holder logs
    /// in and links the provider first).
    pub async fn accept_invitation_oidc(&self, token: &str, issuer: &str, subject: &str, address: &str) -> AppResult<LoginOutcome> {
        let (inv, tenant) = self.live_invitation(token).await?;
        let role = crate::auth::parse_role(&inv.role)?;
        let now = self.now();
        let tx = self.begin().await?;
        let (user, new_link) = match identity_links::by_identity(&tx, issuer, subject).await? {
            Some(link) => {
                let user = users::by_id(&tx, link.user_id).await?.ok_or_else(|| AppError::NotFound("account".into()))?;
                if !crate::accounts::same_address(&user.email, &inv.email) {
                    return Err(AppError::Forbidden(format!(
                        "accepting an invitation addressed to someone else (this sign-in belongs to {})",
                        user.email
                    )));
                }
                // As for password accounts: only a verified account gathers further organisations.
                if user.email_verified_at.is_none() {
                    return Err(AppError::Forbidden(
                        "accepting another organisation's invitation into an account whose address is not verified yet".into(),
                    ));
                }
                (user, None)
            }
            None => {
                // Worded without saying whether the address has an account: whoever holds an
                // invitation (an admin of any organisation can make one) must not learn that.
                if users::by_email(&tx, &inv.email).await?.is_some() {
                    return Err(AppError::Conflict(
                        "this sign-in is not linked to an account: if you have one, log in, link the sign-in from your account page, then open the invitation again; otherwise ask for the invitation to be accepted with a password"
                            .into(),
                    ));
                }
                let name = inv.email.split('@').next().unwrap_or_default().to_owned();
                let user = users::insert(&tx, users::User::new(&inv.email, name, None, None, now)).await?;
                let link = identity_links::insert(&tx, self.new_link(issuer, subject, user.id)).await?;
                (user, Some(link.id))
            }
        };
        if memberships::get(&tx, tenant.id, user.id).await?.is_some() {
            return Err(AppError::Conflict(format!("{} is already a member of {}", inv.email, tenant.name)));
        }
        if !invitations::redeem(&tx, tenant.id, inv.id, user.id, now).await? {
            return Err(AppError::NotFound(crate::accounts::INVALID_LINK.into()));
        }
        memberships::insert(&tx, memberships::Membership::new(tenant.id, user.id, role.as_str(), now, true)).await?;
        let actor = Actor::person(&tenant, user.id, &user.email, role, AuthMethod::Session);
        self.journal(
            &tx,
            &actor,
            "invitation.redeem",
            "user",
            user.id,
            json!({"invitation": inv.id, "role": role, "credential": "oidc", "issuer": issuer, "subject": subject, "link": new_link}),
        )
        .await?;
        tx.commit().await?;
        let session = self.open_session(&actor, address).await?;
        let organisations = self.account_memberships(user.id).await?.len();
        Ok(LoginOutcome { session, actor, organisations })
    }

    /// An unlinked sign-in that matched the operator's claim rule (`claim` = `value` → organisation
    /// `slug` as `role`): a new account for the provider's verified address, linked and made a
    /// member, then logged in. Refused when there is no verified address or an account already has
    /// it (the claim never attaches a sign-in to an existing account: its holder links it).
    #[allow(clippy::too_many_arguments)] // the rule's parts, named
    pub async fn provision_oidc(
        &self,
        issuer: &str,
        subject: &str,
        email: Option<&str>,
        slug: &str,
        role: crosswalk_domain::Role,
        claim: &str,
        value: &str,
        address: &str,
    ) -> AppResult<LoginOutcome> {
        let refuse = |why: &str| AppError::Unauthenticated(format!("{NOT_LINKED} ({why})"));
        let email = crosswalk_domain::Email::parse("email", email.unwrap_or_default())
            .map_err(|_| refuse("the provider sent no verified e-mail address"))?;
        let Some(tenant) = tenants::by_slug(self.db(), slug).await? else {
            tracing::warn!("an OIDC claim rule names the unknown organisation '{slug}'");
            return Err(refuse("the sign-in rule names no existing organisation; tell the operator"));
        };
        let now = self.now();
        let tx = self.begin().await?;
        if identity_links::by_identity(&tx, issuer, subject).await?.is_some() {
            return Err(AppError::Conflict("this sign-in was linked meanwhile; sign in again".into()));
        }
        if users::by_email(&tx, email.as_str()).await?.is_some() {
            return Err(refuse("an account with this address exists: log in to it and link this sign-in from your account page"));
        }
        let name = email.as_str().split('@').next().unwrap_or_default().to_owned();
        let user = users::insert(&tx, users::User::new(email.as_str(), name, None, None, now)).await?;
        let link = identity_links::insert(&tx, self.new_link(issuer, subject, user.id)).await?;
        memberships::insert(&tx, memberships::Membership::new(tenant.id, user.id, role.as_str(), now, true)).await?;
        let actor = Actor::person(&tenant, user.id, &user.email, role, AuthMethod::Session);
        self.journal(
            &tx,
            &actor,
            "account.oidc.provision",
            "user",
            user.id,
            json!({"issuer": issuer, "subject": subject, "link": link.id, "role": role, "rule": {"claim": claim, "value": value}}),
        )
        .await?;
        tx.commit().await?;
        let session = self.open_session(&actor, address).await?;
        Ok(LoginOutcome { session, actor, organisations: 1 })
    }

    /// The logged-in person's linked sign-ins.
    pub async fn my_oidc_logins(&self, actor: &Actor) -> AppResult<Vec<LinkedLogin>> {
        let Some(user) = actor.user else { return Ok(Vec::new()) };
        Ok(identity_links::of_user(self.db(), user.0).await?.into_iter().map(LinkedLogin::from).collect())
    }

    /// Whether `actor` may unlink sign-ins: only a login that opens the whole account (checked
    /// before anything else about the request, so a token learns nothing from its shape).
    pub fn may_unlink_oidc(&self, actor: &Actor) -> AppResult<crosswalk_domain::UserId> {
        let user = actor.user.ok_or_else(|| AppError::Forbidden("unlinking a sign-in without a personal account".into()))?;
        if actor.method != AuthMethod::Session {
            return Err(AppError::Forbidden("unlinking a sign-in from this login; log in with your account's own password".into()));
        }
        Ok(user)
    }

    /// Remove one of the logged-in person's linked sign-ins (same logins as may link).
    pub async fn unlink_oidc(&self, actor: &Actor, id: uuid::Uuid) -> AppResult<()> {
        let user = self.may_unlink_oidc(actor)?;
        let tx = self.begin().await?;
        if !identity_links::delete(&tx, user.0, id).await? {
            return Err(AppError::NotFound(format!("linked sign-in {id}")));
        }
        self.journal(&tx, actor, "account.oidc.unlink", "user", user, json!({"link": id})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The operator's view of an account's linked sign-ins (`crosswalk user logins`).
    pub async fn operator_oidc_logins(&self, email: &str) -> AppResult<Vec<LinkedLogin>> {
        let user = users::by_email(self.db(), email.trim()).await?.ok_or_else(|| AppError::NotFound(format!("account {email}")))?;
        Ok(identity_links::of_user(self.db(), user.id).await?.into_iter().map(LinkedLogin::from).collect())
    }

    /// The operator removes a linked sign-in (`crosswalk user unlink`), journaled in the chain of
    /// organisation `slug` the account is a member of (and the installation's, for the row).
    pub async fn operator_unlink_oidc(&self, slug: &str, email: &str, id: uuid::Uuid) -> AppResult<()> {
        let op = self.operator(slug).await?;
        let not_member = || AppError::NotFound(format!("user {email} in tenant '{slug}'"));
        let user = users::by_email(self.db(), email.trim()).await?.ok_or_else(not_member)?;
        memberships::get(self.db(), op.tenant.0, user.id).await?.ok_or_else(not_member)?;
        let tx = self.begin().await?;
        if !identity_links::delete(&tx, user.id, id).await? {
            return Err(AppError::NotFound(format!("linked sign-in {id}")));
        }
        self.journal(&tx, &op, "account.oidc.unlink", "user", user.id, json!({"link": id})).await?;
        tx.commit().await?;
        Ok(())
    }
}
