//! Invitations, organisation credentials, address verification and switching organisation.
//!
//! The rules (issue 11; ARCHITECTURE "Accounts are global"):
//! - Membership is granted only by redeeming an invitation (random, stored hashed, single-use,
//!   expiring, bound to organisation, role and address) or by the installation operator; never by
//!   matching an e-mail address. An admin never sets a password for, or learns anything about, an
//!   account outside the organisation: inviting answers the same whether or not the address has an
//!   account.
//! - Redeeming a hand-passed link without being logged in sets an **organisation credential**: a
//!   password that opens that one organisation. The link proves nothing about the address (the admin
//!   saw it), so a password chosen by whoever squatted an address in organisation B never opens A.
//! - An address is **verified** only by a link e-mailed to it, or by the operator. Verifying makes the
//!   membership it was requested from part of the account; the account's own password then opens
//!   every membership its holder accepted. An unverified account cannot accept another
//!   organisation's invitation into the account.
//! - A person with several accepted memberships picks the organisation after login; a session opened
//!   with an organisation credential can never switch.
use crate::actor::{Actor, AuthMethod};
use crate::auth::{random_secret, sha256_hex};
use crate::{App, AppError, AppResult, LoginOutcome};
use crosswalk_domain::{Email, Permission, Role, validate};
use crosswalk_store::repo::{credentials, identity_links, invitations, memberships, sessions, tenants, users};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Inviting someone into the organisation.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub email: String,
    pub role: Role,
}

/// A new invitation, with its one-time link: shown once, never stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Invited {
    pub id: uuid::Uuid,
    pub email: String,
    pub role: Role,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The link to pass on (absolute when the installation's public URL is configured).
    pub link: String,
    /// Whether the link was also e-mailed to the address (SMTP configured and the relay accepted it).
    pub emailed: bool,
}

/// An invitation as listed to the organisation's admins (no token).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvitationView {
    pub id: uuid::Uuid,
    pub email: String,
    pub role: Role,
    /// `pending`, `redeemed`, `revoked` or `expired`.
    pub state: String,
    pub invited_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// What the holder of a live invitation link sees.
#[derive(Debug, Clone, Serialize)]
pub struct InvitationPreview {
    pub organisation: String,
    pub organisation_slug: String,
    pub email: String,
    pub role: Role,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// What the holder of a live verification link sees.
#[derive(Debug, Clone, Serialize)]
pub struct VerificationPreview {
    pub email: String,
    pub organisation: String,
    /// Names are not unique; the identifier is.
    pub organisation_slug: String,
}

/// One organisation a logged-in person may switch to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrganisationChoice {
    pub slug: String,
    pub name: String,
    pub role: Role,
    pub current: bool,
}

/// A redeemed invitation: the person is logged in to the organisation.
#[derive(Debug, Clone)]
pub struct RedeemOutcome {
    pub login: LoginOutcome,
}

/// Verification e-mails one account may ask for in an hour.
pub const VERIFICATIONS_PER_HOUR: u64 = 5;
/// Invitations one organisation may create in an hour (the installation's mail is not a spam relay).
pub const INVITATIONS_PER_HOUR: u64 = 100;

fn verification_text(email: &str, tenant: &tenants::Tenant, link: &str) -> String {
    format!(
        "A verification link for {email} was requested in Crosswalk by the organisation \"{}\" (identifier: {}).\n\nIf you are a member there, open this link and choose your account password:\n{link}\n\nYour membership of that organisation becomes part of your account. If you do not know it, ignore this message.\n",
        tenant.name, tenant.slug
    )
}

pub(crate) const INVALID_LINK: &str = "invitation link (it may have expired, been used or been revoked)";
const INVALID_VERIFICATION: &str = "verification link (it may have expired or been used)";

fn state_of(i: &invitations::Invitation, now: chrono::DateTime<chrono::Utc>) -> &'static str {
    if i.redeemed_at.is_some() {
        "redeemed"
    } else if i.revoked_at.is_some() {
        "revoked"
    } else if i.expires_at <= now {
        "expired"
    } else {
        "pending"
    }
}

pub(crate) fn same_address(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl App {
    /// Invite `email` with `role` (admin). The answer is the same whether or not the address has an
    /// account anywhere on the installation; only membership of this organisation is refused (409).
    pub async fn invite(&self, actor: &Actor, new: NewInvitation) -> AppResult<Invited> {
        actor.require(Permission::ManageUsers, "inviting members")?;
        let email = Email::parse("email", &new.email)?;
        if let Some(u) = users::by_email(self.db(), email.as_str()).await?
            && memberships::get(self.db(), actor.tenant.0, u.id).await?.is_some()
        {
            // Only this organisation's own membership list is consulted: its admin sees it anyway.
            return Err(AppError::Conflict(format!("{email} is already a member of this organisation")));
        }
        let now = self.now();
        if invitations::created_since(self.db(), actor.tenant.0, now - chrono::Duration::hours(1)).await? >= INVITATIONS_PER_HOUR {
            return Err(AppError::RateLimited(format!("at most {INVITATIONS_PER_HOUR} invitations an hour; try again later")));
        }
        let token = random_secret();
        let invitation = invitations::Invitation {
            id: uuid::Uuid::now_v7(),
            tenant_id: actor.tenant.0,
            email: email.to_string(),
            role: new.role.to_string(),
            token_hash: sha256_hex(&token),
            created_by: actor.journal_name(),
            created_at: now,
            expires_at: now + self.config().invitation_ttl,
            redeemed_at: None,
            redeemed_by: None,
            revoked_at: None,
        };
        let tx = self.begin().await?;
        let stored = invitations::insert(&tx, invitation).await?;
        self.journal(
            &tx,
            actor,
            "invitation.create",
            "invitation",
            stored.id,
            json!({"email": stored.email, "role": new.role, "expires_at": stored.expires_at}),
        )
        .await?;
        tx.commit().await?;
        let link = self.link(&format!("/invite/{token}"));
        let emailed = match self.mailer() {
            Some(mailer) => {
                let body = format!(
                    "You have been invited to join the organisation \"{}\" (identifier: {}) in Crosswalk as {}.\n\nOpen this link to accept (valid until {}):\n{link}\n\nIf you did not expect this, ignore this message.\n",
                    actor.tenant_name,
                    actor.tenant_slug,
                    new.role,
                    stored.expires_at.format("%Y-%m-%d %H:%M UTC")
                );
                match mailer.send(&stored.email, &format!("Invitation to {}", actor.tenant_name), body).await {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::warn!("invitation e-mail not sent: {e}");
                        false
                    }
                }
            }
            None => false,
        };
        Ok(Invited { id: stored.id, email: stored.email, role: new.role, expires_at: stored.expires_at, link, emailed })
    }

    /// The organisation's invitations, newest first (admin).
    pub async fn list_invitations(&self, actor: &Actor) -> AppResult<Vec<InvitationView>> {
        actor.require(Permission::ManageUsers, "managing invitations")?;
        let now = self.now();
        invitations::list(self.db(), actor.tenant.0)
            .await?
            .into_iter()
            .map(|i| {
                Ok(InvitationView {
                    id: i.id,
                    state: state_of(&i, now).to_owned(),
                    role: crate::auth::parse_role(&i.role)?,
                    invited_by: i.created_by.clone(),
                    email: i.email,
                    created_at: i.created_at,
                    expires_at: i.expires_at,
                })
            })
            .collect()
    }

    /// Revoke a pending invitation (admin); 404 when there is no pending one with that id.
    pub async fn revoke_invitation(&self, actor: &Actor, id: uuid::Uuid) -> AppResult<()> {
        actor.require(Permission::ManageUsers, "managing invitations")?;
        let now = self.now();
        let tx = self.begin().await?;
        if !invitations::revoke(&tx, actor.tenant.0, id, now).await? {
            return Err(AppError::NotFound(format!("pending invitation {id}")));
        }
        self.journal(&tx, actor, "invitation.revoke", "invitation", id, json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn live_invitation(&self, token: &str) -> AppResult<(invitations::Invitation, tenants::Tenant)> {
        let not_found = || AppError::NotFound(INVALID_LINK.into());
        let i = invitations::by_token_hash(self.db(), &sha256_hex(token.trim())).await?.ok_or_else(not_found)?;
        if state_of(&i, self.now()) != "pending" {
            return Err(not_found());
        }
        let t = tenants::by_id(self.db(), i.tenant_id).await?.ok_or_else(not_found)?;
        Ok((i, t))
    }

    /// What a live invitation link offers (anyone holding the link).
    pub async fn invitation_preview(&self, token: &str) -> AppResult<InvitationPreview> {
        let (i, t) = self.live_invitation(token).await?;
        Ok(InvitationPreview {
            organisation: t.name,
            organisation_slug: t.slug,
            email: i.email,
            role: crate::auth::parse_role(&i.role)?,
            expires_at: i.expires_at,
        })
    }

    /// Redeem an invitation without being logged in: sets a password that opens this organisation
    /// only, and logs in. Behaves the same whether or not the address already has an account.
    pub async fn redeem_invitation(&self, token: &str, display_name: &str, password: &str, address: &str) -> AppResult<RedeemOutcome> {
        let (inv, tenant) = self.live_invitation(token).await?;
        validate::password("password", password)?;
        let fallback_name = inv.email.split('@').next().unwrap_or_default().to_owned();
        let display_name =
            if display_name.trim().is_empty() { fallback_name } else { validate::non_empty_text("display_name", display_name, 200)? };
        let local_name = display_name.clone();
        let password_hash = crate::passwords::hash(self.config().password_cost, password.to_owned()).await?;
        let role = crate::auth::parse_role(&inv.role)?;
        let now = self.now();
        let tx = self.begin().await?;
        let user = match users::by_email(&tx, &inv.email).await? {
            Some(u) => u,
            None => users::insert(&tx, users::User::new(&inv.email, display_name, None, None, now)).await?,
        };
        if memberships::get(&tx, tenant.id, user.id).await?.is_some() {
            return Err(AppError::Conflict(format!("{} is already a member of {}", inv.email, tenant.name)));
        }
        if !invitations::redeem(&tx, tenant.id, inv.id, user.id, now).await? {
            return Err(AppError::NotFound(INVALID_LINK.into()));
        }
        credentials::delete(&tx, user.id, tenant.id).await?;
        credentials::insert(
            &tx,
            credentials::TenantCredential {
                user_id: user.id,
                tenant_id: tenant.id,
                password_hash,
                display_name: local_name,
                created_at: now,
            },
        )
        .await?;
        memberships::insert(&tx, memberships::Membership::new(tenant.id, user.id, role.as_str(), now, false)).await?;
        let actor = Actor::person(&tenant, user.id, &user.email, role, AuthMethod::BoundSession);
        self.journal(
            &tx,
            &actor,
            "invitation.redeem",
            "user",
            user.id,
            json!({"invitation": inv.id, "role": role, "credential": "organisation"}),
        )
        .await?;
        tx.commit().await?;
        let session = self.open_session(&actor, address).await?;
        Ok(RedeemOutcome { login: LoginOutcome { session, actor, organisations: 1 } })
    }

    /// Accept an invitation into the logged-in person's own account. Only the verified holder of the
    /// invited address, logged in with the account's own password, may do so.
    pub async fn accept_invitation(&self, actor: &Actor, token: &str, address: &str) -> AppResult<LoginOutcome> {
        let (inv, tenant) = self.live_invitation(token).await?;
        let user_id = actor.user.ok_or_else(|| AppError::Forbidden("accepting invitations without a personal account".into()))?;
        if actor.method != AuthMethod::Session {
            return Err(AppError::Forbidden(
                "accepting an invitation into your account from this login; log in with your account's own password".into(),
            ));
        }
        let user = users::by_id(self.db(), user_id.0).await?.ok_or_else(|| AppError::NotFound("account".into()))?;
        if !same_address(&user.email, &inv.email) {
            return Err(AppError::Forbidden(format!(
                "accepting an invitation addressed to someone else (you are logged in as {})",
                user.email
            )));
        }
        if user.email_verified_at.is_none() {
            return Err(AppError::Forbidden(
                "joining another organisation before your address is verified; verify it from your account page first".into(),
            ));
        }
        let role = crate::auth::parse_role(&inv.role)?;
        let now = self.now();
        let tx = self.begin().await?;
        if memberships::get(&tx, tenant.id, user.id).await?.is_some() {
            return Err(AppError::Conflict(format!("you are already a member of {}", tenant.name)));
        }
        if !invitations::redeem(&tx, tenant.id, inv.id, user.id, now).await? {
            return Err(AppError::NotFound(INVALID_LINK.into()));
        }
        memberships::insert(&tx, memberships::Membership::new(tenant.id, user.id, role.as_str(), now, true)).await?;
        let joined = Actor::person(&tenant, user.id, &user.email, role, AuthMethod::Session);
        self.journal(
            &tx,
            &joined,
            "invitation.redeem",
            "user",
            user.id,
            json!({"invitation": inv.id, "role": role, "credential": "account"}),
        )
        .await?;
        tx.commit().await?;
        let session = self.open_session(&joined, address).await?;
        let organisations = self.account_memberships(user.id).await?.len();
        Ok(LoginOutcome { session, actor: joined, organisations })
    }

    /// Enabled memberships the account's own password opens.
    pub(crate) async fn account_memberships(&self, user: uuid::Uuid) -> AppResult<Vec<memberships::Membership>> {
        Ok(memberships::of_user(self.db(), user).await?.into_iter().filter(|m| m.account_accepted).collect())
    }

    /// The organisations the actor may switch to: every accepted membership for an account login,
    /// only the current one for an organisation-credential login or an API token.
    pub async fn organisation_choices(&self, actor: &Actor) -> AppResult<Vec<OrganisationChoice>> {
        let current =
            OrganisationChoice { slug: actor.tenant_slug.clone(), name: actor.tenant_name.clone(), role: actor.role, current: true };
        let Some(user) = actor.user else { return Ok(vec![current]) };
        if actor.method != AuthMethod::Session {
            return Ok(vec![current]);
        }
        let ms = self.account_memberships(user.0).await?;
        let ts = tenants::by_ids(self.db(), ms.iter().map(|m| m.tenant_id).collect()).await?;
        let mut out = Vec::with_capacity(ms.len());
        for m in ms {
            let Some(t) = ts.iter().find(|t| t.id == m.tenant_id) else { continue };
            out.push(OrganisationChoice {
                slug: t.slug.clone(),
                name: t.name.clone(),
                role: crate::auth::parse_role(&m.role)?,
                current: t.id == actor.tenant.0,
            });
        }
        if !out.iter().any(|c| c.current) {
            out.insert(0, current);
        }
        Ok(out)
    }

    /// Switch the browser session to another organisation the person accepted: the old session ends
    /// and a new one (new secret, new CSRF token) starts there. 404 for any other organisation.
    pub async fn switch_organisation(&self, actor: &Actor, secret: &str, slug: &str, address: &str) -> AppResult<LoginOutcome> {
        let choices = self.organisation_choices(actor).await?;
        let target = choices.iter().find(|c| c.slug == slug).ok_or_else(|| AppError::NotFound(format!("organisation '{slug}'")))?;
        let tenant =
            tenants::by_slug(self.db(), &target.slug).await?.ok_or_else(|| AppError::NotFound(format!("organisation '{slug}'")))?;
        let user = actor.user.ok_or_else(|| AppError::Forbidden("switching organisation without a personal account".into()))?;
        let next = Actor::person(&tenant, user.0, actor.email.as_deref().unwrap_or_default(), target.role, AuthMethod::Session);
        let tx = self.begin().await?;
        sessions::delete(&tx, &sha256_hex(secret)).await?;
        tx.commit().await?;
        let session = self.open_session(&next, address).await?;
        Ok(LoginOutcome { session, actor: next, organisations: choices.len() })
    }

    /// E-mail a verification link to the logged-in person's address. Needs SMTP; without it the
    /// operator issues the link (`crosswalk user verify`). At most [`VERIFICATIONS_PER_HOUR`] an hour.
    pub async fn request_verification(&self, actor: &Actor) -> AppResult<()> {
        let user_id = actor.user.ok_or_else(|| AppError::Forbidden("verifying an address without a personal account".into()))?;
        let Some(mailer) = self.mailer() else {
            return Err(AppError::Conflict(
                "e-mail is not configured on this installation; ask its operator to run 'crosswalk user verify'".into(),
            ));
        };
        let user = users::by_id(self.db(), user_id.0).await?.ok_or_else(|| AppError::NotFound("account".into()))?;
        let since = self.now() - chrono::Duration::hours(1);
        if credentials::verifications_since(self.db(), user.id, since).await? >= VERIFICATIONS_PER_HOUR {
            return Err(AppError::RateLimited(format!("at most {VERIFICATIONS_PER_HOUR} verification e-mails an hour; try again later")));
        }
        let tenant = tenants::by_id(self.db(), actor.tenant.0).await?.ok_or_else(|| AppError::NotFound("tenant".into()))?;
        let link = self.issue_verification(actor, &user, &tenant).await?;
        mailer.send(&user.email, "Verify your e-mail address for Crosswalk", verification_text(&user.email, &tenant, &link)).await
    }

    /// The operator vouches for a member's address (`crosswalk user verify --tenant SLUG --email E`):
    /// issues a verification link to pass on to the person (and e-mails it when SMTP is configured).
    /// Opening it, the person sets their account's own password; the operator never does.
    pub async fn operator_verify(&self, slug: &str, email: &str) -> AppResult<String> {
        let op = self.operator(slug).await?;
        let email = Email::parse("email", email)?;
        let not_member = || AppError::NotFound(format!("user {email} in tenant '{slug}'"));
        let user = users::by_email(self.db(), email.as_str()).await?.ok_or_else(not_member)?;
        memberships::get(self.db(), op.tenant.0, user.id).await?.ok_or_else(not_member)?;
        let tenant = tenants::by_id(self.db(), op.tenant.0).await?.ok_or_else(|| AppError::NotFound(format!("tenant '{slug}'")))?;
        let link = self.issue_verification(&op, &user, &tenant).await?;
        if let Some(mailer) = self.mailer()
            && let Err(e) =
                mailer.send(&user.email, "Verify your e-mail address for Crosswalk", verification_text(&user.email, &tenant, &link)).await
        {
            tracing::warn!("verification e-mail not sent: {e}");
        }
        Ok(link)
    }

    async fn issue_verification(&self, actor: &Actor, user: &users::User, tenant: &tenants::Tenant) -> AppResult<String> {
        let now = self.now();
        let token = random_secret();
        let tx = self.begin().await?;
        credentials::insert_verification(
            &tx,
            credentials::EmailVerification {
                token_hash: sha256_hex(&token),
                user_id: user.id,
                tenant_id: tenant.id,
                email: user.email.clone(),
                created_at: now,
                expires_at: now + self.config().verification_ttl,
                used_at: None,
            },
        )
        .await?;
        self.journal(&tx, actor, "account.verification.issue", "user", user.id, json!({"email": user.email})).await?;
        tx.commit().await?;
        Ok(self.link(&format!("/verify-email/{token}")))
    }

    async fn live_verification(&self, token: &str) -> AppResult<(credentials::EmailVerification, users::User, tenants::Tenant)> {
        let not_found = || AppError::NotFound(INVALID_VERIFICATION.into());
        let v = credentials::verification(self.db(), &sha256_hex(token.trim())).await?.ok_or_else(not_found)?;
        if v.used_at.is_some() || v.expires_at <= self.now() {
            return Err(not_found());
        }
        let u = users::by_id(self.db(), v.user_id).await?.ok_or_else(not_found)?;
        let t = tenants::by_id(self.db(), v.tenant_id).await?.ok_or_else(not_found)?;
        Ok((v, u, t))
    }

    pub async fn verification_preview(&self, token: &str) -> AppResult<VerificationPreview> {
        let (v, _, t) = self.live_verification(token).await?;
        Ok(VerificationPreview { email: v.email, organisation: t.name, organisation_slug: t.slug })
    }

    /// Redeem a verification link. Whoever holds it reads the address's mail (or was handed it by the
    /// operator), so they are the account holder: the address becomes verified, `password` becomes
    /// the account's own password (replacing any earlier one, whose sessions end), and the membership
    /// the link was issued for becomes part of the account. An organisation password never becomes
    /// the account's: whoever chose it may not be the person at this address.
    pub async fn complete_verification(&self, token: &str, password: &str) -> AppResult<()> {
        let (v, user, tenant) = self.live_verification(token).await?;
        validate::password("password", password)?;
        let hash = crate::passwords::hash(self.config().password_cost, password.to_owned()).await?;
        let now = self.now();
        let tx = self.begin().await?;
        if !credentials::use_verification(&tx, &v.token_hash, now).await? {
            return Err(AppError::NotFound(INVALID_VERIFICATION.into()));
        }
        users::set_verified(&tx, user.id, now, Some(hash)).await?;
        if user.email_verified_at.is_none() {
            // Sign-ins linked before the address was proven were linked by whoever held an
            // invitation link (crate::oidc); the verified holder links their own again.
            for link in identity_links::of_user(&tx, user.id).await? {
                identity_links::delete(&tx, user.id, link.id).await?;
            }
        }
        memberships::accept_for_account(&tx, tenant.id, user.id).await?;
        credentials::delete(&tx, user.id, tenant.id).await?;
        // Sessions opened with the old account password, or with this organisation's password, end.
        sessions::delete_for_account(&tx, user.id, tenant.id).await?;
        let actor = Actor::person(&tenant, user.id, &user.email, Role::Viewer, AuthMethod::Session);
        self.journal(&tx, &actor, "account.verify", "user", user.id, json!({"email": user.email})).await?;
        tx.commit().await?;
        Ok(())
    }
}
