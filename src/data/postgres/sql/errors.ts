import { GrammarError } from '../grammar/ast.ts';

/** PostgREST's errors about names, raised from the schema cache before any SQL runs. */

/** A name as the error repeats it: a 100 KB name is not echoed whole. */
const shown = (name: string) => (name.length > 100 ? `${name.slice(0, 100)}…` : name);

export function unknownTable(table: string): GrammarError {
  return new GrammarError('PGRST205', `Could not find the table 'public.${shown(table)}' in the schema cache`, null, null, 404);
}

export function unknownColumn(table: string, column: string): GrammarError {
  // The database's own 42703 wording, as PostgREST passes it through.
  return new GrammarError('42703', `column ${table}.${shown(column)} does not exist`, null, null, 400);
}

export function unknownBodyColumn(table: string, column: string): GrammarError {
  return new GrammarError('PGRST204', `Could not find the '${shown(column)}' column of '${table}' in the schema cache`, null, null, 400);
}

export function noRelationship(from: string, to: string, hint?: string): GrammarError {
  return new GrammarError(
    'PGRST200',
    `Could not find a relationship between '${from}' and '${to}' in the schema cache`,
    `Searched for a foreign key relationship between '${from}' and '${to}'${hint ? ` using the hint '${hint}'` : ''} in the schema 'public', but no matches were found.`,
    null,
    400,
  );
}
