//! Test fixtures shared by the app tests.
#![allow(dead_code)] // each test file uses a different part of the support
pub mod smtp_sink;
pub mod world;
