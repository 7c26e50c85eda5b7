//! Authentication: password login with throttling, database-backed sessions, API tokens.
//!
//! Secrets (session cookies, API tokens) are 256-bit random values; only their SHA-256 is stored, so a
//! copy of the database grants no access. Sessions expire after `session_idle` without use and
//! `session_absolute` after login; a new session is created at every login (rotation).
use crate::actor::{Actor, AuthMethod};
use crate::{App, AppError, AppResult};
use crosswalk_domain::{Email, Role, TenantId, UserId};
use crosswalk_store::repo::{credentials, login_failures, memberships, sessions, tenants, tokens, users};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

/// A fresh random secret as hex.
pub(crate) fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(crate) fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// What the front end needs to keep a session: the cookie secret and the CSRF token.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// Goes into the cookie; never stored.
    pub secret: String,
    pub csrf_token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub session: SessionInfo,
    pub actor: Actor,
    /// How many organisations this login may switch between (more than one: show the chooser).
    pub organisations: usize,
}

/// Generic on purpose: never reveal whether the e-mail or the password was wrong.
const BAD_LOGIN: &str = "invalid e-mail or password";

/// What a password opened.
enum Opened {
    /// The account's own password: every membership its holder accepted.
    Account(Vec<memberships::Membership>),
    /// An organisation credential: that one organisation.
    Organisation(memberships::Membership),
}

impl App {
    /// How long `client` must wait before trying `email` again, if at all. Failures count per
    /// (address, client) pair, so nobody elsewhere can lock the account out (ASVS 4.0.3 V2.2.1);
    /// after `login_free_failures` the wait doubles with each failure up to `login_backoff_max`.
    /// One client's failures across all addresses are capped too (password spraying).
    async fn login_wait(&self, pair_key: &str, client_key: &str) -> AppResult<Option<u64>> {
        let cfg = self.config();
        let now = self.now();
        let since = now - cfg.login_window;
        if login_failures::count_since(self.db(), client_key, since).await? >= cfg.login_max_per_client {
            return Ok(Some(cfg.login_backoff_max.num_seconds().max(1) as u64));
        }
        let failures = login_failures::count_since(self.db(), pair_key, since).await?;
        if failures < cfg.login_free_failures {
            return Ok(None);
        }
        let Some(last) = login_failures::last_since(self.db(), pair_key, since).await? else { return Ok(None) };
        let doublings = (failures - cfg.login_free_failures).min(16) as i32;
        let wait = (cfg.login_backoff * 2i32.pow(doublings as u32)).min(cfg.login_backoff_max);
        let remaining = (last + wait - now).num_seconds();
        Ok((remaining > 0).then_some(remaining as u64))
    }

    /// Log in with e-mail and password from client `address`, with the account's own password (which
    /// opens every membership its holder accepted; the first is entered and the person may switch), or
    /// with the password set for one organisation when redeeming its invitation.
    pub async fn login(&self, email: &str, password: &str, address: &str) -> AppResult<LoginOutcome> {
        self.login_into(email, password, address, None).await
    }

    /// [`App::login`] naming the organisation (`organisation` slug): needed for an organisation password
    /// when the address has more than one, and picks where an account login lands.
    pub async fn login_into(&self, email: &str, password: &str, address: &str, organisation: Option<&str>) -> AppResult<LoginOutcome> {
        let cfg = self.config().clone();
        let now = self.now();
        let normalised = email.trim().to_lowercase();
        let pair_key = format!("pair:{normalised}|{address}");
        let client_key = format!("client:{address}");
        if let Some(retry_after_secs) = self.login_wait(&pair_key, &client_key).await? {
            return Err(AppError::TooManyAttempts { retry_after_secs });
        }
        let user = match Email::parse("email", email) {
            Ok(e) => users::by_email(self.db(), e.as_str()).await?,
            Err(_) => None,
        };
        let tenant = match organisation.map(str::trim).filter(|s| !s.is_empty()) {
            Some(slug) => tenants::by_slug(self.db(), slug).await?,
            None => None,
        };
        // Exactly one password verification whatever the case (a dummy one when nothing matches), so
        // the time a login takes says nothing about which credentials an address has.
        let candidate = match &user {
            Some(u) => self.login_candidate(u, organisation.is_some(), tenant.as_ref()).await?,
            None => None,
        };
        let (hash, opened) = match candidate {
            Some((hash, opened)) => (Some(hash), Some(opened)),
            None => (None, None),
        };
        let ok = crate::passwords::verify(cfg.password_cost, password.to_owned(), hash).await;
        let (Some(user), Some(opened), true) = (user, opened, ok) else {
            login_failures::record(self.db(), &pair_key, now).await?;
            login_failures::record(self.db(), &client_key, now).await?;
            return Err(AppError::Unauthenticated(BAD_LOGIN.into()));
        };
        login_failures::clear(self.db(), &pair_key).await?;
        let (membership, method, organisations) = match opened {
            Opened::Organisation(m) => (m, AuthMethod::BoundSession, 1),
            Opened::Account(ms) => {
                let count = ms.len();
                let chosen = ms.iter().find(|m| Some(m.tenant_id) == tenant.as_ref().map(|t| t.id)).or_else(|| ms.first()).cloned();
                let Some(chosen) = chosen else { return Err(AppError::Unauthenticated(BAD_LOGIN.into())) };
                (chosen, AuthMethod::Session, count)
            }
        };
        let tenant = tenants::by_id(self.db(), membership.tenant_id).await?.ok_or_else(|| AppError::NotFound("tenant".into()))?;
        let actor = Actor::person(&tenant, user.id, &user.email, parse_role(&membership.role)?, method);
        let session = self.open_session(&actor, address).await?;
        Ok(LoginOutcome { session, actor, organisations })
    }

    /// The one stored hash a login is checked against, and what it opens: with an organisation
    /// named, that organisation's password (or the account's, where the holder accepted it there);
    /// without, the account's own password, or the only organisation password the address has.
    async fn login_candidate(
        &self,
        user: &users::User,
        named: bool,
        tenant: Option<&tenants::Tenant>,
    ) -> AppResult<Option<(String, Opened)>> {
        let enabled = |m: Option<memberships::Membership>| m.filter(|m| !m.disabled);
        let account = user.password_hash.clone().filter(|_| user.email_verified_at.is_some());
        if named {
            let Some(t) = tenant else { return Ok(None) };
            let Some(m) = enabled(memberships::get(self.db(), t.id, user.id).await?) else { return Ok(None) };
            if let Some(c) = credentials::get(self.db(), user.id, t.id).await? {
                return Ok(Some((c.password_hash, Opened::Organisation(m))));
            }
            return Ok(match account {
                Some(hash) if m.account_accepted => Some((hash, Opened::Account(self.account_memberships(user.id).await?))),
                _ => None,
            });
        }
        if let Some(hash) = account {
            let ms = self.account_memberships(user.id).await?;
            return Ok((!ms.is_empty()).then_some((hash, Opened::Account(ms))));
        }
        let mut creds = credentials::of_user(self.db(), user.id).await?;
        if creds.len() != 1 {
            return Ok(None);
        }
        let c = creds.remove(0);
        Ok(enabled(memberships::get(self.db(), c.tenant_id, user.id).await?).map(|m| (c.password_hash, Opened::Organisation(m))))
    }

    pub(crate) async fn open_session(&self, actor: &Actor, address: &str) -> AppResult<SessionInfo> {
        let now = self.now();
        let secret = random_secret();
        let csrf_token = random_secret();
        let expires_at = now + self.config().session_idle;
        let user = actor.user.ok_or_else(|| AppError::Internal("sessions need a user".into()))?;
        let tx = self.begin().await?;
        sessions::insert(
            &tx,
            sessions::Session {
                id_hash: sha256_hex(&secret),
                user_id: user.0,
                tenant_id: actor.tenant.0,
                csrf_token: csrf_token.clone(),
                created_at: now,
                last_seen_at: now,
                expires_at,
                bound: actor.method == AuthMethod::BoundSession,
            },
        )
        .await?;
        self.journal(&tx, actor, "session.login", "user", user, json!({"address": address})).await?;
        tx.commit().await?;
        Ok(SessionInfo { secret, csrf_token, expires_at })
    }

    /// The actor behind a session cookie, and the session's CSRF token. `None` when the session does
    /// not exist, has expired or its membership was removed: the caller sends the person to log in.
    pub async fn resolve_session(&self, secret: &str) -> AppResult<Option<(Actor, String)>> {
        let now = self.now();
        let id_hash = sha256_hex(secret);
        let Some(s) = sessions::get(self.db(), &id_hash).await? else { return Ok(None) };
        if s.expires_at <= now || s.created_at + self.config().session_absolute <= now {
            return Ok(None);
        }
        let method = if s.bound { AuthMethod::BoundSession } else { AuthMethod::Session };
        let Some(actor) = self.member_actor(s.tenant_id, s.user_id, method).await? else { return Ok(None) };
        // Slide the idle expiry at most once a minute, so reads do not all become writes.
        if now - s.last_seen_at > chrono::Duration::minutes(1) {
            sessions::touch(self.db(), &id_hash, now, now + self.config().session_idle).await?;
        }
        Ok(Some((actor, s.csrf_token)))
    }

    /// End a session (logout).
    pub async fn logout(&self, actor: &Actor, secret: &str) -> AppResult<()> {
        let tx = self.begin().await?;
        sessions::delete(&tx, &sha256_hex(secret)).await?;
        if let Some(u) = actor.user {
            self.journal(&tx, actor, "session.logout", "user", u, json!({})).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The actor behind an API token (`Authorization: Bearer …`).
    pub async fn resolve_token(&self, secret: &str) -> AppResult<Actor> {
        let bad = || AppError::Unauthenticated("invalid or revoked API token".into());
        let t = tokens::by_secret_hash(self.db(), &sha256_hex(secret)).await?.ok_or_else(bad)?;
        if t.revoked_at.is_some() {
            return Err(bad());
        }
        let actor = self.member_actor(t.tenant_id, t.user_id, AuthMethod::Token).await?.ok_or_else(bad)?;
        let now = self.now();
        if t.last_used_at.is_none_or(|at| now - at > chrono::Duration::minutes(1)) {
            tokens::touch(self.db(), t.id, now).await?;
        }
        Ok(actor)
    }

    /// The actor for an enabled member, or `None`.
    async fn member_actor(&self, tenant: uuid::Uuid, user: uuid::Uuid, method: AuthMethod) -> AppResult<Option<Actor>> {
        let Some(p) = memberships::principal(self.db(), tenant, user).await? else { return Ok(None) };
        if p.disabled {
            return Ok(None);
        }
        Ok(Some(Actor {
            tenant: TenantId(tenant),
            tenant_slug: p.slug,
            tenant_name: p.tenant_name,
            user: Some(UserId(user)),
            email: Some(p.email),
            role: parse_role(&p.role)?,
            method,
        }))
    }

    /// The local operator acting on tenant `slug` from the command line, with admin rights.
    pub async fn operator(&self, slug: &str) -> AppResult<Actor> {
        let t = tenants::by_slug(self.db(), slug).await?.ok_or_else(|| AppError::NotFound(format!("tenant '{slug}'")))?;
        Ok(Actor {
            tenant: TenantId(t.id),
            tenant_slug: t.slug,
            tenant_name: t.name,
            user: None,
            email: None,
            role: Role::Admin,
            method: AuthMethod::Operator,
        })
    }

    /// The local operator acting on tenant `slug` as the named member `email`, with that member's
    /// role: for what only a named person may do (approving the SoA, attesting). The operator has
    /// database access anyway; what this adds is that the record names the person who decided.
    pub async fn operator_as(&self, slug: &str, email: &str) -> AppResult<Actor> {
        let op = self.operator(slug).await?;
        let member = self.member_by_email(&op, email).await?;
        if member.disabled {
            return Err(AppError::Forbidden(format!("acting as {email}, whose account is disabled")));
        }
        Ok(Actor { user: Some(UserId(member.id)), email: Some(member.email.clone()), role: member.role, ..op })
    }

    /// The operator for catalog commands that need no particular organisation: the named one, or
    /// the first organisation (catalog imports are journaled in its chain).
    pub async fn catalog_operator(&self, slug: Option<&str>) -> AppResult<Actor> {
        if let Some(slug) = slug {
            return self.operator(slug).await;
        }
        let first = tenants::all(self.db()).await?.into_iter().next();
        match first {
            Some(t) => self.operator(&t.slug).await,
            None => Err(AppError::invalid("tenant", "no organisation exists yet; create one with 'crosswalk tenant create'")),
        }
    }

    /// Remove expired sessions and old failed-login records (housekeeping, run periodically).
    pub async fn prune_expired(&self) -> AppResult<()> {
        let now = self.now();
        sessions::delete_expired(self.db(), now).await?;
        login_failures::prune(self.db(), now - self.config().login_window).await?;
        Ok(())
    }
}

pub(crate) fn parse_role(s: &str) -> AppResult<Role> {
    s.parse::<Role>().map_err(|e| AppError::Internal(format!("stored role: {e}")))
}
