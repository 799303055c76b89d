//! Audit rows of views (a class page opened, access codes shown) written
//! in groups: one writer task takes every row waiting and commits them in
//! one statement. Each request still waits until its own row is committed,
//! so no view goes unrecorded; what changes is that a busy morning's views
//! share commits instead of each taking the database's write lock, and
//! SQLite's readers drop their page caches once per group, not once per
//! view.
//!
//! Rows that must commit with the change they describe (a reset, a sign-in)
//! do not come here: they are written in that change's transaction.

use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot};

use super::ssr::{audit_columns, record, AuditEvent, AUDIT_VALUES_PER_ROW};
use super::AuditAction;
use crate::db::Db;

/// At most this many rows in one statement (11 values each, far below
/// either database's limit on bound values).
const MAX_GROUP: usize = 64;

/// The queue in front of the writer task, started on first use (inside the
/// server's runtime).
#[derive(Clone)]
pub struct AuditQueue {
    db: Db,
    sender: Arc<OnceLock<mpsc::UnboundedSender<Waiting>>>,
}

struct Waiting {
    action: AuditAction,
    event: AuditEvent,
    now: i64,
    committed: oneshot::Sender<Result<(), sqlx::Error>>,
}

impl AuditQueue {
    pub fn new(db: Db) -> Self {
        AuditQueue {
            db,
            sender: Arc::default(),
        }
    }

    /// Records `event` and returns once its row is committed, or with the
    /// database's error for it.
    pub async fn record(
        &self,
        action: AuditAction,
        event: AuditEvent,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let (committed, outcome) = oneshot::channel();
        let waiting = Waiting {
            action,
            event,
            now,
            committed,
        };
        match self.sender().send(waiting) {
            Ok(()) => match outcome.await {
                Ok(result) => result,
                // The writer stopped with its runtime (never while serving).
                Err(_) => Err(sqlx::Error::PoolClosed),
            },
            // No writer (its runtime has ended): write the row directly.
            Err(mpsc::error::SendError(waiting)) => {
                record(&self.db, waiting.action, waiting.event, waiting.now).await
            }
        }
    }

    fn sender(&self) -> &mpsc::UnboundedSender<Waiting> {
        self.sender.get_or_init(|| {
            let (sender, queue) = mpsc::unbounded_channel();
            tokio::spawn(write_groups(self.db.clone(), queue));
            sender
        })
    }
}

/// Takes the first row waiting, then every row already queued behind it
/// (rows that arrived while the last group was being committed), and
/// commits them together. No timer: a lone view waits for its own commit
/// only (a 1 ms gathering window made a class page take 3.95 ms instead of
/// 1.01 ms with nobody else about), while under load the rows queued during
/// one commit form the next group.
async fn write_groups(db: Db, mut queue: mpsc::UnboundedReceiver<Waiting>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = queue.recv().await {
        group.push(first);
        // Rows sent by tasks that are running right now join this group.
        tokio::task::yield_now().await;
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(waiting) => group.push(waiting),
                Err(_) => break,
            }
        }
        commit(&db, &mut group).await;
    }
}

/// Commits `group` in one statement and tells each request. If that fails,
/// each row is tried alone, so every request gets its own row's outcome.
async fn commit(db: &Db, group: &mut Vec<Waiting>) {
    let statement = insert_statement(group.len());
    let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
    for waiting in group.iter() {
        query = super::ssr::bind_event(query, waiting.action, waiting.event.clone(), waiting.now);
    }
    match query.execute(db).await {
        Ok(_) => {
            for waiting in group.drain(..) {
                let _ = waiting.committed.send(Ok(()));
            }
        }
        Err(error) => {
            tracing::warn!(%error, rows = group.len(), "a group of audit rows failed; writing each alone");
            for waiting in group.drain(..) {
                let result = record(db, waiting.action, waiting.event, waiting.now).await;
                let _ = waiting.committed.send(result);
            }
        }
    }
}

/// `INSERT … VALUES ($1, …, $11), ($12, …)` for `rows` rows.
fn insert_statement(rows: usize) -> String {
    let mut statement = String::from(concat!(
        "INSERT INTO audit_events (",
        audit_columns!(),
        ") VALUES "
    ));
    for row in 0..rows {
        if row > 0 {
            statement.push_str(", ");
        }
        statement.push('(');
        for column in 0..AUDIT_VALUES_PER_ROW {
            if column > 0 {
                statement.push_str(", ");
            }
            statement.push_str(&format!("${}", row * AUDIT_VALUES_PER_ROW + column + 1));
        }
        statement.push(')');
    }
    statement
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing::fresh_db;

    fn view(n: usize) -> AuditEvent {
        AuditEvent {
            actor_label: format!("teacher {n}"),
            target_label: "Year 3 Hazel".into(),
            client_addr: "192.0.2.7".into(),
            ..Default::default()
        }
    }

    async fn labels(db: &Db) -> Vec<String> {
        let mut labels: Vec<String> = sqlx::query_scalar(
            "SELECT actor_label FROM audit_events WHERE action = 'class_opened'",
        )
        .fetch_all(db)
        .await
        .unwrap();
        labels.sort();
        labels
    }

    #[test]
    fn a_group_statement_numbers_every_value() {
        assert_eq!(
            insert_statement(2).split("VALUES ").nth(1).unwrap(),
            "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11), \
             ($12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
        );
    }

    #[tokio::test]
    async fn each_view_returns_once_its_own_row_is_committed() {
        let (db, _dir) = fresh_db().await;
        let queue = AuditQueue::new(db.clone());
        queue
            .record(AuditAction::ClassOpened, view(0), 1_000)
            .await
            .unwrap();
        assert_eq!(labels(&db).await, ["teacher 0"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn views_arriving_together_are_all_written_once() {
        let (db, _dir) = fresh_db().await;
        let queue = AuditQueue::new(db.clone());
        let views: Vec<_> = (0..150)
            .map(|n| {
                let queue = queue.clone();
                tokio::spawn(
                    async move { queue.record(AuditAction::ClassOpened, view(n), 1_000).await },
                )
            })
            .collect();
        for view in views {
            view.await.unwrap().unwrap();
        }
        let mut expected: Vec<String> = (0..150).map(|n| format!("teacher {n}")).collect();
        expected.sort();
        assert_eq!(labels(&db).await, expected);
    }

    #[tokio::test]
    async fn a_row_that_cannot_be_written_fails_its_own_request_only() {
        let (db, _dir) = fresh_db().await;
        let queue = AuditQueue::new(db.clone());
        // A school id that does not exist breaks the foreign key: that row
        // fails, the row grouped with it is still written.
        let mut broken = view(1);
        broken.school_id = Some("no-such-school".into());
        let (good, bad) = tokio::join!(
            queue.record(AuditAction::ClassOpened, view(0), 1_000),
            queue.record(AuditAction::ClassOpened, broken, 1_000),
        );
        good.unwrap();
        assert!(bad.is_err(), "the broken row reports its error");
        assert_eq!(labels(&db).await, ["teacher 0"]);
    }
}
