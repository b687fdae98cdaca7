//! What a change does inside one open transaction, whichever database holds
//! the rows: each backend (SQLite, PostgreSQL) only loads and saves one
//! statement's marks ([`Rows`]), and the rules (what is applied, what a
//! note conflict is) are written once here.

use super::Applied;
use super::marks::{Change, Marks, Stamp, Target};
use super::notes::OpenedNote;

/// One statement's rows inside an open transaction.
pub(super) trait Rows {
    type Error;
    /// The marks of `id` as `user` sees them (default when it has none).
    fn load(&mut self, id: &str, user: &str) -> Result<Marks, Self::Error>;
    /// Writes `after` over `before`, touching only what differs; `stamp`
    /// is who makes the change and when.
    fn save(
        &mut self,
        id: &str,
        stamp: &Stamp,
        before: &Marks,
        after: &Marks,
    ) -> Result<(), Self::Error>;
}

/// One change inside an open transaction.
pub(super) fn apply_in<R: Rows>(
    rows: &mut R,
    change: &Change,
    stamp: &Stamp,
) -> Result<Applied, R::Error> {
    let plan = change.plan();
    let mut applied = Applied {
        before: Vec::with_capacity(plan.len()),
        after: Vec::with_capacity(plan.len()),
    };
    for (id, target) in plan {
        let before = rows.load(id, &stamp.by)?;
        let after = match target {
            Target::Edit => change.edit(&before, stamp),
            Target::Exact(marks) => marks.clone(),
            Target::Field(marks) => {
                let mut after = before.clone();
                if let Some(field) = change.field() {
                    field.copy(marks, &mut after);
                }
                after
            }
        };
        let after = if after == before {
            after
        } else {
            rows.save(id, stamp, &before, &after)?;
            // Read back: others' reads and the note's versions are the
            // database's, not the change's.
            rows.load(id, &stamp.by)?
        };
        applied.before.push((id.to_owned(), before));
        applied.after.push((id.to_owned(), after));
    }
    Ok(applied)
}

/// The statements among `ids` whose note is no longer the one `opened`
/// (in the same order; missing entries count as "had none"), with their
/// note now. Call it in the transaction that saves, under its write lock.
pub(super) fn changed_notes<R: Rows>(
    rows: &mut R,
    ids: &[String],
    opened: &[OpenedNote],
    user: &str,
) -> Result<Vec<(String, OpenedNote)>, R::Error> {
    let mut changed = Vec::new();
    for (id, opened) in ids
        .iter()
        .zip(opened.iter().chain(std::iter::repeat(&None)))
    {
        let now = rows.load(id, user)?.note;
        if now != *opened {
            changed.push((id.clone(), now));
        }
    }
    Ok(changed)
}
