//! Test fixtures shared by the app tests.
pub mod smtp_sink;
