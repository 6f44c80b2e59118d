import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PostgrestClient } from '@supabase/postgrest-js';
import { GrammarError, type Condition, type FilterNode, type Logic, type RowsQuery, type SelectItem } from '../../src/data/postgres/grammar/ast.ts';
import { parsePrefer, parseRangeHeader, wantsSingleObject } from '../../src/data/postgres/grammar/prefer.ts';
import { parseRowsQuery } from '../../src/data/postgres/grammar/query-string.ts';
import { parseSelect } from '../../src/data/postgres/grammar/select.ts';
import { parseArrayLiteral, splitList, unquote } from '../../src/data/postgres/grammar/values.ts';

/** The PostgREST URL grammar (select, filters, logic trees, order, paging, columns) and the Prefer/Range/Accept headers. */

const cond = (column: string, op: Condition['op'], value: Condition['value'], extra: Partial<Condition> = {}): Condition => ({
  kind: 'condition', column, negated: false, op, value, ...extra,
});
const logic = (op: Logic['op'], children: FilterNode[], negated = false): Logic => ({ kind: 'logic', op, negated, children });
const col = (name: string, extra: Partial<SelectItem & { kind: 'column' }> = {}): SelectItem => ({ kind: 'column', name, ...extra });
const STAR: SelectItem = { kind: 'star' };

/** The root resource's filters of `qs`. */
function rootFilters(qs: string): FilterNode[] {
  return parseRowsQuery(qs).resources[0]!.filters;
}
function filter(qs: string): FilterNode {
  const filters = rootFilters(qs);
  assert.equal(filters.length, 1, qs);
  return filters[0]!;
}

/** Asserts `fn` throws a GrammarError with these fields (message/details: exact string or pattern). */
function refused(fn: () => unknown, expected: { code?: string; status?: number; message?: string | RegExp; details?: string | RegExp } = {}): GrammarError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof GrammarError, `expected a GrammarError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  assert.equal(caught.code, expected.code ?? 'PGRST100');
  assert.equal(caught.status, expected.status ?? (caught.code === 'PGRST103' ? 416 : 400));
  for (const key of ['message', 'details'] as const) {
    const want = expected[key];
    if (typeof want === 'string') assert.equal(caught[key], want);
    else if (want !== undefined) assert.match(String(caught[key] ?? ''), want);
  }
  return caught;
}

describe('the query strings postgrest-js 2.119 sends', () => {
  test('the kitchen-sink GET: select with an embed, every comparison, in, is, not, or, order, offset/limit', () => {
    const qs =
      'select=id,title,owner:users(name)&done=eq.false&title=neq.a,b&id=gt.1&id=gte.2&id=lt.9&id=lte.8&title=like.%25x%25&title=ilike.X*' +
      '&id=in.(1,2,%22a,b%22)&deleted_at=is.null&id=not.eq.5&or=(id.eq.1,title.eq.x)&order=id.desc.nullsfirst&offset=0&limit=10';
    const expected: RowsQuery = {
      select: [col('id'), col('title'), { kind: 'embed', relation: 'users', alias: 'owner', join: 'left', spread: false, select: [col('name')] }],
      resources: [{
        path: [],
        filters: [
          cond('done', 'eq', 'false'),
          cond('title', 'neq', 'a,b'),
          cond('id', 'gt', '1'),
          cond('id', 'gte', '2'),
          cond('id', 'lt', '9'),
          cond('id', 'lte', '8'),
          cond('title', 'like', '%x%'),
          cond('title', 'ilike', 'X*'),
          cond('id', 'in', ['1', '2', 'a,b']),
          cond('deleted_at', 'is', 'null'),
          cond('id', 'eq', '5', { negated: true }),
          logic('or', [cond('id', 'eq', '1'), cond('title', 'eq', 'x')]),
        ],
        order: [{ column: 'id', direction: 'desc', nulls: 'first' }],
        offset: 0,
        limit: 10,
      }],
    };
    assert.deepEqual(parseRowsQuery(qs), expected);
  });

  test('an !inner embed with filter, order and limit on the embedded resource', () => {
    assert.deepEqual(parseRowsQuery('select=name,todos!inner(title)&todos.done=eq.true&todos.order=title.asc&todos.limit=2'), {
      select: [col('name'), { kind: 'embed', relation: 'todos', join: 'inner', spread: false, select: [col('title')] }],
      resources: [
        { path: [], filters: [], order: [] },
        { path: ['todos'], filters: [cond('done', 'eq', 'true')], order: [{ column: 'title', direction: 'asc' }], limit: 2 },
      ],
    });
  });

  test('match(), filter(in), not(is), contains()', () => {
    assert.deepEqual(parseRowsQuery('select=*&id=eq.1&title=eq.x&id=in.(1,2)&title=not.is.null&tags=cs.%7Ba,b%7D'), {
      select: [STAR],
      resources: [{
        path: [],
        filters: [cond('id', 'eq', '1'), cond('title', 'eq', 'x'), cond('id', 'in', ['1', '2']), cond('title', 'is', 'null', { negated: true }), cond('tags', 'cs', '{a,b}')],
        order: [],
      }],
    });
  });

  test('upsert: on_conflict, quoted columns, select', () => {
    assert.deepEqual(parseRowsQuery('on_conflict=id&columns=%22id%22,%22title%22&select=id'), {
      select: [col('id')],
      resources: [{ path: [], filters: [], order: [] }],
      columns: ['id', 'title'],
      onConflict: ['id'],
    });
  });

  /** Runs a postgrest-js call against a fake fetch and returns what it would have sent. */
  async function sent(call: (client: PostgrestClient) => PromiseLike<unknown>): Promise<{ method: string; query: string; headers: Headers }> {
    let captured: { method: string; query: string; headers: Headers } | undefined;
    const client = new PostgrestClient('http://127.0.0.1:1/v1/postgres/wi_1/rows', {
      fetch: async (input: string | URL | Request, init?: RequestInit) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        captured = { method: init?.method ?? 'GET', query: url.search.slice(1), headers: new Headers(init?.headers) };
        return new Response('[]', { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
    await call(client);
    assert.ok(captured, 'postgrest-js did not call fetch');
    return captured;
  }

  test('the live client: every call of the design table parses, with its Prefer and Accept headers', async () => {
    const kitchen = await sent((c) => c.from('todos').select('id,title,owner:users(name)', { count: 'exact' }).eq('done', false).neq('title', 'a,b')
      .in('id', [1, 2, 'a,b']).is('deleted_at', null).not('id', 'eq', 5).or('id.eq.1,title.eq.x').order('id', { ascending: false, nullsFirst: true }).range(0, 9));
    const q = parseRowsQuery(kitchen.query);
    assert.deepEqual(q.resources[0]!.filters.at(2), cond('id', 'in', ['1', '2', 'a,b']));
    assert.deepEqual(q.resources[0]!.order, [{ column: 'id', direction: 'desc', nulls: 'first' }]);
    assert.equal(q.resources[0]!.limit, 10);
    assert.equal(parsePrefer(kitchen.headers.get('prefer') ?? undefined).count, 'exact');

    const inner = await sent((c) => c.from('users').select('name, todos!inner(title)').eq('todos.done', true).order('title', { referencedTable: 'todos' }).limit(2, { referencedTable: 'todos' }));
    assert.deepEqual(parseRowsQuery(inner.query).resources.map((r) => r.path), [[], ['todos']]);

    const single = await sent((c) => c.from('todos').select().eq('id', 1).single());
    assert.equal(wantsSingleObject(single.headers.get('accept') ?? undefined), true);
    const normal = await sent((c) => c.from('todos').select().eq('id', 1));
    assert.equal(wantsSingleObject(normal.headers.get('accept') ?? undefined), false);

    const upsert = await sent((c) => c.from('todos').upsert([{ id: 1, title: 'x' }], { onConflict: 'id', count: 'exact' }).select('id'));
    assert.deepEqual(parseRowsQuery(upsert.query).columns, ['id', 'title']);
    const prefs = parsePrefer(upsert.headers.get('prefer') ?? undefined);
    assert.deepEqual([prefs.resolution, prefs.count, prefs.return, prefs.invalid], ['merge-duplicates', 'exact', 'representation', []]);

    const ignore = await sent((c) => c.from('todos').upsert({ id: 1 }, { ignoreDuplicates: true, defaultToNull: false }));
    assert.deepEqual(parsePrefer(ignore.headers.get('prefer') ?? undefined).applied, ['resolution=ignore-duplicates', 'missing=default']);

    const bulk = await sent((c) => c.from('todos').insert([{ title: 'x' }, { title: 'y', done: true }]).select());
    assert.deepEqual(parseRowsQuery(bulk.query).columns, ['title', 'done']);

    const misc = await sent((c) => c.from('todos').select().match({ id: 1, title: 'x' }).filter('id', 'in', '(1,2)').not('title', 'is', null).contains('tags', ['a', 'b'])
      .textSearch('body', "'fat' & 'cat'", { config: 'english', type: 'websearch' }).overlaps('tags', ['c']).ilikeAnyOf('title', ['a*', 'b,c']));
    assert.deepEqual(parseRowsQuery(misc.query).resources[0]!.filters.slice(-3), [
      cond('body', 'wfts', "'fat' & 'cat'", { language: 'english' }),
      cond('tags', 'ov', '{c}'),
      // postgrest-js does not quote the items of ilikeAnyOf: PostgreSQL reads {a*,b,c} as three, so do we.
      cond('title', 'ilike', ['a*', 'b', 'c'], { quantifier: 'any' }),
    ]);

    const deleted = await sent((c) => c.from('todos').delete({ count: 'exact' }).in('id', [1, 2]));
    assert.equal(deleted.method, 'DELETE');
    assert.deepEqual(rootFilters(deleted.query), [cond('id', 'in', ['1', '2'])]);

    const quoted = await sent((c) => c.from('todos').select('"my col",x:"a.b"').in('name', ['Quote:"', 'Backslash:\\', 'a(b)', 'c d']));
    const parsed = parseRowsQuery(quoted.query);
    assert.deepEqual(parsed.select, [col('my col'), col('a.b', { alias: 'x' })]);
    assert.deepEqual(parsed.resources[0]!.filters, [cond('name', 'in', ['Quote:"', 'Backslash:\\', 'a(b)', 'c d'])]);
  });
});

describe('select', () => {
  test('columns, aliases, casts, quoted names and spaces around items', () => {
    assert.deepEqual(parseSelect('*'), [STAR]);
    assert.deepEqual(parseSelect('id, x:title ,n::text,y:num::character varying,"my col","a:b":"c,d"'), [
      col('id'), col('title', { alias: 'x' }), col('n', { cast: 'text' }), col('num', { alias: 'y', cast: 'character varying' }),
      col('my col'), col('c,d', { alias: 'a:b' }),
    ]);
    assert.deepEqual(parseSelect('first-name,$x,_y,123,ünïcode,名前'), ['first-name', '$x', '_y', '123', 'ünïcode', '名前'].map((n) => col(n)));
    assert.deepEqual(parseSelect('"a\\"b\\\\c"'), [col('a"b\\c')]);
  });

  test('embeds: alias, hint, !inner/!left in either order, spread, nesting, empty', () => {
    const embed = (relation: string, select: SelectItem[], extra: object = {}): SelectItem => ({ kind: 'embed', relation, join: 'left', spread: false, select, ...extra });
    assert.deepEqual(parseSelect('users(name)'), [embed('users', [col('name')])]);
    assert.deepEqual(parseSelect('owner:users(*)'), [embed('users', [STAR], { alias: 'owner' })]);
    assert.deepEqual(parseSelect('users!todos_owner_fkey(*)'), [embed('users', [STAR], { hint: 'todos_owner_fkey' })]);
    assert.deepEqual(parseSelect('users!inner(*)'), [embed('users', [STAR], { join: 'inner' })]);
    assert.deepEqual(parseSelect('users!left(*)'), [embed('users', [STAR])]);
    assert.deepEqual(parseSelect('o:users!owner!inner(*)'), [embed('users', [STAR], { alias: 'o', hint: 'owner', join: 'inner' })]);
    assert.deepEqual(parseSelect('users!inner!owner(*)'), [embed('users', [STAR], { hint: 'owner', join: 'inner' })]);
    assert.deepEqual(parseSelect('users!leftovers(*)'), [embed('users', [STAR], { hint: 'leftovers' })]);
    assert.deepEqual(parseSelect('users!"inner"(*)'), [embed('users', [STAR], { hint: 'inner' })]);
    assert.deepEqual(parseSelect('...users!owner!inner(name)'), [embed('users', [col('name')], { hint: 'owner', join: 'inner', spread: true })]);
    assert.deepEqual(parseSelect('id, todos ( title , tags(name, x:label) ), users()'), [
      col('id'), embed('todos', [col('title'), embed('tags', [col('name'), col('label', { alias: 'x' })])]), embed('users', []),
    ]);
    assert.deepEqual(parseRowsQuery('select=').select, [], 'select= selects no column, as in PostgREST');
    assert.deepEqual(parseRowsQuery('select').select, [STAR], 'a key without = is ignored');
    assert.deepEqual(parseRowsQuery('').select, [STAR]);
  });

  test('refused: JSON paths, aggregates, malformed lists', () => {
    refused(() => parseSelect('data->a'), { details: /JSON paths/ });
    refused(() => parseSelect('x:data->>a::text'), { details: /JSON paths/ });
    refused(() => parseSelect('rel->a(*)'), { details: /JSON paths/ });
    refused(() => parseSelect('count()'), { code: 'PGRST123', message: 'Use of aggregate functions is not allowed' });
    refused(() => parseSelect('amount.sum()'), { code: 'PGRST123' });
    refused(() => parseSelect('amount::int.avg()'), { code: 'PGRST123' });
    refused(() => parseSelect('id,'), { message: '"failed to parse select parameter (id,)" (line 1, column 4)', details: /^unexpected end of input expecting field name/ });
    refused(() => parseSelect('name!hint'), { details: /expecting "\("/ });
    refused(() => parseSelect('*!hint'));
    refused(() => parseSelect('*::text'));
    refused(() => parseSelect('name::'));
    refused(() => parseSelect('todos(title'), { details: /^unexpected end of input/ });
    refused(() => parseSelect('todos(title))'));
    refused(() => parseSelect('id)'));
    refused(() => parseSelect('a:...rel(*)'));
    refused(() => parseSelect('rel!a!b(*)'), { details: /one hint/ });
    refused(() => parseSelect('rel!inner!left(*)'), { details: /one join type/ });
    refused(() => parseSelect('""'), { details: /empty name/ });
    refused(() => parseSelect('"unterminated'));
    refused(() => parseSelect('id;drop table todos'));
    refused(() => parseSelect('a,,b'));
    refused(() => parseSelect('clients(name[])'));
  });

  test('limits: 16 levels of embeds and 500 items', () => {
    const nested = (depth: number): string => (depth === 0 ? 'id' : `r${depth}(${nested(depth - 1)})`);
    assert.equal(parseSelect(nested(16)).length, 1);
    refused(() => parseSelect(nested(17)), { details: /nested at most 16 levels/ });
    refused(() => parseSelect('a('.repeat(100_000)), { details: /nested at most 16 levels/ });
    const items = (n: number): string => Array.from({ length: n }, (_, i) => `c${i}`).join(',');
    assert.equal(parseSelect(items(500)).length, 500);
    refused(() => parseSelect(items(501)), { details: /at most 500 items/ });
    refused(() => parseSelect(`r(${items(500)})`), { details: /at most 500 items/ });
  });
});

describe('filters', () => {
  test('every operator, not, and the values kept raw', () => {
    for (const op of ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'isdistinct', 'cs', 'cd', 'ov', 'fts', 'plfts', 'phfts', 'wfts'] as const) {
      assert.deepEqual(filter(`c=${op}.v.w,x(y)"z"`), cond('c', op, 'v.w,x(y)"z"'), op);
      assert.deepEqual(filter(`c=not.${op}.1`), cond('c', op, '1', { negated: true }), `not.${op}`);
    }
    assert.deepEqual(filter('c=eq.'), cond('c', 'eq', ''));
    assert.deepEqual(filter('c=eq.a+b%2Bc'), cond('c', 'eq', 'a b+c'), '+ is a space, %2B a plus');
    assert.deepEqual(filter('range=cd.%5B1,5)'), cond('range', 'cd', '[1,5)'));
    assert.deepEqual(filter('tags=ov.%7B%22a,b%22,c%7D'), cond('tags', 'ov', '{"a,b",c}'));
  });

  test('is: null, not_null, true, false, unknown in any case, nothing else', () => {
    for (const word of ['null', 'NULL', 'not_null', 'Not_Null', 'true', 'TRUE', 'false', 'unknown', 'UnKnOwN']) {
      assert.deepEqual(filter(`c=is.${word}`), cond('c', 'is', word.toLowerCase()));
    }
    refused(() => parseRowsQuery('c=is.maybe'), { message: '"failed to parse filter (is.maybe)" (line 1, column 4)', details: /isVal: \(null, not_null, true, false, unknown\)/ });
    refused(() => parseRowsQuery('c=is.'));
    refused(() => parseRowsQuery('c=is.null;drop'));
    refused(() => parseRowsQuery("c=is.null'"));
  });

  test('in: quoted items with escapes, spaces kept, empty lists, 1000 items', () => {
    assert.deepEqual(filter('c=in.(1,2,%22a,b%22)'), cond('c', 'in', ['1', '2', 'a,b']));
    assert.deepEqual(filter('name=in.(%22Quote:%5C%22%22,%22Backslash:%5C%5C%22)'), cond('name', 'in', ['Quote:"', 'Backslash:\\']));
    assert.deepEqual(filter('c=in.( 1, 2 )'), cond('c', 'in', ['1', ' 2 ']), 'PostgREST keeps the spaces inside items');
    assert.deepEqual(filter('c=in.()'), cond('c', 'in', []));
    assert.deepEqual(filter('c=in.(%22%22)'), cond('c', 'in', ['']));
    assert.deepEqual(filter('c=in.(,)'), cond('c', 'in', ['', '']));
    assert.deepEqual(filter('c=in.(a%22b,%22c)d%22)'), cond('c', 'in', ['a"b', 'c)d']), 'a quote inside a raw item is kept; a quoted item may hold ")"');
    assert.deepEqual(filter('c=in.(%22a%22b,c)'), cond('c', 'in', ['"a"b', 'c']), 'a quoted part not followed by , or ) is raw text');
    assert.deepEqual(filter('c=not.in.(x)'), cond('c', 'in', ['x'], { negated: true }));
    const list = (n: number): string => Array.from({ length: n }, (_, i) => i).join(',');
    assert.equal((filter(`c=in.(${list(1000)})`) as Condition).value.length, 1000);
    refused(() => parseRowsQuery(`c=in.(${list(1001)})`), { details: /at most 1000 items/ });
    refused(() => parseRowsQuery('c=in.1,2'), { details: /expecting "\("/ });
    refused(() => parseRowsQuery('c=in.(1,2'), { details: /^unexpected end of input/ });
    refused(() => parseRowsQuery('c=in.(1,2)x'), { details: /expecting end of input/ });
  });

  test('quantifiers (any)/(all) take a {…} list', () => {
    assert.deepEqual(filter('c=eq(any).%7B1,2%7D'), cond('c', 'eq', ['1', '2'], { quantifier: 'any' }));
    assert.deepEqual(filter('c=not.like(all).%7B%22a,b%22,%20c%20,d*%7D'), cond('c', 'like', ['a,b', 'c', 'd*'], { quantifier: 'all', negated: true }));
    assert.deepEqual(filter('c=gte(any).{}'), cond('c', 'gte', [], { quantifier: 'any' }));
    assert.deepEqual(filter('c=imatch(any).{{1,2},(3,4)}'), cond('c', 'imatch', ['{1,2}', '(3,4)'], { quantifier: 'any' }));
    for (const op of ['eq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch']) assert.ok(filter(`c=${op}(all).{x}`));
    refused(() => parseRowsQuery('c=neq(any).{1}'), { details: /expecting delimiter \(\.\)/ });
    refused(() => parseRowsQuery('c=in(any).(1)'));
    refused(() => parseRowsQuery('c=eq(some).{1}'), { details: /"\(any\)" or "\(all\)"/ });
    refused(() => parseRowsQuery('c=eq(any).1'), { details: /expecting a list such as \{a,b\}/ });
    refused(() => parseRowsQuery('c=eq(any).{1,2'), { details: /expecting a list/ });
    refused(() => parseRowsQuery(`c=eq(any).{${Array.from({ length: 1001 }, () => 'x').join(',')}}`), { details: /at most 1000 items/ });
  });

  test('full-text search with and without a language', () => {
    assert.deepEqual(filter('body=fts(english).cat'), cond('body', 'fts', 'cat', { language: 'english' }));
    assert.deepEqual(filter('body=not.phfts(english).a'), cond('body', 'phfts', 'a', { language: 'english', negated: true }));
    assert.deepEqual(filter('body=wfts.%27fat%27%20%26%20cat'), cond('body', 'wfts', "'fat' & cat"));
    refused(() => parseRowsQuery('body=fts().cat'));
    refused(() => parseRowsQuery('body=fts(english.cat'));
  });

  test('columns and resource paths of filter keys', () => {
    const q = parseRowsQuery('todos.done=eq.true&a.b.col=lt.3&%22information.cpe%22=like.*MS*&Unit%20Price=lt.200&todos.tags.name=eq.x');
    assert.deepEqual(q.resources, [
      { path: [], filters: [cond('information.cpe', 'like', '*MS*'), cond('Unit Price', 'lt', '200')], order: [] },
      { path: ['todos'], filters: [cond('done', 'eq', 'true')], order: [] },
      { path: ['a', 'b'], filters: [cond('col', 'lt', '3')], order: [] },
      { path: ['todos', 'tags'], filters: [cond('name', 'eq', 'x')], order: [] },
    ]);
    assert.deepEqual(rootFilters('color=eq.red&"or"=eq.1&"order"=eq.2'), [cond('color', 'eq', 'red'), cond('or', 'eq', '1'), cond('order', 'eq', '2')], 'quoting a reserved word makes it a column');
    assert.deepEqual(parseRowsQuery('todos.select=eq.1').resources[1]!.filters, [cond('select', 'eq', '1')], 'only the bare select key is reserved');
  });

  test('refused: unknown operators (PostgREST texts), range operators, JSON paths, bad keys', () => {
    refused(() => parseRowsQuery('a.b=noop.0'), { message: '"failed to parse filter (noop.0)" (line 1, column 1)', details: 'unexpected "noop" expecting "not" or operator (eq, gt, ...)' });
    refused(() => parseRowsQuery('id=val'), { message: '"failed to parse filter (val)" (line 1, column 1)' });
    refused(() => parseRowsQuery('id='), { details: /^unexpected end of input expecting "not" or operator/ });
    refused(() => parseRowsQuery('id=not.not.eq.1'));
    refused(() => parseRowsQuery('id=EQ.1'));
    refused(() => parseRowsQuery('id=eq'), { details: /expecting delimiter \(\.\)/ });
    refused(() => parseRowsQuery('r=sl.(1,2)'), { code: 'PGRST127', message: 'Feature not implemented' });
    refused(() => parseRowsQuery('data->a=eq.1'), { details: /JSON paths/ });
    refused(() => parseRowsQuery('=eq.1'), { message: '"failed to parse tree path ()" (line 1, column 1)' });
    refused(() => parseRowsQuery('a..b=eq.1'));
    refused(() => parseRowsQuery('todos.=eq.1'));
    refused(() => parseRowsQuery('id;drop=eq.1'), { message: /^"failed to parse tree path \(id;drop\)"/ });
  });
});

describe('logic trees', () => {
  test('or, and, not.or, not.and, nesting, on embedded resources', () => {
    assert.deepEqual(filter('or=(a.eq.1,b.gt.2,and(c.eq.3,d.is.null),not.and(e.eq.1,f.eq.2))'), logic('or', [
      cond('a', 'eq', '1'), cond('b', 'gt', '2'),
      logic('and', [cond('c', 'eq', '3'), cond('d', 'is', 'null')]),
      logic('and', [cond('e', 'eq', '1'), cond('f', 'eq', '2')], true),
    ]));
    assert.deepEqual(filter('and=(a.eq.1,or(b.eq.2,c.eq.3))'), logic('and', [cond('a', 'eq', '1'), logic('or', [cond('b', 'eq', '2'), cond('c', 'eq', '3')])]));
    assert.deepEqual(filter('not.or=(a.eq.1,a.eq.2)'), logic('or', [cond('a', 'eq', '1'), cond('a', 'eq', '2')], true));
    assert.deepEqual(filter('not.and=(a.not.eq.1,b.not.is.null)'), logic('and', [cond('a', 'eq', '1', { negated: true }), cond('b', 'is', 'null', { negated: true })], true));
    const q = parseRowsQuery('todos.or=(done.eq.true,title.eq.x)&todos.not.and=(a.eq.1,b.eq.2)');
    assert.deepEqual(q.resources[1], {
      path: ['todos'],
      filters: [logic('or', [cond('done', 'eq', 'true'), cond('title', 'eq', 'x')]), logic('and', [cond('a', 'eq', '1'), cond('b', 'eq', '2')], true)],
      order: [],
    });
    assert.equal(rootFilters('or=(a.eq.1)&or=(b.eq.2)').length, 2, 'repeated logic trees all apply');
  });

  test('values: quoted, {…} literals, in lists, quantifiers, fts, spaces', () => {
    assert.deepEqual(filter('or=(name.eq.%22a,b%22,name.eq.%22c)%22,name.like.%22x\\%22y%22)'), logic('or', [cond('name', 'eq', 'a,b'), cond('name', 'eq', 'c)'), cond('name', 'like', 'x"y')]));
    assert.deepEqual(filter('or=(tags.cs.{a,b},tags.ov.{"c,d",{e,f}},id.in.(1,"2,3"),id.eq(any).{4,5},body.fts(english).cat)'), logic('or', [
      cond('tags', 'cs', '{a,b}'), cond('tags', 'ov', '{"c,d",{e,f}}'), cond('id', 'in', ['1', '2,3']),
      cond('id', 'eq', ['4', '5'], { quantifier: 'any' }), cond('body', 'fts', 'cat', { language: 'english' }),
    ]));
    assert.deepEqual(filter('or=( a.eq.1 , and ( b.eq.2 ) )'), logic('or', [cond('a', 'eq', '1 '), logic('and', [cond('b', 'eq', '2 ')])]));
    assert.deepEqual(filter('or=(a.eq.,b.eq.x"y)'), logic('or', [cond('a', 'eq', ''), cond('b', 'eq', 'x"y')]));
    assert.deepEqual(filter('or=(and.eq.1,not.eq.2)'), logic('or', [cond('and', 'eq', '1'), cond('not', 'eq', '2')]), 'columns named and/not');
    assert.deepEqual(filter('or=(%22my.col%22.eq.1)'), logic('or', [cond('my.col', 'eq', '1')]));
  });

  test('refused: PostgREST texts, missing parentheses, trailing text, depth over 16', () => {
    refused(() => parseRowsQuery('or=()'), { message: '"failed to parse logic tree (())" (line 1, column 4)', details: /expecting field name/ });
    refused(() => parseRowsQuery('or=(id.in.1,2,id.eq.3)'), { message: '"failed to parse logic tree ((id.in.1,2,id.eq.3))" (line 1, column 10)', details: /expecting "\("/ });
    refused(() => parseRowsQuery('or=id.eq.1'), { details: /expecting "\("/ });
    refused(() => parseRowsQuery('or=(a.eq.1'), { details: /^unexpected end of input expecting "," or "\)"/ });
    refused(() => parseRowsQuery('or=(a.eq.1))'), { details: /expecting end of input/ });
    refused(() => parseRowsQuery('or=(a.eq.1,not.xor(b.eq.2))'));
    refused(() => parseRowsQuery('and=(ord(id.eq.1,id.eq.1),id.eq.2)'));
    refused(() => parseRowsQuery('or=(a.zz.1)'), { details: 'unexpected "zz" expecting "not" or operator (eq, gt, ...)' });
    refused(() => parseRowsQuery('or=(a)'), { details: /expecting delimiter \(\.\)/ });
    refused(() => parseRowsQuery('or=(a.is.nul)'));
    refused(() => parseRowsQuery('or=(a.eq.{x}y)'), { details: /expecting "," or "\)"/ });
    refused(() => parseRowsQuery('or=(data->a.eq.1)'), { details: /JSON paths/ });
    const deep = (n: number): string => (n === 1 ? 'a.eq.1' : `and(${deep(n - 1)})`);
    assert.ok(filter(`or=(${deep(16)})`), '16 levels: or=(…) and 15 nested and(…)');
    refused(() => parseRowsQuery(`or=(${deep(17)})`), { details: /nested at most 16 levels/ });
    refused(() => parseRowsQuery(`or=${'(and'.repeat(50_000)}`));
    refused(() => parseRowsQuery(`or=(${'and('.repeat(50_000)}`), { details: /nested at most 16 levels/ });
  });
});

describe('order, limit, offset, columns, on_conflict', () => {
  test('order terms: direction defaults to asc, nulls optional, spaces tolerated, quoted names', () => {
    assert.deepEqual(parseRowsQuery('order=id.desc.nullsfirst,title,created_at.asc.nullslast, n.nullsfirst ,%22a.b%22.desc').resources[0]!.order, [
      { column: 'id', direction: 'desc', nulls: 'first' },
      { column: 'title', direction: 'asc' },
      { column: 'created_at', direction: 'asc', nulls: 'last' },
      { column: 'n', direction: 'asc', nulls: 'first' },
      { column: 'a.b', direction: 'desc' },
    ]);
    const q = parseRowsQuery('order=id&order=title.desc&todos.order=a&todos.tags.order=b.desc');
    assert.deepEqual(q.resources.map((r) => [r.path, r.order]), [
      [[], [{ column: 'id', direction: 'asc' }]],
      [['todos'], [{ column: 'a', direction: 'asc' }]],
      [['todos', 'tags'], [{ column: 'b', direction: 'desc' }]],
    ], 'the first order of a resource wins, as in PostgREST');
  });

  test('order refused: PostgREST texts, repeats that do not parse, related orders', () => {
    refused(() => parseRowsQuery('order=id.ac'), { message: '"failed to parse order (id.ac)" (line 1, column 4)', details: 'unexpected "ac" expecting "asc", "desc", "nullsfirst" or "nullslast"' });
    refused(() => parseRowsQuery('order=id.descc'), { details: /^unexpected "descc"/ });
    refused(() => parseRowsQuery('order=id.asc.nlsfst'), { details: /expecting "nullsfirst" or "nullslast"/ });
    refused(() => parseRowsQuery('order=id.nullslast.desc'), { details: /expecting "," or end of input/ });
    refused(() => parseRowsQuery('order=id.asc.desc'));
    refused(() => parseRowsQuery('order='));
    refused(() => parseRowsQuery('order=id,'));
    refused(() => parseRowsQuery('order=id&order=bad.x'), { details: /^unexpected "x"/ });
    refused(() => parseRowsQuery('order=clients(name).desc'), { code: 'PGRST127' });
    refused(() => parseRowsQuery('order=data->a'), { details: /JSON paths/ });
  });

  test('limit and offset: non-negative integers, per resource, the last wins', () => {
    const q = parseRowsQuery('limit=5&offset=10&limit=0&todos.limit=3&todos.offset=1&a.b.offset=2');
    assert.deepEqual(q.resources.map((r) => [r.path, r.limit, r.offset]), [[[], 0, 10], [['todos'], 3, 1], [['a', 'b'], undefined, 2]]);
    refused(() => parseRowsQuery('limit=-1'), { code: 'PGRST103', status: 416, message: 'Requested range not satisfiable', details: 'Limit should be greater than or equal to zero.' });
    refused(() => parseRowsQuery('todos.limit=-5'), { code: 'PGRST103' });
    for (const bad of ['limit=abc', 'limit=', 'limit=1.5', 'limit=1e3', 'limit=%201', 'offset=-1', 'offset=x', 'limit=99999999999999999999']) {
      refused(() => parseRowsQuery(bad), { message: /^"failed to parse (limit|offset) parameter/, details: 'expecting a non-negative integer' });
    }
  });

  test('columns and on_conflict: quoted or not, spaces, duplicates, first wins', () => {
    assert.deepEqual(parseRowsQuery('columns=title,done').columns, ['title', 'done']);
    assert.deepEqual(parseRowsQuery('columns=%22title%22,%20%22done%22,title').columns, ['title', 'done'], 'columns is a set');
    assert.deepEqual(parseRowsQuery('columns=%22a,b%22&columns=c').columns, ['a,b']);
    assert.deepEqual(parseRowsQuery('on_conflict=id,title&on_conflict=x').onConflict, ['id', 'title']);
    assert.equal(parseRowsQuery('select=*').columns, undefined);
    refused(() => parseRowsQuery('columns='), { message: /^"failed to parse columns parameter \(\)"/ });
    refused(() => parseRowsQuery('on_conflict=id,'), { message: /^"failed to parse on_conflict parameter/ });
    refused(() => parseRowsQuery('columns=a;b'));
  });

  test('repeats of select: the first wins and the others are not read', () => {
    assert.deepEqual(parseRowsQuery('select=id&select=title&select=(((').select, [col('id')]);
  });

  test('resources: the root first, then embedded paths in first-seen order; filters keep URL order', () => {
    const q = parseRowsQuery('b.limit=1&a.x=eq.1&b.order=y&id=eq.1&a.or=(z.eq.1)&a.x=eq.2&c.d.offset=0');
    assert.deepEqual(q.resources.map((r) => r.path), [[], ['b'], ['a'], ['c', 'd']]);
    assert.deepEqual(q.resources[2]!.filters, [cond('x', 'eq', '1'), logic('or', [cond('z', 'eq', '1')]), cond('x', 'eq', '2')]);
  });
});

describe('hostile input', () => {
  /** Each value is a plain string, each list a string[]: nothing the builder could mistake for SQL. */
  function assertPlain(q: RowsQuery): void {
    const walk = (node: FilterNode): void => {
      if (node.kind === 'logic') return node.children.forEach(walk);
      assert.equal(typeof node.column, 'string');
      assert.ok(typeof node.value === 'string' || (Array.isArray(node.value) && node.value.every((v) => typeof v === 'string')));
    };
    q.resources.forEach((r) => r.filters.forEach(walk));
  }
  function parsesOrRefuses(qs: string): void {
    try {
      assertPlain(parseRowsQuery(qs));
    } catch (err) {
      if (!(err instanceof GrammarError)) assert.fail(`${JSON.stringify(qs)} crashed: ${err instanceof Error ? err.stack : String(err)}`);
      assert.match(err.code, /^PGRST1\d\d$/);
    }
  }

  test('SQL-looking names and values become plain strings or are refused', () => {
    const q = parseRowsQuery("select=%22id%5C%22;drop%20table%20x;--%22&%22x;delete%20from%20y%22=eq.1&id=in.(1,%22);select%201--%22)");
    assert.deepEqual(q.select, [col('id";drop table x;--')]);
    assert.deepEqual(rootFilters("%22x;delete%20from%20y%22=eq.1&id=in.(1,%22);select%201--%22)"), [
      cond('x;delete from y', 'eq', '1'), cond('id', 'in', ['1', ');select 1--']),
    ]);
    refused(() => parseRowsQuery('id=in.(1);select%201--,2)'), { details: /expecting end of input/ });
    refused(() => parseRowsQuery('%22x%22%22y%22=eq.1'));
    assert.deepEqual(rootFilters("name=eq.1';drop table todos;--"), [cond('name', 'eq', "1';drop table todos;--")]);
    assert.deepEqual(rootFilters('name=like.%25%27%20or%201=1--'), [cond('name', 'like', "%' or 1=1--")]);
    refused(() => parseSelect('id from todos; --'));
    refused(() => parseRowsQuery('order=id;drop table x'));
    assert.deepEqual(rootFilters('id%20or%201=eq.1'), [cond('id or 1', 'eq', '1')], 'spaces are name characters in PostgREST');
  });

  test('a list of malformed inputs never crashes', () => {
    const inputs = [
      '', '&', '&&&', '=', '==', '?', '%', '%zz', '%E0%A4%A', '%00=eq.1', 'a=%FF', 'select=%22', 'select=(', 'select=)', 'select=a(', 'select=!', 'select=:',
      'select=a:', 'select=a::', 'select=...', 'select=...(', 'select=a!(x)', 'select=a!inner', 'select=\t*\t', 'select=%F0%9F%98%80', 'select=%22%5C',
      'id=in.', 'id=in.(', 'id=in.)', 'id=in.((', 'id=in.(%22', 'id=in.(%22a%22b)', 'id=eq(', 'id=eq(any', 'id=eq(any).', 'id=eq(any).%7B', 'id=fts(', 'id=fts(a',
      'or=', 'or=(', 'or=)', 'or=((', 'or=(a', 'or=(a.', 'or=(a.eq', 'or=(a.eq.%22', 'or=(a.eq.%7B', 'or=(a.in.(', 'or=(not.', 'or=(not.and', 'or=(and(', 'not.or=',
      'x.not.and=(a.eq.1)', 'order=.', 'order=%22', 'order=a.', 'order=a(', 'limit=%2B1', 'offset=', 'columns=%22', 'on_conflict=,', 'a.=eq.1', '.a=eq.1',
      '%22=eq.1', '%22%22=eq.1', 'a-=eq.1', 'a->=eq.1', 'a-%3E%3E=eq.1', '__proto__=eq.1', 'constructor.order=id', 'toString=is.null', 'select=__proto__(*)',
    ];
    for (const qs of inputs) parsesOrRefuses(qs);
  });

  test('random strings over the grammar alphabet never crash', () => {
    let seed = 0x5eed;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    const alphabet = ['a', 'id', '.', ',', '(', ')', '{', '}', '"', '\\', ':', '::', '!', '...', '*', '-', '->', ' ', 'not.', 'eq.', 'in.', 'is.', 'null', 'or', 'and', 'inner', '=', '&', '%22', '%2C', '+'];
    const keys = ['select=', 'id=', 'or=', 'not.and=', 'order=', 'todos.or=', 'limit=', 'columns=', 'a.b=', ''];
    for (let i = 0; i < 3000; i++) {
      let qs = keys[random(keys.length)]!;
      for (let n = random(24); n > 0; n--) qs += alphabet[random(alphabet.length)];
      parsesOrRefuses(qs);
    }
  });

  test('long inputs stay linear and error messages stay short', () => {
    const started = performance.now();
    const big = 'x'.repeat(200_000);
    parsesOrRefuses(`select=${big}`);
    parsesOrRefuses(`id=in.(${'%22'.repeat(50_000)})`);
    parsesOrRefuses(`or=(${'a.eq.{'.repeat(20_000)})`);
    parsesOrRefuses(`id=eq(any).{${'{'.repeat(50_000)}`);
    const err = refused(() => parseRowsQuery(`id=${big}`));
    assert.ok(err.message.length < 400, 'the echoed input is truncated');
    assert.ok(performance.now() - started < 5000);
  });
});

describe('value helpers', () => {
  test('splitList respects quotes, escapes and nesting; unquote; parseArrayLiteral', () => {
    assert.deepEqual(splitList('a,"b,c",(d,e),{f,g},"h\\",i"'), ['a', '"b,c"', '(d,e)', '{f,g}', '"h\\",i"']);
    assert.deepEqual(splitList(''), ['']);
    assert.equal(splitList('"a'), undefined);
    assert.equal(splitList('(a'), undefined);
    assert.equal(splitList('a)'), undefined);
    assert.equal(unquote('"a\\"b\\\\"'), 'a"b\\');
    assert.equal(unquote('"a"b"'), '"a"b"');
    assert.equal(unquote('plain'), 'plain');
    assert.deepEqual(parseArrayLiteral(' { a , "b,c" ,d} '), ['a', 'b,c', 'd']);
    assert.deepEqual(parseArrayLiteral('{}'), []);
    assert.equal(parseArrayLiteral('{a}{b}'), undefined);
    assert.equal(parseArrayLiteral('a,b'), undefined);
  });
});

describe('Prefer', () => {
  test('one header joined by ", " (postgrest-js), several headers, spaces', () => {
    const p = parsePrefer('resolution=merge-duplicates, count=exact, return=representation');
    assert.deepEqual(p, { resolution: 'merge-duplicates', count: 'exact', return: 'representation', applied: ['resolution=merge-duplicates', 'return=representation', 'count=exact'], invalid: [] });
    const all = parsePrefer(['return=minimal', 'count=planned,   tx=rollback  ,missing=null', 'handling=strict, timezone=America/Los_Angeles, max-affected=100']);
    assert.deepEqual(all, {
      return: 'minimal', count: 'planned', tx: 'rollback', missing: 'null', handling: 'strict', timezone: 'America/Los_Angeles', maxAffected: 100,
      applied: ['missing=null', 'return=minimal', 'count=planned', 'tx=rollback', 'handling=strict', 'timezone=America/Los_Angeles', 'max-affected=100'],
      invalid: [],
    });
    for (const [header, key, value] of [
      ['return=headers-only', 'return', 'headers-only'], ['count=estimated', 'count', 'estimated'], ['resolution=ignore-duplicates', 'resolution', 'ignore-duplicates'],
      ['missing=default', 'missing', 'default'], ['handling=lenient', 'handling', 'lenient'], ['tx=commit', 'tx', 'commit'],
    ] as const) {
      assert.equal(parsePrefer(header)[key], value);
      assert.deepEqual(parsePrefer(header).applied, [header]);
    }
    assert.deepEqual(parsePrefer(undefined), { applied: [], invalid: [] });
    assert.deepEqual(parsePrefer(''), { applied: [], invalid: [] });
  });

  test('the first of a repeated preference wins; unknown and malformed ones are invalid', () => {
    const p = parsePrefer('tx=commit, tx=rollback, count=exact, count=all, return=Representation, anything, max-affected=x, max-affected=-1, timezone=, params=single-object');
    assert.equal(p.tx, 'commit');
    assert.equal(p.count, 'exact');
    assert.equal(p.return, undefined);
    assert.equal(p.maxAffected, undefined);
    assert.deepEqual(p.invalid, ['count=all', 'return=Representation', 'anything', 'max-affected=x', 'max-affected=-1', 'timezone=', 'params=single-object']);
    assert.deepEqual(p.applied, ['count=exact', 'tx=commit']);
    const lenient = parsePrefer('max-affected=5');
    assert.equal(lenient.maxAffected, 5);
    assert.deepEqual(lenient.applied, [], 'max-affected is applied (echoed) only with handling=strict');
    assert.deepEqual(parsePrefer('__proto__=x, constructor, toString=1').invalid, ['__proto__=x', 'constructor', 'toString=1']);
  });
});

describe('Range and Accept', () => {
  test('Range: a-b, items=a-b, a-; malformed ignored; reversed is 416 PGRST103', () => {
    assert.deepEqual(parseRangeHeader('0-9'), { offset: 0, limit: 10 });
    assert.deepEqual(parseRangeHeader('items=10-19'), { offset: 10, limit: 10 });
    assert.deepEqual(parseRangeHeader(' 5- '), { offset: 5 });
    assert.deepEqual(parseRangeHeader('3-3'), { offset: 3, limit: 1 });
    assert.equal(parseRangeHeader(undefined), undefined);
    for (const ignored of ['', 'abc', '-5', '0-9,20-29', 'bytes=0-9', '0 - 9', '1.5-2', '99999999999999999999-']) assert.equal(parseRangeHeader(ignored), undefined, ignored);
    refused(() => parseRangeHeader('5-2'), { code: 'PGRST103', status: 416, message: 'Requested range not satisfiable', details: 'The lower boundary must be lower than or equal to the upper boundary in the Range header.' });
  });

  test('Accept: the singular object, with parameters, case, q values and alternatives', () => {
    for (const yes of [
      'application/vnd.pgrst.object+json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json; charset=utf-8',
      'Application/Vnd.Pgrst.Object+JSON', 'application/vnd.pgrst.object', 'application/vnd.pgrst.object+json, application/json',
      'application/json;q=0.5, application/vnd.pgrst.object+json', '*/*, application/vnd.pgrst.object+json', 'text/html, application/vnd.pgrst.object+json',
    ]) assert.equal(wantsSingleObject(yes), true, yes);
    for (const no of [
      undefined, '', '*/*', 'application/json', 'text/csv', 'application/json, application/vnd.pgrst.object+json',
      'application/vnd.pgrst.object+json;q=0', 'application/vnd.pgrst.object+json;q=0.1, application/json', 'application/vnd.pgrst.array+json',
    ]) assert.equal(wantsSingleObject(no), false, String(no));
  });
});
