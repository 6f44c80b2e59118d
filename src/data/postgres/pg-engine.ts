import pg from 'pg';
import { checkAffected, EngineError, engineErrorFields, prelude, type SqlEngine, type Statement, type StatementResult, type TransactionOptions } from './engine.ts';

const RETRYABLE = new Set(['40001', '40P01']);

/** Real PostgreSQL through a pool: each request is BEGIN, the SET LOCAL prelude, its statements, COMMIT. */
export function openPgEngine(url: string, poolSize = 10): SqlEngine {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'slipstream-data' });
  pool.on('error', () => {}); // an idle connection lost; the next checkout reconnects
  // Numbers, dates and timestamps stay text: the API's JSON is built by PostgreSQL itself.
  const asText = (value: string) => value;
  const types = { getTypeParser: (oid: number, format?: 'text' | 'binary') => ([20, 1700, 1082, 1114, 1184].includes(oid) ? asText : pg.types.getTypeParser(oid, format)) };

  async function once(statements: readonly Statement[], options: TransactionOptions): Promise<StatementResult[]> {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query(options.readOnly ? 'BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY' : 'BEGIN ISOLATION LEVEL READ COMMITTED');
      for (const set of prelude(options)) await client.query(set);
      if (options.statementTimeoutMs !== undefined) await client.query(`SET LOCAL statement_timeout TO ${Math.max(1, Math.floor(options.statementTimeoutMs))}`);
      const results: StatementResult[] = [];
      for (const statement of statements) {
        const answer = await client.query({ text: statement.sql, values: statement.params as unknown[] | undefined, types });
        results.push({ rows: answer.rows, affectedRows: answer.rowCount ?? 0 });
      }
      checkAffected(results, options);
      await client.query(options.rollback ? 'ROLLBACK' : 'COMMIT');
      return results;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  return {
    kind: 'postgres',
    async transaction(statements, options = {}) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await once(statements, options);
        } catch (error) {
          const fields = engineErrorFields(error);
          if (fields && RETRYABLE.has(fields.code) && attempt < 3) continue;
          throw fields ? new EngineError(fields) : error;
        }
      }
    },
    async close() {
      await pool.end();
    },
  };
}
