//! Outgoing e-mail over SMTP (lettre), configured by the operator (`--smtp-url`, `--mail-from`).
//!
//! E-mail carries invitations, address-verification links and reminders. Without SMTP the product
//! works as before for one organisation: invitation links are shown once to the admin to pass on,
//! and addresses are verified by the operator (`crosswalk user verify`).
use crate::{AppError, AppResult};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where and as whom to send.
#[derive(Clone)]
pub struct SmtpSettings {
    /// `smtp://host:port` (plain, for a local relay), `smtp://host?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host` (implicit TLS), as lettre's `from_url` reads them.
    pub url: String,
    /// The sender, e.g. `Crosswalk <crosswalk@example.org>`.
    pub from: String,
}

impl std::fmt::Debug for SmtpSettings {
    // The URL may carry the relay's password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings").field("url", &"<redacted>").field("from", &self.from).finish()
    }
}

/// A configured SMTP transport.
#[derive(Clone)]
pub(crate) struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// Checks the settings and builds the transport (no connection is made yet).
    pub(crate) fn new(settings: &SmtpSettings) -> AppResult<Mailer> {
        let from: Mailbox =
            settings.from.parse().map_err(|e| AppError::invalid("mail-from", format!("'{}' is not a mailbox: {e}", settings.from)))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.url)
            .map_err(|e| AppError::invalid("smtp-url", format!("not an SMTP URL: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        Ok(Mailer { transport, from })
    }

    /// Sends one plain-text message.
    pub(crate) async fn send(&self, to: &str, subject: &str, body: String) -> AppResult<()> {
        let to: Mailbox = to.parse().map_err(|e| AppError::invalid("email", format!("'{to}' is not a mailbox: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body)
            .map_err(|e| AppError::Internal(format!("building an e-mail: {e}")))?;
        self.transport.send(message).await.map_err(|e| AppError::Unavailable(format!("sending e-mail failed: {e}")))?;
        Ok(())
    }
}

/// Validates SMTP settings up front (for the command line, so a typo fails at start-up).
pub fn check_settings(settings: &SmtpSettings) -> AppResult<()> {
    Mailer::new(settings).map(|_| ())
}
