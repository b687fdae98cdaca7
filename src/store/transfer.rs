//! Copying triage state whole from one store to another (`communique
//! state migrate`): every row of every table, with who set it and when,
//! read from one kind and written into the other in one transaction. A
//! row already at the target with the same key is replaced, so running
//! the same migration again changes nothing.

/// A value in one column: the schema has only text and integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

/// One table's rows, columns as in [`TABLES`].
pub type Rows = Vec<Vec<Value>>;

/// Every table's rows, in the order of [`TABLES`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub tables: Vec<Rows>,
}

impl Snapshot {
    /// How many rows it holds in all.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.tables.iter().map(Vec::len).sum()
    }

    /// How many statements carry any mark (a read, flag, status, tag or
    /// note, or a note's history): the first four tables are keyed by id.
    #[must_use]
    pub fn statements(&self) -> usize {
        self.tables
            .iter()
            .take(4)
            .flatten()
            .filter_map(|row| match row.first() {
                Some(Value::Text(id)) => Some(id.as_str()),
                _ => None,
            })
            .collect::<std::collections::HashSet<_>>()
            .len()
    }
}

/// A table as the copy sees it: its name, its columns (history without
/// its sequence number: rows are read oldest first and written in that
/// order), and the columns that say which rows are the same row.
pub(super) struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub key: &'static [&'static str],
    pub order: &'static str,
}

pub(super) const TABLES: &[Table] = &[
    Table {
        name: "marks",
        columns: &[
            "id",
            "flagged_by",
            "flagged_at",
            "status",
            "status_by",
            "status_at",
            "note",
            "note_by",
            "note_at",
        ],
        key: &["id"],
        order: "id",
    },
    Table {
        name: "reads",
        columns: &["id", "by", "at"],
        key: &["id", "by"],
        order: "id, by",
    },
    Table {
        name: "tags",
        columns: &["id", "tag", "by", "at"],
        key: &["id", "tag"],
        order: "id, tag",
    },
    Table {
        name: "note_versions",
        columns: &["id", "version", "note", "by", "at"],
        key: &["id", "version"],
        order: "id, version",
    },
    Table {
        name: "note_drafts",
        columns: &["id", "by", "text", "at", "base_note", "base_by", "base_at"],
        key: &["id", "by"],
        order: "id, by",
    },
    Table {
        name: "saved_searches",
        columns: &["name", "query", "by", "at"],
        key: &["name"],
        order: "name",
    },
    Table {
        name: "history",
        columns: &["by", "query", "at"],
        key: &["by", "query"],
        order: "seq",
    },
];

/// Whether a column holds integers (times and version numbers).
pub(super) fn is_int(column: &str) -> bool {
    column == "at" || column == "version" || column.ends_with("_at")
}

/// The positions in a row of the table's key columns.
pub(super) fn key_positions(table: &Table) -> Vec<usize> {
    table
        .key
        .iter()
        .filter_map(|key| table.columns.iter().position(|c| c == key))
        .collect()
}

/// `DELETE FROM t WHERE k1 = <p0> AND …`, the placeholders made by `mark`
/// from each key column's place among the keys.
pub(super) fn delete_sql(table: &Table, mark: impl Fn(usize) -> String) -> String {
    let matches: Vec<String> = table
        .key
        .iter()
        .enumerate()
        .map(|(at, key)| format!("{key} = {}", mark(at)))
        .collect();
    format!("DELETE FROM {} WHERE {}", table.name, matches.join(" AND "))
}

/// `INSERT INTO t (c…) VALUES (<p>…)`.
pub(super) fn insert_sql(table: &Table, mark: impl Fn(usize) -> String) -> String {
    let marks: Vec<String> = (0..table.columns.len()).map(mark).collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({})",
        table.name,
        table.columns.join(", "),
        marks.join(", ")
    )
}

impl super::Store {
    /// Every row of every table, read in one transaction.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn export(&self) -> Result<Snapshot, super::StoreError> {
        let read = || -> rusqlite::Result<Snapshot> {
            let tx = self.conn.unchecked_transaction()?;
            let mut snapshot = Snapshot::default();
            for table in TABLES {
                let mut stmt = tx.prepare(&format!(
                    "SELECT {} FROM {} ORDER BY {}",
                    table.columns.join(", "),
                    table.name,
                    table.order
                ))?;
                let rows = stmt
                    .query_map([], |row| {
                        table
                            .columns
                            .iter()
                            .enumerate()
                            .map(|(at, column)| {
                                Ok(if is_int(column) {
                                    row.get::<_, Option<i64>>(at)?
                                        .map_or(Value::Null, Value::Int)
                                } else {
                                    row.get::<_, Option<String>>(at)?
                                        .map_or(Value::Null, Value::Text)
                                })
                            })
                            .collect::<rusqlite::Result<Vec<Value>>>()
                    })?
                    .collect::<rusqlite::Result<Rows>>()?;
                snapshot.tables.push(rows);
            }
            Ok(snapshot)
        };
        read().map_err(|e| self.fail(&e))
    }

    /// Writes every row of `snapshot`, replacing rows with the same key,
    /// in one transaction.
    ///
    /// # Errors
    /// When it cannot be saved; then nothing was.
    pub fn import(&mut self, snapshot: &Snapshot) -> Result<(), super::StoreError> {
        self.follow_path()?;
        if self.read_only {
            return Err(super::StoreError::ReadOnly(self.path.clone()));
        }
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| super::StoreError::from_sqlite(&path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        for (table, rows) in TABLES.iter().zip(&snapshot.tables) {
            let keys = key_positions(table);
            let mut delete = tx
                .prepare(&delete_sql(table, |at| format!("?{}", at + 1)))
                .map_err(fail)?;
            let mut insert = tx
                .prepare(&insert_sql(table, |at| format!("?{}", at + 1)))
                .map_err(fail)?;
            for row in rows {
                let key: Vec<&Value> = keys.iter().filter_map(|&at| row.get(at)).collect();
                delete
                    .execute(rusqlite::params_from_iter(key))
                    .map_err(fail)?;
                insert
                    .execute(rusqlite::params_from_iter(row))
                    .map_err(fail)?;
            }
        }
        tx.commit().map_err(fail)
    }
}

impl super::Store {
    /// SQLite's integrity check and the schema's version, for `communique
    /// state check`; a damaged file is an error.
    ///
    /// # Errors
    /// When the file cannot be read or is damaged.
    pub fn health(&self) -> Result<String, super::StoreError> {
        let read = || -> rusqlite::Result<(String, i64)> {
            let verdict = self
                .conn
                .query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
            let version = self
                .conn
                .query_row("PRAGMA user_version", [], |row| row.get(0))?;
            Ok((verdict, version))
        };
        let (verdict, version) = read().map_err(|e| self.fail(&e))?;
        if verdict != "ok" {
            return Err(super::StoreError::Corrupt(self.path.clone()));
        }
        Ok(format!(
            "SQLite {}, communique schema {version}",
            rusqlite::version()
        ))
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(n) => ToSqlOutput::Borrowed(ValueRef::Integer(*n)),
            Value::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
        })
    }
}
