// Statements built and compiled once per process. Kysely builds an operation
// tree and compiles it to SQL on every execution, which for a three-table join
// costs more than the query's own time in Postgres (`npm run bench`); a hot
// path's statement only needs new values bound. They are also named, so that
// Postgres parses and plans them once per connection (pool.ts).
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import { getDb } from './connection.ts';
import { nameStatement } from './pool.ts';
import type { Database } from './schema.ts';

/** Stands for the value of `params[name]` while the statement is compiled. */
class Placeholder {
  constructor(readonly name: string) {}
}

const placeholders = new Proxy({}, { get: (_target, name) => new Placeholder(String(name)) });

/**
 * `build` receives placeholders for `params` and must use them only as plain
 * values (a comparison operand, an inserted value, a limit); it runs once,
 * so nothing it decides may depend on them. Returns the rows of each run.
 */
export function prepare<Params extends object, Row>(
  build: (db: Kysely<Database>, params: Params) => Compilable<Row>,
): (params: Params) => Promise<Row[]> {
  let compiled: CompiledQuery<Row> | undefined;
  return async (params) => {
    const db = getDb();
    if (compiled === undefined) {
      compiled = build(db, placeholders as Params).compile();
      nameStatement(compiled.sql);
    }
    const parameters = compiled.parameters.map((value) => wire(value instanceof Placeholder ? params[value.name as keyof Params] : value));
    return (await db.executeQuery<Row>({ ...compiled, parameters })).rows;
  };
}

/**
 * A Date as ISO 8601 in UTC, which every timestamp column (all timestamptz)
 * reads as the same instant: node-postgres' own conversion formats it in local
 * time field by field, a few µs per parameter, and the session check sends three.
 */
const wire = (value: unknown) => (value instanceof Date ? value.toISOString() : value);
