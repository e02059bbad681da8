//! Rules the schema keeps as later migrations land.

use crate::helpers::TestApp;

/// Every foreign key is served by an index, so that checking it (when a parent row changes or
/// goes) and the joins along it never scan the child table: some non-partial index must begin
/// with the key's columns — enough of them to name a row other than by its CAN (a CAN-scoped key
/// `(x, can_id)` is served by an index on `x`; a key on `can_id` alone by one leading with it).
#[tokio::test]
async fn every_foreign_key_is_served_by_an_index() {
    let app = TestApp::new().await;
    let unserved: Vec<(String, String, String)> = sqlx::query_as(
        "WITH fk AS (
             SELECT c.conrelid, c.conname, c.conkey,
                    array(SELECT a.attnum FROM pg_attribute a
                          WHERE a.attrelid = c.conrelid AND a.attname = 'can_id') AS can_col
             FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
             WHERE c.contype = 'f' AND n.nspname = 'public')
         SELECT fk.conrelid::regclass::text, fk.conname::text,
                (SELECT string_agg(attname, ', ') FROM pg_attribute
                 WHERE attrelid = fk.conrelid AND attnum = ANY (fk.conkey))
         FROM fk
         WHERE NOT EXISTS (
             SELECT 1 FROM pg_index i, generate_series(1, i.indnkeyatts) AS k
             WHERE i.indrelid = fk.conrelid AND i.indpred IS NULL
               AND (i.indkey::int2[])[0:k - 1] <@ fk.conkey
               AND (NOT (i.indkey::int2[])[0:k - 1] <@ fk.can_col OR fk.conkey <@ fk.can_col))
         ORDER BY 1, 2",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(
        unserved.is_empty(),
        "foreign keys without an index (table, constraint, columns): {unserved:#?}"
    );
}
