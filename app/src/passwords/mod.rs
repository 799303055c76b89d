//! Server-side password machinery: hashing, sealed reveal copies and generators.

pub mod generator;
pub mod hashing;
pub mod sealing;
