/**
 * `@supabase/postgrest-js` (2.119, unmodified) against Slipstream's PostgreSQL data API, on every
 * data engine: each case is a postgrest-js call and the SQL that means the same thing, and the
 * answer must be what psql prints for that SQL on a real PostgreSQL holding the same fixture
 * (test/data/fixtures/postgrest.ts: one description gives the tables API its specs, postgrest-js
 * its bulk inserts and psql its DDL and INSERTs).
 *
 * - Rows are compared as parsed JSON, in order only when the call orders them. They are compared
 *   twice: as postgrest-js hands them over (`data`), and from the raw body with every number
 *   kept as its source text, since JSON.parse would round 2^53 + 1 to 2^53 on both sides alike.
 * - Errors compare status and PostgREST's `code`; when there is equivalent SQL that fails on
 *   PostgreSQL too, psql's SQLSTATE and message as well.
 * - The read cases only read users, profiles and todos. The write cases change only `items`, in
 *   order, and the same change runs on psql; after every write case the whole of `items` must
 *   still be the same on both sides (so a refused write is also shown to have changed nothing).
 * - A few raw-HTTP cases (platform.app.inject) cover what postgrest-js never sends: Range,
 *   Accept-Profile, max-affected.
 * - `todo: '…'` marks a case where Slipstream is known to differ from PostgREST (the reason
 *   says how); node:test still runs it and reports it, without failing the suite.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { PostgrestClient } from '@supabase/postgrest-js';
import { dataEngineKinds } from '../helpers/data.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { storeKinds, testDatabase, type Cleanup } from '../helpers/stores.ts';
import { v1 } from '../platform-api/client.ts';
import { FIXTURE, fixtureSql, insertSql, rawJson, type Row } from './fixtures/postgrest.ts';

type Db = PostgrestClient;

/** What every postgrest-js call resolves to (its success and failure shapes at once). */
interface Answer {
  data: unknown;
  error: { code: string; message: string; details: unknown; hint: unknown } | null;
  count: number | null;
  status: number;
}

interface Case {
  name: string;
  call: (db: Db) => PromiseLike<Answer>;
  /**
   * The same request in SQL. Its rows (a write's RETURNING rows) are the expected `data`; with
   * `noData` it only runs (a minimal write); with `error` it must fail on psql with the same
   * SQLSTATE and message.
   */
  sql?: string;
  status: number;
  /** The call orders the rows: compare them in order. */
  ordered?: boolean;
  /** `data` is the one row the SQL gives, or null when it gives none (single(), maybeSingle()). */
  single?: boolean;
  /** `data` is null (head, return=minimal). */
  noData?: boolean;
  /** postgrest-js's `count`: a number, the SQL that counts it, or 'estimate' (any number: count=planned). */
  count?: number | { sql: string } | 'estimate';
  /** An error answer; `details` is compared as JSON (arrays of objects in any order). */
  error?: { code: string; message?: string; details?: unknown };
  /** Write cases: run on both sides after the case, pass or fail, so they agree again. */
  cleanup?: { call: (db: Db) => PromiseLike<Answer>; sql: string };
  todo?: string;
}

// --- read cases: users, profiles and todos are never changed -------------------------------

const READS: Case[] = [
  // The fixture as loaded through the tables API and bulk inserts.
  ...FIXTURE.filter((t) => t.name !== 'items').map((t): Case => ({
    name: `the fixture reads back: ${t.name}`,
    call: (db) => db.from(t.name).select('*').order('id'),
    sql: `SELECT * FROM ${t.name} ORDER BY id`,
    status: 200,
    ordered: true,
  })),

  // Filters.
  { name: 'eq on a boolean', call: (db) => db.from('todos').select('id, title').eq('done', true).order('id'), sql: 'SELECT id, title FROM todos WHERE done = true ORDER BY id', status: 200, ordered: true },
  { name: 'neq (nulls never match)', call: (db) => db.from('todos').select('id, priority').neq('priority', 1), sql: 'SELECT id, priority FROM todos WHERE priority <> 1', status: 200 },
  {
    name: 'gt and lte on timestamptz',
    call: (db) => db.from('todos').select('id, due_at').gt('due_at', '2024-04-01T08:30:00Z').lte('due_at', '2024-04-15T23:59:00+00:00'),
    sql: "SELECT id, due_at FROM todos WHERE due_at > '2024-04-01T08:30:00Z' AND due_at <= '2024-04-15T23:59:00+00:00'",
    status: 200,
  },
  { name: 'gte and lt on numeric', call: (db) => db.from('todos').select('id, estimate').gte('estimate', 1).lt('estimate', '3.25'), sql: 'SELECT id, estimate FROM todos WHERE estimate >= 1 AND estimate < 3.25', status: 200 },
  { name: 'like with the * wildcard', call: (db) => db.from('todos').select('id, title').like('title', 'buy*'), sql: "SELECT id, title FROM todos WHERE title LIKE 'buy%'", status: 200 },
  { name: 'like with a literal % in the pattern', call: (db) => db.from('todos').select('id, title').like('title', '100%*'), sql: "SELECT id, title FROM todos WHERE title LIKE '100%%'", status: 200 },
  { name: 'ilike', call: (db) => db.from('todos').select('id, title').ilike('title', '%TRIP%'), sql: "SELECT id, title FROM todos WHERE title ILIKE '%TRIP%'", status: 200 },
  { name: 'in with a value holding a comma', call: (db) => db.from('todos').select('id, title').in('title', ['write report, draft', 'call mom', 'nope']), sql: "SELECT id, title FROM todos WHERE title IN ('write report, draft', 'call mom', 'nope')", status: 200 },
  { name: 'in on ids', call: (db) => db.from('todos').select('id').in('id', [2, 4, 6, 99]), sql: 'SELECT id FROM todos WHERE id IN (2, 4, 6, 99)', status: 200 },
  { name: 'is null', call: (db) => db.from('todos').select('id').is('reviewer_id', null), sql: 'SELECT id FROM todos WHERE reviewer_id IS NULL', status: 200 },
  { name: 'is false', call: (db) => db.from('todos').select('id').is('done', false), sql: 'SELECT id FROM todos WHERE done IS FALSE', status: 200 },
  { name: 'not is null', call: (db) => db.from('todos').select('id, priority').not('priority', 'is', null), sql: 'SELECT id, priority FROM todos WHERE priority IS NOT NULL', status: 200 },
  { name: 'not in', call: (db) => db.from('todos').select('id').not('id', 'in', '(1,2,3)'), sql: 'SELECT id FROM todos WHERE NOT (id IN (1, 2, 3))', status: 200 },
  { name: 'not eq (a null is neither)', call: (db) => db.from('todos').select('id').not('priority', 'eq', 1), sql: 'SELECT id FROM todos WHERE NOT (priority = 1)', status: 200 },
  { name: 'or', call: (db) => db.from('todos').select('id').or('done.is.true,priority.gte.4'), sql: 'SELECT id FROM todos WHERE done IS TRUE OR priority >= 4', status: 200 },
  {
    name: 'and inside or',
    call: (db) => db.from('todos').select('id').or('and(done.eq.false,priority.lte.1),reviewer_id.is.null'),
    sql: 'SELECT id FROM todos WHERE (done = false AND priority <= 1) OR reviewer_id IS NULL',
    status: 200,
  },
  {
    name: 'or (with an array literal) next to a filter',
    call: (db) => db.from('todos').select('id').eq('owner_id', 1).or('priority.eq.1,tags.cs.{errand}'),
    sql: "SELECT id FROM todos WHERE owner_id = 1 AND (priority = 1 OR tags @> '{errand}')",
    status: 200,
  },
  {
    name: 'not.and inside or',
    call: (db) => db.from('todos').select('id').or('not.and(done.eq.false,priority.gte.2)'),
    sql: 'SELECT id FROM todos WHERE NOT (done = false AND priority >= 2)',
    status: 200,
  },
  { name: 'eq on a value with a comma and a dot', call: (db) => db.from('todos').select('id').eq('title', 'write report, draft'), sql: "SELECT id FROM todos WHERE title = 'write report, draft'", status: 200 },
  { name: 'in of an empty list matches nothing', call: (db) => db.from('todos').select('id').in('id', []), sql: 'SELECT id FROM todos WHERE false', status: 200 },
  { name: 'imatch (a regular expression)', call: (db) => db.from('todos').select('id').filter('title', 'imatch', '^(b|p)'), sql: "SELECT id FROM todos WHERE title ~* '^(b|p)'", status: 200 },
  { name: 'isdistinct (nulls count as distinct)', call: (db) => db.from('todos').select('id').filter('reviewer_id', 'isdistinct', 1), sql: 'SELECT id FROM todos WHERE reviewer_id IS DISTINCT FROM 1', status: 200 },
  { name: 'like(any)', call: (db) => db.from('todos').select('id').filter('title', 'like(any)', '{buy*,*PR}'), sql: "SELECT id FROM todos WHERE title LIKE ANY (ARRAY['buy%', '%PR'])", status: 200 },
  { name: 'match', call: (db) => db.from('todos').select('id').match({ done: false, owner_id: 2 }), sql: 'SELECT id FROM todos WHERE done = false AND owner_id = 2', status: 200 },
  { name: 'filter with a raw in list', call: (db) => db.from('todos').select('id').filter('priority', 'in', '(1,2)'), sql: 'SELECT id FROM todos WHERE priority IN (1, 2)', status: 200 },
  { name: 'contains on text[]', call: (db) => db.from('todos').select('id, tags').contains('tags', ['home']), sql: "SELECT id, tags FROM todos WHERE tags @> ARRAY['home']", status: 200 },
  {
    name: 'containedBy on text[] (the empty array is contained in any)',
    call: (db) => db.from('todos').select('id, tags').containedBy('tags', ['home', 'errand', 'garage']),
    sql: "SELECT id, tags FROM todos WHERE tags <@ ARRAY['home', 'errand', 'garage']",
    status: 200,
  },
  { name: 'overlaps on text[]', call: (db) => db.from('todos').select('id, tags').overlaps('tags', ['work', 'travel']), sql: "SELECT id, tags FROM todos WHERE tags && ARRAY['work', 'travel']", status: 200 },
  { name: 'eq on a whole array', call: (db) => db.from('todos').select('id').eq('tags', '{home}'), sql: "SELECT id FROM todos WHERE tags = '{home}'", status: 200 },
  { name: 'not contains', call: (db) => db.from('todos').select('id').not('tags', 'cs', '{home}'), sql: "SELECT id FROM todos WHERE NOT (tags @> '{home}')", status: 200 },
  { name: 'contains on jsonb', call: (db) => db.from('users').select('id, settings').contains('settings', { theme: 'dark' }), sql: `SELECT id, settings FROM users WHERE settings @> '{"theme":"dark"}'`, status: 200 },
  { name: 'eq on a bigint above 2^53 picks exactly that row', call: (db) => db.from('users').select('id, score').eq('score', '9007199254740993'), sql: 'SELECT id, score FROM users WHERE score = 9007199254740993', status: 200 },
  { name: 'gt on a bigint at 2^53', call: (db) => db.from('users').select('id, score').gt('score', '9007199254740992'), sql: 'SELECT id, score FROM users WHERE score > 9007199254740992', status: 200 },
  { name: 'eq on a numeric beyond a double', call: (db) => db.from('users').select('id, balance').eq('balance', '12345678901234567890.12'), sql: 'SELECT id, balance FROM users WHERE balance = 12345678901234567890.12', status: 200 },
  { name: 'lt on numeric', call: (db) => db.from('users').select('id, balance').lt('balance', 1), sql: 'SELECT id, balance FROM users WHERE balance < 1', status: 200 },
  { name: 'gte on timestamptz to the microsecond', call: (db) => db.from('users').select('id, created_at').gte('created_at', '2024-03-15T23:59:59.123456Z'), sql: "SELECT id, created_at FROM users WHERE created_at >= '2024-03-15T23:59:59.123456Z'", status: 200 },
  { name: 'eq on a text with a quote', call: (db) => db.from('users').select('id').eq('name', "o'neil"), sql: "SELECT id FROM users WHERE name = 'o''neil'", status: 200 },

  // Select lists.
  { name: 'columns in the order asked', call: (db) => db.from('todos').select('title, id').order('id').limit(3), sql: 'SELECT title, id FROM todos ORDER BY id LIMIT 3', status: 200, ordered: true },
  { name: 'aliases', call: (db) => db.from('todos').select('todo:title, number:id').order('id').limit(3), sql: 'SELECT title AS todo, id AS number FROM todos ORDER BY id LIMIT 3', status: 200, ordered: true },
  {
    name: 'casts keep the column name',
    call: (db) => db.from('todos').select('id::text, estimate::text, done::text, due_at::date').order('id'),
    // PostgREST orders by the table's column, not by the cast output of the same name.
    sql: 'SELECT id::text AS id, estimate::text AS estimate, done::text AS done, due_at::date AS due_at FROM todos ORDER BY todos.id',
    status: 200,
    ordered: true,
  },
  { name: 'alias and cast (a bigint as exact text)', call: (db) => db.from('users').select('who:name, big:score::text').order('id'), sql: 'SELECT name AS who, score::text AS big FROM users ORDER BY id', status: 200, ordered: true },

  // Embeds. todos has two FKs to users, so users and todos embed each other only with a hint.
  {
    name: 'many-to-one, hinted by the FK name',
    call: (db) => db.from('todos').select('id, owner:users!todos_owner_id_fkey(id, name)').order('id'),
    sql: 'SELECT t.id, (SELECT row_to_json(u) FROM (SELECT id, name FROM users WHERE id = t.owner_id) u) AS owner FROM todos t ORDER BY t.id',
    status: 200,
    ordered: true,
  },
  {
    name: 'many-to-one, hinted by the column: null where the FK is null',
    call: (db) => db.from('todos').select('id, reviewer:users!reviewer_id(name)').order('id'),
    sql: 'SELECT t.id, (SELECT row_to_json(u) FROM (SELECT name FROM users WHERE id = t.reviewer_id) u) AS reviewer FROM todos t ORDER BY t.id',
    status: 200,
    ordered: true,
  },
  {
    name: 'the same table embedded twice under two aliases',
    call: (db) => db.from('todos').select('id, owner:users!owner_id(name), reviewer:users!reviewer_id(name)').order('id'),
    sql: 'SELECT t.id, (SELECT row_to_json(u) FROM (SELECT name FROM users WHERE id = t.owner_id) u) AS owner, (SELECT row_to_json(u) FROM (SELECT name FROM users WHERE id = t.reviewer_id) u) AS reviewer FROM todos t ORDER BY t.id',
    status: 200,
    ordered: true,
  },
  {
    name: 'a filter on an !inner to-one embed (by its alias) filters the parents',
    call: (db) => db.from('todos').select('id, owner:users!owner_id!inner(name)').eq('owner.name', 'ann').order('id'),
    sql: "SELECT t.id, (SELECT row_to_json(u) FROM (SELECT name FROM users WHERE id = t.owner_id) u) AS owner FROM todos t WHERE EXISTS (SELECT 1 FROM users WHERE id = t.owner_id AND name = 'ann') ORDER BY t.id",
    status: 200,
    ordered: true,
  },
  {
    // PostgREST ≥ 11: `embed=not.is.null` on the top level keeps the rows whose embed is not null.
    name: 'null filtering on an embed (reviewer=not.is.null)',
    call: (db) => db.from('todos').select('id, reviewer:users!reviewer_id(name)').not('reviewer', 'is', null).order('id'),
    sql: 'SELECT t.id, (SELECT row_to_json(u) FROM (SELECT name FROM users WHERE id = t.reviewer_id) u) AS reviewer FROM todos t WHERE EXISTS (SELECT 1 FROM users WHERE id = t.reviewer_id) ORDER BY t.id',
    status: 200,
    ordered: true,
  },
  {
    name: 'many-to-one named by its FK column',
    call: (db) => db.from('todos').select('id, owner:owner_id(name, age)').order('id'),
    sql: 'SELECT t.id, (SELECT row_to_json(u) FROM (SELECT name, age FROM users WHERE id = t.owner_id) u) AS owner FROM todos t ORDER BY t.id',
    status: 200,
    ordered: true,
  },
  {
    name: 'one-to-many with a hint, ordered inside',
    call: (db) => db.from('users').select('id, name, todos!owner_id(id, title)').order('id').order('id', { referencedTable: 'todos' }),
    sql: "SELECT u.id, u.name, (SELECT coalesce(json_agg(x), '[]') FROM (SELECT id, title FROM todos WHERE owner_id = u.id ORDER BY id) x) AS todos FROM users u ORDER BY u.id",
    status: 200,
    ordered: true,
  },
  {
    name: 'one-to-many through the other FK (empty arrays)',
    call: (db) => db.from('users').select('name, reviewing:todos!todos_reviewer_id_fkey(id)').order('id').order('id', { referencedTable: 'reviewing' }),
    sql: "SELECT u.name, (SELECT coalesce(json_agg(x), '[]') FROM (SELECT id FROM todos WHERE reviewer_id = u.id ORDER BY id) x) AS reviewing FROM users u ORDER BY u.id",
    status: 200,
    ordered: true,
  },
  {
    name: 'one-to-one (the FK is unique): an object or null, not an array',
    call: (db) => db.from('users').select('name, profiles(bio, website)').order('id'),
    sql: 'SELECT u.name, (SELECT row_to_json(p) FROM (SELECT bio, website FROM profiles WHERE user_id = u.id) p) AS profiles FROM users u ORDER BY u.id',
    status: 200,
    ordered: true,
  },
  {
    name: 'one-to-one from the side holding the FK',
    call: (db) => db.from('profiles').select('bio, users(name, age)').order('id'),
    sql: 'SELECT p.bio, (SELECT row_to_json(u) FROM (SELECT name, age FROM users WHERE id = p.user_id) u) AS users FROM profiles p ORDER BY p.id',
    status: 200,
    ordered: true,
  },
  {
    name: 'an embedded * keeps bigint, numeric and jsonb exact',
    call: (db) => db.from('profiles').select('id, users(*)').order('id'),
    sql: 'SELECT p.id, (SELECT row_to_json(u) FROM (SELECT * FROM users WHERE id = p.user_id) u) AS users FROM profiles p ORDER BY p.id',
    status: 200,
    ordered: true,
  },
  {
    name: '!inner on one-to-one drops the parents without a match',
    call: (db) => db.from('users').select('name, profiles!inner(website)').order('id'),
    sql: 'SELECT u.name, (SELECT row_to_json(p) FROM (SELECT website FROM profiles WHERE user_id = u.id) p) AS profiles FROM users u WHERE EXISTS (SELECT 1 FROM profiles WHERE user_id = u.id) ORDER BY u.id',
    status: 200,
    ordered: true,
  },
  {
    name: '!inner with a filter on the embed filters the parents',
    call: (db) => db.from('users').select('name, profiles!inner(website)').not('profiles.website', 'is', null).order('id'),
    sql: 'SELECT u.name, (SELECT row_to_json(p) FROM (SELECT website FROM profiles WHERE user_id = u.id) p) AS profiles FROM users u WHERE EXISTS (SELECT 1 FROM profiles WHERE user_id = u.id AND website IS NOT NULL) ORDER BY u.id',
    status: 200,
    ordered: true,
  },
  {
    name: '!inner one-to-many with an embedded filter',
    call: (db) => db.from('users').select('name, todos!owner_id!inner(title)').eq('todos.done', true).order('id').order('id', { referencedTable: 'todos' }),
    sql: 'SELECT u.name, (SELECT json_agg(x) FROM (SELECT title FROM todos WHERE owner_id = u.id AND done ORDER BY id) x) AS todos FROM users u WHERE EXISTS (SELECT 1 FROM todos WHERE owner_id = u.id AND done) ORDER BY u.id',
    status: 200,
    ordered: true,
  },
  {
    name: 'an embedded filter without !inner keeps every parent',
    call: (db) => db.from('users').select('name, todos!owner_id(title)').eq('todos.done', true).order('id').order('id', { referencedTable: 'todos' }),
    sql: "SELECT u.name, (SELECT coalesce(json_agg(x), '[]') FROM (SELECT title FROM todos WHERE owner_id = u.id AND done ORDER BY id) x) AS todos FROM users u ORDER BY u.id",
    status: 200,
    ordered: true,
  },
  {
    name: 'embedded order (desc, nulls last, then id) and limit',
    call: (db) => db.from('users').select('name, todos!owner_id(id, priority)').order('id')
      .order('priority', { referencedTable: 'todos', ascending: false, nullsFirst: false }).order('id', { referencedTable: 'todos' }).limit(1, { referencedTable: 'todos' }),
    sql: "SELECT u.name, (SELECT coalesce(json_agg(x), '[]') FROM (SELECT id, priority FROM todos WHERE owner_id = u.id ORDER BY priority DESC NULLS LAST, id LIMIT 1) x) AS todos FROM users u ORDER BY u.id",
    status: 200,
    ordered: true,
  },
  {
    name: 'embedded range (offset and limit)',
    call: (db) => db.from('users').select('name, todos!owner_id(id)').order('id').order('id', { referencedTable: 'todos' }).range(1, 1, { referencedTable: 'todos' }),
    sql: "SELECT u.name, (SELECT coalesce(json_agg(x), '[]') FROM (SELECT id FROM todos WHERE owner_id = u.id ORDER BY id LIMIT 1 OFFSET 1) x) AS todos FROM users u ORDER BY u.id",
    status: 200,
    ordered: true,
  },
  {
    name: 'embedded or',
    call: (db) => db.from('users').select('name, todos!owner_id(id)').or('priority.eq.1,done.eq.true', { referencedTable: 'todos' }).order('id').order('id', { referencedTable: 'todos' }),
    sql: "SELECT u.name, (SELECT coalesce(json_agg(x), '[]') FROM (SELECT id FROM todos WHERE owner_id = u.id AND (priority = 1 OR done = true) ORDER BY id) x) AS todos FROM users u ORDER BY u.id",
    status: 200,
    ordered: true,
  },
  {
    name: "an aliased embed's filters and order go by the alias",
    call: (db) => db.from('users').select('name, open:todos!owner_id(id)').eq('open.done', false).order('id').order('id', { referencedTable: 'open', ascending: false }),
    sql: "SELECT u.name, (SELECT coalesce(json_agg(x), '[]') FROM (SELECT id FROM todos WHERE owner_id = u.id AND NOT done ORDER BY id DESC) x) AS open FROM users u ORDER BY u.id",
    status: 200,
    ordered: true,
  },
  {
    name: 'a spread to-one embed flattens its columns',
    call: (db) => db.from('todos').select('id, ...users!owner_id(owner_name:name, age)').order('id'),
    sql: 'SELECT t.id, u.name AS owner_name, u.age FROM todos t LEFT JOIN users u ON u.id = t.owner_id ORDER BY t.id',
    status: 200,
    ordered: true,
  },
  {
    name: 'nested embeds (to-one in to-one)',
    call: (db) => db.from('todos').select('title, owner:users!owner_id(name, profiles(bio))').order('id'),
    sql: 'SELECT t.title, (SELECT row_to_json(u) FROM (SELECT name, (SELECT row_to_json(p) FROM (SELECT bio FROM profiles WHERE user_id = users.id) p) AS profiles FROM users WHERE id = t.owner_id) u) AS owner FROM todos t ORDER BY t.id',
    status: 200,
    ordered: true,
  },

  // Order.
  { name: 'order desc: nulls first, as in PostgreSQL', call: (db) => db.from('todos').select('id, priority').order('priority', { ascending: false }).order('id'), sql: 'SELECT id, priority FROM todos ORDER BY priority DESC, id', status: 200, ordered: true },
  { name: 'order asc with nullsFirst', call: (db) => db.from('todos').select('id, priority').order('priority', { ascending: true, nullsFirst: true }).order('id'), sql: 'SELECT id, priority FROM todos ORDER BY priority ASC NULLS FIRST, id', status: 200, ordered: true },
  { name: 'order desc with nulls last on timestamptz', call: (db) => db.from('todos').select('id, due_at').order('due_at', { ascending: false, nullsFirst: false }).order('id'), sql: 'SELECT id, due_at FROM todos ORDER BY due_at DESC NULLS LAST, id', status: 200, ordered: true },

  // Pages.
  { name: 'range', call: (db) => db.from('todos').select('id').order('id').range(2, 4), sql: 'SELECT id FROM todos ORDER BY id LIMIT 3 OFFSET 2', status: 200, ordered: true },
  { name: 'limit', call: (db) => db.from('todos').select('id').order('id', { ascending: false }).limit(3), sql: 'SELECT id FROM todos ORDER BY id DESC LIMIT 3', status: 200, ordered: true },
  { name: 'a range past the end without a count: 200 and no rows', call: (db) => db.from('todos').select('id').order('id').range(20, 29), sql: 'SELECT id FROM todos ORDER BY id LIMIT 10 OFFSET 20', status: 200, ordered: true },

  // Counts.
  { name: 'count exact on a partial page: 206', call: (db) => db.from('todos').select('id', { count: 'exact' }).order('id').range(0, 2), sql: 'SELECT id FROM todos ORDER BY id LIMIT 3', status: 206, ordered: true, count: { sql: 'SELECT count(*) FROM todos' } },
  { name: 'count exact with every row on the page: 200', call: (db) => db.from('todos').select('id', { count: 'exact' }).eq('done', true), sql: 'SELECT id FROM todos WHERE done', status: 200, count: { sql: 'SELECT count(*) FROM todos WHERE done' } },
  {
    name: 'count exact with !inner counts the parents that match',
    call: (db) => db.from('users').select('name, todos!owner_id!inner(id)', { count: 'exact' }).eq('todos.done', true).order('id').limit(1),
    sql: 'SELECT u.name, (SELECT json_agg(x) FROM (SELECT id FROM todos WHERE owner_id = u.id AND done ORDER BY id) x) AS todos FROM users u WHERE EXISTS (SELECT 1 FROM todos WHERE owner_id = u.id AND done) ORDER BY u.id LIMIT 1',
    status: 206,
    ordered: true,
    count: { sql: 'SELECT count(*) FROM users u WHERE EXISTS (SELECT 1 FROM todos WHERE owner_id = u.id AND done)' },
  },
  { name: 'count exact of no rows: 200, count 0', call: (db) => db.from('todos').select('id', { count: 'exact' }).eq('id', 999), sql: 'SELECT id FROM todos WHERE id = 999', status: 200, count: 0 },
  { name: 'head with count exact: no data, the count', call: (db) => db.from('todos').select('*', { count: 'exact', head: true }).eq('owner_id', 1), status: 200, noData: true, count: { sql: 'SELECT count(*) FROM todos WHERE owner_id = 1' } },
  // A planned count is the planner's estimate: only its being a number is PostgREST's contract.
  { name: 'head with count planned: a number', call: (db) => db.from('todos').select('*', { count: 'planned', head: true }), status: 200, noData: true, count: 'estimate' },
  { name: 'count planned next to rows', call: (db) => db.from('todos').select('id', { count: 'planned' }).order('id').limit(2), sql: 'SELECT id FROM todos ORDER BY id LIMIT 2', status: 200, ordered: true, count: 'estimate' },

  // One row.
  { name: 'single(): the object', call: (db) => db.from('todos').select('id, title, tags').eq('id', 2).single(), sql: 'SELECT id, title, tags FROM todos WHERE id = 2', status: 200, single: true },
  { name: 'maybeSingle(): the object', call: (db) => db.from('todos').select('id, title').eq('id', 3).maybeSingle(), sql: 'SELECT id, title FROM todos WHERE id = 3', status: 200, single: true },
  { name: 'maybeSingle() of no row: null', call: (db) => db.from('todos').select('id, title').eq('id', 999).maybeSingle(), sql: 'SELECT id, title FROM todos WHERE id = 999', status: 200, single: true },
  {
    name: 'single() of 4 rows: 406 PGRST116',
    call: (db) => db.from('todos').select('id').eq('done', true).single(),
    status: 406,
    error: { code: 'PGRST116', message: 'Cannot coerce the result to a single JSON object', details: 'The result contains 4 rows' },
  },
  { name: 'single() of no row: 406 PGRST116', call: (db) => db.from('todos').select('id').eq('id', 999).single(), status: 406, error: { code: 'PGRST116', details: 'The result contains 0 rows' } },
  // maybeSingle() counts on the client: the server must answer the plain array.
  { name: "maybeSingle() of 4 rows: the client's 406 PGRST116", call: (db) => db.from('todos').select('id').eq('done', true).maybeSingle(), status: 406, error: { code: 'PGRST116' } },

  // Read errors.
  {
    name: 'an ambiguous embed (two FKs): 300 PGRST201, the candidates in details',
    call: (db) => db.from('todos').select('id, users(name)'),
    status: 300,
    error: {
      code: 'PGRST201',
      message: "Could not embed because more than one relationship was found for 'todos' and 'users'",
      details: [
        { cardinality: 'many-to-one', embedding: 'todos with users', relationship: 'todos_owner_id_fkey using todos(owner_id) and users(id)' },
        { cardinality: 'many-to-one', embedding: 'todos with users', relationship: 'todos_reviewer_id_fkey using todos(reviewer_id) and users(id)' },
      ],
    },
  },
  {
    name: 'an ambiguous embed from the other side: 300 PGRST201',
    call: (db) => db.from('users').select('name, todos(title)'),
    status: 300,
    error: {
      code: 'PGRST201',
      details: [
        { cardinality: 'one-to-many', embedding: 'users with todos', relationship: 'todos_owner_id_fkey using users(id) and todos(owner_id)' },
        { cardinality: 'one-to-many', embedding: 'users with todos', relationship: 'todos_reviewer_id_fkey using users(id) and todos(reviewer_id)' },
      ],
    },
  },
  {
    name: 'an embed without a relationship: 400 PGRST200',
    call: (db) => db.from('todos').select('id, profiles(bio)'),
    status: 400,
    error: { code: 'PGRST200', message: "Could not find a relationship between 'todos' and 'profiles' in the schema cache" },
  },
  // The SQL names the column as PostgREST's query does (table-qualified), hence the same message.
  { name: 'an unknown column in select: 400 42703', call: (db) => db.from('todos').select('id, nope'), sql: 'SELECT todos.id, todos.nope FROM todos', status: 400, error: { code: '42703' } },
  { name: 'an unknown column in a filter: 400 42703', call: (db) => db.from('todos').select('id').eq('nope', 1), sql: 'SELECT todos.id FROM todos WHERE todos.nope = 1', status: 400, error: { code: '42703' } },
  { name: 'an unknown table: 404 PGRST205', call: (db) => db.from('nope').select(), status: 404, error: { code: 'PGRST205', message: "Could not find the table 'public.nope' in the schema cache" } },
  { name: 'a bad value for a bigint: 400 22P02', call: (db) => db.from('todos').select('id').eq('id', 'abc'), sql: "SELECT id FROM todos WHERE id = 'abc'", status: 400, error: { code: '22P02' } },
  { name: 'a bad value for a timestamptz: 400 22007', call: (db) => db.from('todos').select('id').gt('due_at', 'not a date'), sql: "SELECT id FROM todos WHERE due_at > 'not a date'", status: 400, error: { code: '22007' } },
];

// --- write cases: only `items`, in this order, each also run on psql -----------------------

const bulk: Row[] = [{ sku: 'f', qty: 6, label: 'six' }, { sku: 'g', qty: 7 }];
const withDefaults: Row[] = [{ sku: 'h', qty: 8 }, { sku: 'i', label: 'nine' }];
const mixedKeys: Row[] = [{ sku: 'm1', qty: 1 }, { sku: 'm2', label: 'L' }, { sku: 'm3', qty: 3 }];
const merge: Row[] = [{ sku: 'a', qty: 10 }, { sku: 'j', qty: 11 }];
const ignore: Row[] = [{ sku: 'b', qty: 99 }, { sku: 'k', qty: 12 }];

const WRITES: Case[] = [
  // A single object's keys are the columns, so the absent ones take their defaults.
  { name: 'insert one object, return=minimal: 201, no body', call: (db) => db.from('items').insert({ sku: 'd', qty: 4 }), sql: insertSql('items', [{ sku: 'd', qty: 4 }]), status: 201, noData: true },
  { name: 'insert one object with .select(): the stored row', call: (db) => db.from('items').insert({ sku: 'e', owner_id: 2 }).select(), sql: insertSql('items', [{ sku: 'e', owner_id: 2 }], { returning: '*' }), status: 201 },
  {
    name: 'bulk insert with a count: a key a row lacks is NULL',
    call: (db) => db.from('items').insert(bulk, { count: 'exact' }).select('id, sku, label'),
    sql: insertSql('items', bulk, { returning: 'id, sku, label' }),
    status: 201,
    ordered: true,
    count: 2,
  },
  {
    name: 'bulk insert with defaultToNull: false: a key a row lacks takes the default',
    call: (db) => db.from('items').insert(withDefaults, { defaultToNull: false }).select('sku, qty, label, price'),
    sql: insertSql('items', withDefaults, { missing: 'default', returning: 'sku, qty, label, price' }),
    status: 201,
    ordered: true,
  },
  {
    name: 'defaultToNull: false keeps the rows in array order (ids and answer)',
    call: (db) => db.from('items').insert(mixedKeys, { defaultToNull: false }).select('id, sku, qty, label'),
    sql: insertSql('items', mixedKeys, { missing: 'default', returning: 'id, sku, qty, label' }),
    status: 201,
    ordered: true,
    cleanup: { call: (db) => db.from('items').delete().like('sku', 'm_'), sql: "DELETE FROM items WHERE sku LIKE 'm_'" },
  },
  {
    name: 'upsert (merge) on a unique column: updates one, inserts one: 201',
    call: (db) => db.from('items').upsert(merge, { onConflict: 'sku' }).select('sku, qty, label'),
    sql: insertSql('items', merge, { onConflict: '(sku) DO UPDATE SET sku = EXCLUDED.sku, qty = EXCLUDED.qty', returning: 'sku, qty, label' }),
    status: 201,
  },
  {
    name: 'upsert (merge) that only updates: 200, with a count',
    call: (db) => db.from('items').upsert({ sku: 'b', qty: 20 }, { onConflict: 'sku', count: 'exact' }).select('sku, qty'),
    sql: insertSql('items', [{ sku: 'b', qty: 20 }], { onConflict: '(sku) DO UPDATE SET sku = EXCLUDED.sku, qty = EXCLUDED.qty', returning: 'sku, qty' }),
    status: 200,
    count: 1,
  },
  {
    name: 'upsert with ignoreDuplicates: only the new row comes back',
    call: (db) => db.from('items').upsert(ignore, { onConflict: 'sku', ignoreDuplicates: true }).select('sku, qty'),
    sql: insertSql('items', ignore, { onConflict: '(sku) DO NOTHING', returning: 'sku, qty' }),
    status: 201,
  },
  {
    name: 'upsert without onConflict goes by the primary key',
    call: (db) => db.from('items').upsert({ id: 1, sku: 'a', qty: 5 }).select('id, sku, qty'),
    sql: insertSql('items', [{ id: 1, sku: 'a', qty: 5 }], { onConflict: '(id) DO UPDATE SET id = EXCLUDED.id, sku = EXCLUDED.sku, qty = EXCLUDED.qty', returning: 'id, sku, qty' }),
    status: 200,
  },
  { name: 'insert .select().single(): the object', call: (db) => db.from('items').insert({ sku: 'l', qty: 5 }).select('sku, qty, label').single(), sql: insertSql('items', [{ sku: 'l', qty: 5 }], { returning: 'sku, qty, label' }), status: 201, single: true },
  { name: 'update with .select()', call: (db) => db.from('items').update({ label: 'upd' }).eq('sku', 'c').select('sku, label'), sql: "UPDATE items SET label = 'upd' WHERE sku = 'c' RETURNING sku, label", status: 200 },
  { name: 'update filtered by or', call: (db) => db.from('items').update({ label: 'either' }).or('sku.eq.c,qty.gt.100').select('sku, label'), sql: "UPDATE items SET label = 'either' WHERE sku = 'c' OR qty > 100 RETURNING sku, label", status: 200 },
  { name: 'update with a count, return=minimal: 204 and the count', call: (db) => db.from('items').update({ qty: 0 }, { count: 'exact' }).in('sku', ['d', 'e']), sql: "UPDATE items SET qty = 0 WHERE sku IN ('d', 'e')", status: 204, noData: true, count: 2 },
  {
    name: 'update returning an embed',
    call: (db) => db.from('items').update({ qty: 3 }).eq('sku', 'e').select('sku, qty, owner:users(name)'),
    sql: "UPDATE items SET qty = 3 WHERE sku = 'e' RETURNING sku, qty, (SELECT row_to_json(u) FROM (SELECT name FROM users WHERE id = items.owner_id) u) AS owner",
    status: 200,
  },
  { name: 'update matching nothing: 200 and no rows', call: (db) => db.from('items').update({ label: 'x' }).eq('sku', 'nope').select(), sql: "UPDATE items SET label = 'x' WHERE sku = 'nope' RETURNING *", status: 200 },
  { name: 'update .single() of one row: the object', call: (db) => db.from('items').update({ label: 'one' }).eq('sku', 'f').select('sku, label').single(), sql: "UPDATE items SET label = 'one' WHERE sku = 'f' RETURNING sku, label", status: 200, single: true },
  { name: 'delete .single() of two rows: 406 PGRST116, rolled back', call: (db) => db.from('items').delete().in('sku', ['f', 'g']).select().single(), status: 406, error: { code: 'PGRST116', details: 'The result contains 2 rows' } },
  { name: 'delete with .select() and a count', call: (db) => db.from('items').delete({ count: 'exact' }).eq('sku', 'k').select('sku'), sql: "DELETE FROM items WHERE sku = 'k' RETURNING sku", status: 200, count: 1 },
  { name: 'delete, return=minimal: 204', call: (db) => db.from('items').delete().in('sku', ['h', 'i']), sql: "DELETE FROM items WHERE sku IN ('h', 'i')", status: 204, noData: true },
  { name: 'update without a filter: 400 21000, nothing changed', call: (db) => db.from('items').update({ label: 'all' }), status: 400, error: { code: '21000', message: 'UPDATE requires a WHERE clause' } },
  { name: 'delete without a filter: 400 21000, nothing changed', call: (db) => db.from('items').delete(), status: 400, error: { code: '21000', message: 'DELETE requires a WHERE clause' } },
  // Not-null is 422 here where PostgREST answers 400: a deliberate choice (docs/design/data-apis.md §1.3).
  { name: 'a unique violation: 409 23505', call: (db) => db.from('items').insert({ sku: 'a', qty: 1 }), sql: insertSql('items', [{ sku: 'a', qty: 1 }]), status: 409, error: { code: '23505' } },
  { name: 'a foreign key violation: 409 23503', call: (db) => db.from('items').insert({ sku: 'x', owner_id: 999 }), sql: insertSql('items', [{ sku: 'x', owner_id: 999 }]), status: 409, error: { code: '23503' } },
  { name: 'a not-null violation: 422 23502', call: (db) => db.from('items').insert({ sku: 'y', qty: null }), sql: insertSql('items', [{ sku: 'y', qty: null }]), status: 422, error: { code: '23502' } },
  { name: 'a bad value for a bigint: 400 22P02', call: (db) => db.from('items').insert({ sku: 'z', big: 'abc' }), sql: insertSql('items', [{ sku: 'z', big: 'abc' }]), status: 400, error: { code: '22P02' } },
  { name: 'an unknown column in the body: 400 PGRST204', call: (db) => db.from('items').insert({ sku: 'q', nope: 1 }), status: 400, error: { code: 'PGRST204', message: "Could not find the 'nope' column of 'items' in the schema cache" } },
  {
    name: 'insert returning nested embeds',
    call: (db) => db.from('items').insert({ sku: 'n', owner_id: 4 }).select('sku, owner:users(name, profiles(bio))'),
    sql: insertSql('items', [{ sku: 'n', owner_id: 4 }], { returning: 'sku, (SELECT row_to_json(u) FROM (SELECT name, (SELECT row_to_json(p) FROM (SELECT bio FROM profiles WHERE user_id = users.id) p) AS profiles FROM users WHERE id = items.owner_id) u) AS owner' }),
    status: 201,
  },
  { name: 'a bigint above 2^53 sent as a BigInt (a JSON string) is stored exactly', call: (db) => db.from('items').insert({ sku: 'big', big: 9007199254740993n }).select('sku, big'), sql: insertSql('items', [{ sku: 'big', big: 9007199254740993n }], { returning: 'sku, big' }), status: 201 },
  {
    name: 'a bigint above 2^53 sent as a JSON number is stored exactly',
    call: (db) => db.from('items').insert({ sku: 'raw', big: rawJson('9007199254740993') }).select('sku, big'),
    sql: insertSql('items', [{ sku: 'raw', big: rawJson('9007199254740993') }], { returning: 'sku, big' }),
    status: 201,
    cleanup: { call: (db) => db.from('items').delete().eq('sku', 'raw'), sql: "DELETE FROM items WHERE sku = 'raw'" },
  },
  // Last: where Slipstream fails before PostgreSQL does, psql's failed insert still takes an id
  // from the sequence, and any later insert would then be numbered differently on the two sides.
  {
    name: 'insert of an empty array: 201, no rows',
    call: (db) => db.from('items').insert([]).select(),
    sql: 'SELECT * FROM items WHERE false',
    status: 201,
  },
  {
    name: 'insert of an empty object: a row of defaults (here 422 23502: sku has none)',
    call: (db) => db.from('items').insert({}),
    sql: 'INSERT INTO items DEFAULT VALUES',
    status: 422,
    error: { code: '23502' },
  },
];

// --- raw HTTP: what postgrest-js never sends -----------------------------------------------

interface Http {
  status: number;
  headers: Record<string, unknown>;
  body: any;
}

interface RawContext {
  /** A request to `…/rows/<path>` with the bearer token. */
  rows(method: 'GET' | 'POST' | 'PATCH', path: string, headers?: Record<string, string>, body?: unknown): Promise<Http>;
  /** `GET /v1/postgres/:ws/tables`. */
  tables(): Promise<Http>;
  /** psql's rows for `sql`, parsed. */
  expected(sql: string): unknown;
  ref: Reference;
  sameItems(): Promise<void>;
}

interface RawCase {
  name: string;
  run(ctx: RawContext): Promise<void>;
  todo?: string;
}

/** Each column of `table` as the tables API describes one, from psql's catalog. */
const catalogColumns = (table: string) => `SELECT json_build_object(
    'name', a.attname,
    'type', format_type(a.atttypid, a.atttypmod),
    'nullable', NOT a.attnotnull,
    'primaryKey', EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = a.attrelid AND c.contype = 'p' AND a.attnum = ANY (c.conkey)),
    'unique', EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = a.attrelid AND c.contype = 'u' AND c.conkey = ARRAY[a.attnum]),
    'references', (SELECT json_build_object('table', fc.relname, 'column', fa.attname,
                          'onDelete', CASE c.confdeltype WHEN 'a' THEN 'no action' WHEN 'r' THEN 'restrict' WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null' ELSE 'set default' END)
                     FROM pg_constraint c JOIN pg_class fc ON fc.oid = c.confrelid JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
                    WHERE c.conrelid = a.attrelid AND c.contype = 'f' AND c.conkey = ARRAY[a.attnum])) AS c
  FROM pg_attribute a WHERE a.attrelid = 'public.${table}'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;

const RAW: RawCase[] = [
  {
    name: 'the tables API made the tables psql made from the same description',
    async run({ tables, ref }) {
      const r = await tables();
      assert.equal(r.status, 200);
      const made = r.body.items as { name: string; columns: Record<string, unknown>[] }[];
      assert.deepEqual(made.map((t) => t.name), FIXTURE.map((t) => t.name).sort());
      for (const table of made) {
        const columns = table.columns.map(({ name, type, nullable, primaryKey, unique, references }) => ({ name, type, nullable, primaryKey, unique, references }));
        assert.deepEqual(columns, JSON.parse(ref.rows(catalogColumns(table.name))).map((row: { c: unknown }) => row.c), table.name);
      }
    },
  },
  {
    name: 'Range: 0-1 → 200, Content-Range 0-1/*',
    async run({ rows, expected }) {
      const r = await rows('GET', 'todos?select=id&order=id', { range: '0-1' });
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-range'], '0-1/*');
      assert.deepEqual(r.body, expected('SELECT id FROM todos ORDER BY id LIMIT 2'));
    },
  },
  {
    name: 'Range: 0-1 with Prefer: count=exact → 206, Content-Range 0-1/<total>',
    async run({ rows, expected, ref }) {
      const r = await rows('GET', 'todos?select=id&order=id', { range: '0-1', prefer: 'count=exact' });
      assert.equal(r.status, 206);
      assert.equal(r.headers['content-range'], `0-1/${ref.count('SELECT count(*) FROM todos')}`);
      assert.deepEqual(r.body, expected('SELECT id FROM todos ORDER BY id LIMIT 2'));
    },
  },
  {
    name: 'an offset beyond the total with a count → 416 PGRST103 (query string and Range)',
    async run({ rows, ref }) {
      const total = ref.count('SELECT count(*) FROM todos');
      for (const [path, headers] of [['todos?select=id&offset=50', { prefer: 'count=exact' }], ['todos?select=id', { prefer: 'count=exact', range: '50-59' }]] as const) {
        const r = await rows('GET', path, headers);
        assert.equal(r.status, 416, path);
        assert.equal(r.body.code, 'PGRST103');
        assert.equal(r.body.message, 'Requested range not satisfiable');
        assert.equal(r.body.details, `An offset of 50 was requested, but there are only ${total} rows.`);
      }
    },
  },
  {
    // PostgREST's rangeStatusHeader: 416 only when the offset is past the total; at it, an empty 206.
    name: 'an offset equal to the total with a count → 206, Content-Range */<total>',
    async run({ rows, ref }) {
      const total = ref.count('SELECT count(*) FROM todos');
      const r = await rows('GET', `todos?select=id&offset=${total}`, { prefer: 'count=exact' });
      assert.equal(r.status, 206);
      assert.equal(r.headers['content-range'], `*/${total}`);
      assert.deepEqual(r.body, []);
    },
  },
  {
    name: 'Prefer: timezone=America/New_York: timestamptz in that zone, and applied',
    async run({ rows, ref }) {
      const r = await rows('GET', 'todos?select=id,due_at&id=in.(1,6)&order=id', { prefer: 'timezone=America/New_York' });
      assert.equal(r.status, 200);
      assert.equal(r.headers['preference-applied'], 'timezone=America/New_York');
      assert.deepEqual(r.body, JSON.parse(ref.run("SET TIME ZONE 'America/New_York'; SELECT coalesce(json_agg(t), '[]') FROM (SELECT id, due_at FROM todos WHERE id IN (1, 6) ORDER BY id) t")));
    },
  },
  {
    // PostgREST only applies a timezone PostgreSQL knows (pg_timezone_names); another is ignored.
    name: 'Prefer: timezone=<unknown> is ignored: 200, UTC, not applied',
    async run({ rows, expected }) {
      const r = await rows('GET', 'todos?select=id,due_at&id=eq.1', { prefer: 'timezone=Nowhere/Land' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.headers['preference-applied'], undefined);
      assert.deepEqual(r.body, expected('SELECT id, due_at FROM todos WHERE id = 1'));
    },
  },
  {
    name: 'Accept-Profile: other → 406 PGRST106; public is fine',
    async run({ rows }) {
      const r = await rows('GET', 'todos?select=id', { 'accept-profile': 'other' });
      assert.equal(r.status, 406);
      assert.equal(r.body.code, 'PGRST106');
      assert.equal(r.body.message, 'Invalid schema: other');
      assert.equal((await rows('GET', 'todos?select=id', { 'accept-profile': 'public' })).status, 200);
    },
  },
  {
    name: 'Content-Profile: other on a POST → 406 PGRST106, nothing inserted',
    async run({ rows, sameItems }) {
      const r = await rows('POST', 'items', { 'content-profile': 'other' }, { sku: 'profile', qty: 1 });
      assert.equal(r.status, 406);
      assert.equal(r.body.code, 'PGRST106');
      await sameItems();
    },
  },
  {
    name: 'PATCH with handling=strict, max-affected=1 matching 2 rows → 400 PGRST124, nothing changed',
    async run({ rows, sameItems }) {
      const r = await rows('PATCH', 'items?sku=in.(a,b)', { prefer: 'return=representation, handling=strict, max-affected=1' }, { label: 'max' });
      assert.equal(r.status, 400);
      assert.equal(r.body.code, 'PGRST124');
      assert.equal(r.body.message, 'Query result exceeds max-affected preference constraint');
      assert.equal(r.body.details, 'The query affects 2 rows');
      await sameItems();
    },
  },
  {
    name: 'max-affected without handling=strict is ignored',
    async run({ rows, ref, sameItems }) {
      const r = await rows('PATCH', 'items?sku=in.(a,b)&select=sku,label', { prefer: 'return=representation, max-affected=1' }, { label: 'lenient' });
      assert.equal(r.status, 200);
      assert.deepEqual(sortRows(r.body), sortRows(JSON.parse(ref.rows("UPDATE items SET label = 'lenient' WHERE sku IN ('a', 'b') RETURNING sku, label"))));
      await sameItems();
    },
  },
  {
    name: 'PATCH with a count: 204, Content-Range 0-1/2',
    async run({ rows, ref, sameItems }) {
      const r = await rows('PATCH', 'items?sku=in.(a,b)', { prefer: 'count=exact' }, { qty: 42 });
      ref.run("UPDATE items SET qty = 42 WHERE sku IN ('a', 'b')");
      assert.equal(r.status, 204);
      assert.equal(r.headers['content-range'], '0-1/2');
      await sameItems();
    },
  },
];

// --- machinery -----------------------------------------------------------------------------

const PSQL = process.env.SLIPSTREAM_TEST_PSQL;
const missing = [['SLIPSTREAM_TEST_PSQL', PSQL], ['SLIPSTREAM_TEST_DATABASE_URL', process.env.SLIPSTREAM_TEST_DATABASE_URL]].filter(([, v]) => !v).map(([k]) => k);
if (missing.length > 0 && process.env.CI) throw new Error(`CI is set but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not: postgrest-js would go unchecked against psql (run npm test)`);
const skip = missing.length > 0 ? `${missing.join(' and ')} not set: run bash scripts/test.sh test/data/postgrest-js.test.ts` : false;

/** A number whose JSON text a double does not reproduce (2^53 + 1, 12.50): kept as that text. */
class ExactNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** JSON.parse keeping every number exact (Node ≥ 21 gives a reviver the source text). */
function exact(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && context?.source !== undefined && String(value) !== context.source ? new ExactNumber(context.source) : value);
}

/** Rows in a canonical order, recursively (for answers whose order is not asked for). */
function sortRows(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(sortRows);
    return items.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))
      ? items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
      : items;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof ExactNumber)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sortRows(v)]));
  }
  return value;
}

/** The reference: psql on a real PostgreSQL (session time zone UTC, as Slipstream's). */
interface Reference {
  run(sql: string): string;
  /** The JSON text of the rows `sql` gives (a write: its RETURNING rows). */
  rows(sql: string): string;
  count(sql: string): number;
  /** The SQLSTATE and message `sql` fails with. */
  failure(sql: string): { code: string; message: string };
}

function reference(url: string): Reference {
  const run = (sql: string) => execFileSync(PSQL!, ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=verbose', '-d', url, '-c', sql], {
    encoding: 'utf8',
    env: { ...process.env, PGTZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return {
    run,
    rows: (sql) => (/^\s*(insert|update|delete)\b/i.test(sql)
      // Data-modifying statements may only sit in WITH.
      ? run(`WITH t AS (${sql}) SELECT coalesce(json_agg(t), '[]') FROM t`)
      : run(`SELECT coalesce(json_agg(t), '[]') FROM (${sql}) t`)).trim(),
    count: (sql) => Number(run(sql).trim()),
    failure(sql) {
      try {
        run(sql);
      } catch (error) {
        const match = /^ERROR:\s+([0-9A-Z]{5}): (.*)$/m.exec(String((error as { stderr?: string }).stderr));
        if (match) return { code: match[1]!, message: match[2]! };
        throw error;
      }
      throw new Error(`psql ran without an error: ${sql}`);
    },
  };
}

interface Suite {
  db: Db;
  ref: Reference;
  /** The body of the last answer postgrest-js received, as sent. */
  lastBody(): string;
}

async function check(c: Case, s: Suite): Promise<void> {
  const answer = await c.call(s.db);
  const shown = `status ${answer.status}, error ${JSON.stringify(answer.error)}`;
  if (c.error) {
    assert.equal(answer.status, c.status, shown);
    assert.equal(answer.error?.code, c.error.code, shown);
    if (c.error.message !== undefined) assert.equal(answer.error?.message, c.error.message);
    if (c.error.details !== undefined) assert.deepEqual(sortRows(answer.error?.details), sortRows(c.error.details));
    if (c.sql !== undefined) assert.deepEqual({ code: answer.error?.code, message: answer.error?.message }, s.ref.failure(c.sql), 'the error psql answers for the same SQL');
    return;
  }
  assert.equal(answer.error, null, shown);
  // With a planned count PostgREST's status compares the estimate with the page (206 when it is
  // above); Slipstream answers 200. Only the count's being a number is checked then.
  if (c.count !== 'estimate') assert.equal(answer.status, c.status);
  if (c.noData) {
    if (c.sql !== undefined) s.ref.run(c.sql);
    assert.equal(answer.data, null);
  } else {
    const text = s.ref.rows(c.sql!);
    const pick = (rows: unknown) => {
      if (!c.single || !Array.isArray(rows)) return rows;
      assert.ok(rows.length <= 1, `a single() case whose SQL gives ${rows.length} rows`);
      return rows[0] ?? null;
    };
    const order = c.ordered ? (v: unknown) => v : sortRows;
    assert.deepEqual(order(answer.data), order(pick(JSON.parse(text))), 'data as postgrest-js hands it over');
    assert.deepEqual(order(pick(exact(s.lastBody()))), order(pick(exact(text))), 'the body, every number exact');
  }
  if (c.count === 'estimate') assert.ok(Number.isInteger(answer.count), `count ${answer.count} is a number`);
  else if (typeof c.count === 'number') assert.equal(answer.count, c.count);
  else if (c.count) assert.equal(answer.count, s.ref.count(c.count.sql));
}

for (const kind of dataEngineKinds()) {
  describe(`postgrest-js against Slipstream on ${kind.kind}, compared with psql`, { skip }, () => {
    const cleanups: (() => unknown)[] = [];
    const scope: Cleanup = { after: (fn) => void cleanups.push(fn) };
    let platform: TestPlatform;
    let token = '';
    let rowsUrl = '';
    let body = '';
    let suite: Suite;

    before(async () => {
      const data = await kind.open(scope);
      platform = await startTestPlatform(storeKinds()[0]!, scope, { listen: true, data, accessTokenTtlSeconds: 3600 });
      const { call, admin } = v1(platform);
      token = (await admin()).access_token;
      const workspace = await call('POST', '/v1/workspaces', { token, body: { slug: 'postgrest-js', displayName: 'postgrest-js', capabilities: ['postgres'] } });
      assert.equal(workspace.status, 201, JSON.stringify(workspace.body));
      const base = `/v1/postgres/${workspace.body.id}`;
      rowsUrl = `${base}/rows`;
      const port = (platform.app.server.address() as { port: number }).port;
      // The client's own fetch, only remembering each answer's body as it came.
      const capture: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        body = await response.clone().text();
        return response;
      };
      const db = new PostgrestClient(`http://127.0.0.1:${port}${rowsUrl}`, { headers: { Authorization: `Bearer ${token}` }, fetch: capture });
      for (const table of FIXTURE) {
        const created = await call('POST', `${base}/tables`, { token, body: { name: table.name, columns: table.columns } });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const inserted = await db.from(table.name).insert(table.rows);
        assert.equal(inserted.status, 201, JSON.stringify(inserted.error));
      }
      const url = (await testDatabase(scope))!;
      const ref = reference(url);
      ref.run(fixtureSql());
      suite = { db, ref, lastBody: () => body };
    });

    after(async () => {
      for (const fn of cleanups.reverse()) await fn();
    });

    /** `items` is the same on both sides (every column, numbers exact). */
    async function sameItems(): Promise<void> {
      const answer = await suite.db.from('items').select('*').order('id');
      assert.equal(answer.error, null);
      assert.deepEqual(exact(body), exact(suite.ref.rows('SELECT * FROM items ORDER BY id')), 'items on Slipstream and on psql');
    }

    for (const c of READS) test(c.name, c.todo ? { todo: c.todo } : {}, () => check(c, suite));

    for (const c of WRITES) {
      test(`write: ${c.name}`, c.todo ? { todo: c.todo } : {}, async () => {
        try {
          await check(c, suite);
        } finally {
          if (c.cleanup) {
            await c.cleanup.call(suite.db);
            suite.ref.run(c.cleanup.sql);
          }
        }
        await sameItems();
      });
    }

    const rawContext = (): RawContext => ({
      async rows(method, path, headers = {}, payload) {
        const response = await platform.app.inject({
          method,
          url: `${rowsUrl}/${path}`,
          headers: { authorization: `Bearer ${token}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
          ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
        });
        return { status: response.statusCode, headers: response.headers, body: response.body === '' ? undefined : JSON.parse(response.body) };
      },
      async tables() {
        const response = await platform.app.inject({ method: 'GET', url: `${rowsUrl.slice(0, -'/rows'.length)}/tables`, headers: { authorization: `Bearer ${token}` } });
        return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) };
      },
      expected: (sql) => JSON.parse(suite.ref.rows(sql)),
      ref: suite.ref,
      sameItems,
    });
    for (const c of RAW) test(`http: ${c.name}`, c.todo ? { todo: c.todo } : {}, () => c.run(rawContext()));
  });
}
