//! HR titles read as Navet roles (`domain::role_titles`): one choice per
//! title and municipality, or for every municipality. Both imports (staff
//! lists and participations, pages and command line) read titles through
//! [`title_map`]. Every choice is audited.

use domain::ids::MunicipalityId;
use domain::role_titles::{check_title, Mapping, TitleMap};
use serde::Serialize;
use sqlx::FromRow;

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct MappingRow {
    pub id: i64,
    pub municipality_id: Option<i64>,
    pub municipality_name: Option<String>,
    pub title: String,
    pub role_id: i64,
    pub role_name: String,
    pub created_at: i64,
}

/// Every mapping, the global ones first, then by municipality and title.
pub async fn list(db: &Db) -> StoreResult<Vec<MappingRow>> {
    let mut v: Vec<MappingRow> = sqlx::query_as(
        "SELECT t.id, t.municipality_id, m.name AS municipality_name, t.title, t.role_id, \
         r.name AS role_name, t.created_at FROM role_title_mappings t \
         JOIN roles r ON r.id = t.role_id LEFT JOIN municipalities m ON m.id = t.municipality_id",
    )
    .fetch_all(db.pool())
    .await?;
    v.sort_by(|a, b| {
        let key = |x: &MappingRow| {
            (
                x.municipality_name.is_some(),
                domain::collation::swedish_key(x.municipality_name.as_deref().unwrap_or("")),
                domain::collation::swedish_key(&x.title),
            )
        };
        key(a).cmp(&key(b))
    });
    Ok(v)
}

/// Roles (names and alternatives) and every remembered title.
pub async fn title_map(db: &Db) -> StoreResult<TitleMap> {
    let roles = crate::org::roles(db).await?;
    let rows: Vec<(Option<i64>, String, i64)> =
        sqlx::query_as("SELECT municipality_id, title, role_id FROM role_title_mappings")
            .fetch_all(db.pool())
            .await?;
    let mappings: Vec<Mapping> = rows
        .into_iter()
        .map(|(municipality_id, title, role_id)| Mapping {
            municipality_id,
            title,
            role_id,
        })
        .collect();
    Ok(TitleMap::new(
        roles.iter().map(|r| (r.id, r.name.as_str())),
        &mappings,
    ))
}

/// Remember that `title` means the role `role_id` (in one municipality, or
/// everywhere); a later choice for the same title replaces the earlier one.
pub async fn set(
    db: &Db,
    who: &Who,
    municipality_id: Option<MunicipalityId>,
    title: &str,
    role_id: i64,
) -> StoreResult<()> {
    let title = check_title(title).map_err(|m| StoreError::invalid("title", "invalid", m))?;
    let role: Option<String> = sqlx::query_scalar("SELECT name FROM roles WHERE id = $1")
        .bind(role_id)
        .fetch_optional(db.pool())
        .await?;
    let Some(role) = role else {
        return Err(StoreError::invalid(
            "role",
            "unknown_role",
            "Välj en av Navets yrkesroller.",
        ));
    };
    if let Some(m) = municipality_id {
        crate::org::municipality(db, m).await?;
    }
    let mut tx = db.begin().await?;
    match municipality_id {
        Some(m) => {
            sqlx::query("DELETE FROM role_title_mappings WHERE municipality_id = $1 AND title = $2")
                .bind(m)
                .bind(&title)
                .execute(&mut *tx)
                .await?
        }
        None => {
            sqlx::query(
                "DELETE FROM role_title_mappings WHERE municipality_id IS NULL AND title = $1",
            )
            .bind(&title)
            .execute(&mut *tx)
            .await?
        }
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO role_title_mappings (municipality_id, title, role_id, account_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(municipality_id)
    .bind(&title)
    .bind(role_id)
    .bind(who.account_id)
    .bind(crate::time::now())
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        "role_mapping.set",
        "role_title_mapping",
        Some(id),
        None,
        &format!("{title} → {role}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
