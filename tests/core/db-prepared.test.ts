import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { onQuery } from '../../src/db/connection.ts';
import { prepare } from '../../src/db/prepared.ts';

describe('prepare', () => {
  it('compiles once and binds each call its own values, constants kept', async () => {
    let builds = 0;
    const statement = prepare((db, p: { name: string; at: Date }) => {
      builds += 1;
      return db.selectNoFrom([
        sql<string>`${p.name}::text`.as('name'),
        sql<Date>`${p.at}::timestamptz`.as('at'),
        sql<number>`${41}::int + 1`.as('constant'),
      ]);
    });
    const seen: unknown[][] = [];
    const stop = onQuery((event) => seen.push([...event.query.parameters]));
    try {
      const at = new Date('2030-01-02T03:04:05.000Z');
      expect(await statement({ name: 'ada', at })).toEqual([{ name: 'ada', at, constant: 42 }]);
      expect(await statement({ name: 'grace', at })).toEqual([{ name: 'grace', at, constant: 42 }]);
    } finally {
      stop();
    }
    expect(builds).toBe(1);
    expect(seen.map((parameters) => parameters[0])).toEqual(['ada', 'grace']);
  });

  it('is a named statement on the pg driver, so Postgres parses and plans it once per connection', async () => {
    const ownStatement = prepare((db, p: { marker: string }) =>
      db.selectNoFrom(
        sql<string[]>`(SELECT array_agg(name) FROM pg_prepared_statements WHERE statement LIKE '%' || ${p.marker} || '%')`.as('names'),
      ),
    );
    const [row] = await ownStatement({ marker: 'pg_prepared_statements WHERE' });
    expect(row!.names).toEqual([expect.stringMatching(/^prepared_\d+$/)]);
  });
});
