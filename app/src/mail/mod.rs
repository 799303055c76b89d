//! Outgoing email: written to the `outgoing_messages` table inside the
//! transaction that decides to send it, then delivered off the request path
//! by [`outbox::deliver_due`], with retries, so nothing is lost when the
//! server restarts before sending.

pub mod messages;
pub mod outbox;
pub mod transport;
