//! The queries users and groups share: both tables have an ID, a name unique per
//! instance, and the same reads and writes. Each table's file keeps only what is its
//! own (its rows, its filter's `filtered` query) and gets these from the macro.

/// Declares, for table `$t` with rows `$Row` keyed by `$Id`, new rows `$New`, changes `$Changes`,
/// filter `$Filter` and unique name column `$name`: `taken_names`,
/// `taken_external_ids`, `insert_many`,
/// `find`, `find_many`, `existing_ids`, `list`, `update`, `delete`. The file must have
/// `fn filtered(instance_id, &$Filter) -> $t::BoxedQuery<'static, Db>`.
#[macro_export]
macro_rules! directory_queries {
    ($t:ident, $Row:ident, $Id:ty, $New:ident, $Changes:ident, $Filter:ident, $name:ident) => {
        /// Of `names`, the ones already taken in the instance.
        pub fn taken_names(
            conn: &mut AnyConnection,
            instance_id: InstanceId,
            names: &[String],
        ) -> QueryResult<Vec<String>> {
            $t::table
                .filter($t::instance_id.eq(instance_id))
                .filter($t::$name.eq_any(names))
                .select($t::$name)
                .load(conn)
        }

        /// Of `external_ids`, the ones already taken in the instance.
        pub fn taken_external_ids(
            conn: &mut AnyConnection,
            instance_id: InstanceId,
            external_ids: &[String],
        ) -> QueryResult<Vec<String>> {
            if external_ids.is_empty() {
                return Ok(Vec::new());
            }
            $t::table
                .filter($t::instance_id.eq(instance_id))
                .filter($t::external_id.eq_any(external_ids))
                .select($t::external_id.assume_not_null())
                .load(conn)
        }

        /// Inserts all rows in one statement; rows come back in insertion order.
        pub fn insert_many(conn: &mut AnyConnection, rows: &[$New]) -> QueryResult<Vec<$Row>> {
            $crate::per_backend!(conn, |c| diesel::insert_into($t::table)
                .values(rows)
                .returning($Row::as_returning())
                .get_results(c))
        }

        /// The row, if `visible_to` (a user key's user) may see it.
        pub fn find(
            conn: &mut AnyConnection,
            instance_id: InstanceId,
            id: $Id,
            visible_to: Option<UserId>,
        ) -> QueryResult<Option<$Row>> {
            let filter = $Filter {
                common: Common {
                    ids: Some(vec![id.get()]),
                    ..Default::default()
                },
                visible_to,
                ..Default::default()
            };
            filtered(instance_id, &filter)
                .select($Row::as_select())
                .first(conn)
                .optional()
        }

        /// The rows with these IDs, in any order.
        pub fn find_many(
            conn: &mut AnyConnection,
            instance_id: InstanceId,
            ids: &[$Id],
        ) -> QueryResult<Vec<$Row>> {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            $t::table
                .filter($t::instance_id.eq(instance_id))
                .filter($t::id.eq_any(ids))
                .select($Row::as_select())
                .load(conn)
        }

        /// Of `ids`, the ones that exist in the instance.
        pub fn existing_ids(
            conn: &mut AnyConnection,
            instance_id: InstanceId,
            ids: &[$Id],
        ) -> QueryResult<Vec<$Id>> {
            $t::table
                .filter($t::instance_id.eq(instance_id))
                .filter($t::id.eq_any(ids))
                .select($t::id)
                .load(conn)
        }

        pub fn list(
            conn: &mut AnyConnection,
            instance_id: InstanceId,
            f: &$Filter,
            w: &Window,
        ) -> QueryResult<Page<$Row>> {
            let total: i64 = filtered(instance_id, f).count().get_result(conn)?;
            let mut q = filtered(instance_id, f).select($Row::as_select());
            $crate::apply_window!(
                q,
                w,
                $t::id,
                $t::created_at,
                $t::updated_at,
                $t::$name,
                super::listing::sort_text
            );
            Ok(Page::from_rows(q.load(conn)?, total, w.limit))
        }

        pub fn update(
            conn: &mut AnyConnection,
            instance_id: InstanceId,
            id: $Id,
            changes: &$Changes,
        ) -> QueryResult<$Row> {
            $crate::per_backend!(conn, |c| diesel::update(
                $t::table
                    .filter($t::instance_id.eq(instance_id))
                    .filter($t::id.eq(id))
            )
            .set(changes)
            .returning($Row::as_returning())
            .get_result(c))
        }

        /// Deletes the row; what depends on it goes with it by cascade.
        pub fn delete(
            conn: &mut AnyConnection,
            instance_id: InstanceId,
            id: $Id,
        ) -> QueryResult<usize> {
            diesel::delete(
                $t::table
                    .filter($t::instance_id.eq(instance_id))
                    .filter($t::id.eq(id)),
            )
            .execute(conn)
        }
    };
}
