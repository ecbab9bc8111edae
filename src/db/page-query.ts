// A list page and its total in ONE statement (src/common/pagination.ts reads the rows):
//   SELECT t.total, i.* FROM (<count>) t LEFT JOIN LATERAL (<page>) i ON true ORDER BY <the page's order>
// A page past the end still yields one row, its item columns null, so the
// real total is known without a second query.
import { sql, type AliasedSelectQueryBuilder, type Kysely } from 'kysely';
import { getDb } from './connection.ts';

type Nullable<T> = { [K in keyof T]: T[K] | null };

export type PageRow<Item> = { total: number } & Nullable<Item>;

/**
 * `count` selects `total` as `t`; `page` selects the items (ordered, limited and
 * offset) as `i`. `order` repeats the page's order by its output columns: a
 * join does not promise to keep the order of a subquery.
 */
export async function selectPageWithTotal<Item>(
  count: AliasedSelectQueryBuilder<{ total: number }, 't'>,
  page: AliasedSelectQueryBuilder<Item, 'i'>,
  order: readonly (readonly [column: keyof Item & string, direction: 'asc' | 'desc'])[],
): Promise<PageRow<Item>[]> {
  // Kysely cannot type a join of builders whose row types are generic here; the result type is stated above.
  const db = getDb() as unknown as Kysely<Record<'t' | 'i', Record<string, unknown>>>;
  let query = db
    .selectFrom(count as unknown as 't')
    .leftJoinLateral(page as unknown as 'i', (join) => join.onTrue())
    .selectAll();
  for (const [column, direction] of order) query = query.orderBy(sql.ref(`i.${column}`), direction);
  return (await query.execute()) as unknown as PageRow<Item>[];
}
