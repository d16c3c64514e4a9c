use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use domain::notices::Sender;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

use crate::error::StoreResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// A handle to the database: a pool for reads and one for writes.
///
/// SQLite has a single writer anyway; sending every write transaction
/// through one connection means a transaction never has to upgrade a read
/// lock to a write lock (which fails with SQLITE_BUSY under load, whatever
/// the busy timeout). On PostgreSQL both pools are the same pool and row
/// locks (`SELECT … FOR UPDATE`) serialise what must be serialised.
///
/// The handle also carries the settings the store's writes need and that
/// the binary reads once at start (see `Options`): nothing in the store
/// reads the environment or a global.
#[derive(Clone, Debug)]
pub struct Db {
    read: AnyPool,
    write: AnyPool,
    engine: Engine,
    url: String,
    sender: Arc<Sender>,
    /// Sums of attended time, shared by every clone of this handle.
    facts: Arc<crate::fact_cache::FactCache>,
}

/// How to connect: filled in by the binary from its configuration.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Connections per pool; `None` for 8 SQLite readers or 16 PostgreSQL
    /// connections.
    pub pool_size: Option<u32>,
}

/// Where links in notices point and who sends them, until the web tier
/// says otherwise (`Db::with_sender`).
fn default_sender() -> Sender {
    Sender {
        base_url: "http://127.0.0.1:8080".into(),
        from_email: "navet@localhost".into(),
    }
}

/// Each PostgreSQL connection's planner settings. PostgreSQL's defaults
/// assume spinning disks (a random read four times a sequential one), so a
/// unit's few hundred people, scattered over the table, were read by a
/// parallel scan of all 250 000 instead of through their index; and JIT
/// compilation costs more than Navet's short queries take.
const POSTGRES_SETTINGS: &[&str] = &["SET random_page_cost = 1.1", "SET jit = off"];

/// SQLite settings applied on every connection. `synchronous=FULL` makes
/// every commit durable on power loss, also in WAL mode (see
/// docs/decisions.md). `secure_delete=ON` overwrites deleted and replaced
/// content with zeros, so an erased person's data leaves the file too
/// (see docs/privacy.md).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; \
     PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;";

impl Db {
    /// Connect to `sqlite://PATH` (created if missing) or `postgres://…`
    /// with the default options.
    pub async fn connect(url: &str) -> StoreResult<Db> {
        Db::connect_with(url, &Options::default()).await
    }

    /// Connect with the given options.
    pub async fn connect_with(url: &str, options: &Options) -> StoreResult<Db> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else {
            return Err(anyhow::anyhow!(
                "okänd databas-URL ”{url}”: ange sqlite://SÖKVÄG eller postgres://…"
            )
            .into());
        };
        let pool_size: u32 = options.pool_size.unwrap_or(match engine {
            Engine::Sqlite => 8,
            Engine::Postgres => 16,
        });
        match engine {
            Engine::Sqlite => {
                let full = if url.contains('?') {
                    url.to_string()
                } else {
                    format!("{url}?mode=rwc")
                };
                let opts = AnyConnectOptions::from_str(&full)?.disable_statement_logging();
                let write = AnyPoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(SQLITE_PRAGMAS).await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts.clone())
                    .await?;
                let read = AnyPoolOptions::new()
                    .max_connections(pool_size)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(SQLITE_PRAGMAS).await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?;
                Ok(Db {
                    read,
                    write,
                    engine,
                    url: url.to_string(),
                    sender: Arc::new(default_sender()),
                    facts: Default::default(),
                })
            }
            Engine::Postgres => {
                let opts = AnyConnectOptions::from_str(url)?.disable_statement_logging();
                let pool = AnyPoolOptions::new()
                    .max_connections(pool_size)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            for setting in POSTGRES_SETTINGS {
                                conn.execute(*setting).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?;
                Ok(Db {
                    read: pool.clone(),
                    write: pool,
                    engine,
                    url: url.to_string(),
                    sender: Arc::new(default_sender()),
                    facts: Default::default(),
                })
            }
        }
    }

    /// The same handle (same pools) with notices linking to and sent
    /// from `sender`.
    pub fn with_sender(mut self, sender: Sender) -> Db {
        self.sender = Arc::new(sender);
        self
    }

    /// Where links in notices point and who sends them.
    pub fn sender(&self) -> &Sender {
        &self.sender
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The pool for reads (any number at once).
    pub(crate) fn fact_cache(&self) -> &crate::fact_cache::FactCache {
        &self.facts
    }

    pub fn pool(&self) -> &AnyPool {
        &self.read
    }

    /// The pool that single write statements outside a transaction use.
    pub fn writer(&self) -> &AnyPool {
        &self.write
    }

    /// Begin a write transaction (see the type's notes on serialisation).
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(self.write.begin().await?)
    }

    /// ` FOR UPDATE` on PostgreSQL; nothing on SQLite, where the single
    /// writer connection already serialises write transactions.
    pub fn for_update(&self) -> &'static str {
        match self.engine {
            Engine::Postgres => " FOR UPDATE",
            Engine::Sqlite => "",
        }
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// Placeholders for a multi-row `VALUES` list: `rows` tuples of `cols`
/// parameters each, numbered from `$1` in row order.
pub fn values_list(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let row = (1..=cols)
                .map(|c| format!("${}", r * cols + c))
                .collect::<Vec<_>>()
                .join(", ");
            format!("({row})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_list_numbers_rows_in_order() {
        assert_eq!(super::values_list(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::values_list(0, 3), "");
    }
}

/// Ids for an SQL `IN (…)` list: `1,2,3`. Ids are integers, so there is
/// nothing to escape.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod id_list_tests {
    #[test]
    fn id_lists_are_plain_integers() {
        assert_eq!(super::id_list(&[1, 22, -3]), "1,22,-3");
        assert_eq!(super::id_list(&[]), "");
    }
}
