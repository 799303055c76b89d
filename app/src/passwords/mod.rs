//! Server-side password machinery: hashing, sealed reveal copies and generators.

pub mod fair_queue;
pub mod generator;
pub mod hash_threads;
pub mod hashing;
pub mod reveal_check;
pub mod rotation;
pub mod sealing;
