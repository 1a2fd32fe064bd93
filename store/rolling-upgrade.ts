/**
 * Is a migration safe to apply while replicas of the older version keep running on the same PostgreSQL
 * database (a rolling upgrade, docs/scaling.md "Upgrades that add a migration")? Only when it is additive:
 * every query the older code sends still works, and every row it writes is still accepted, on the new
 * schema. Read statement by statement from the migration's SQL; pure (no I/O).
 *
 * Additive: a new table, type, index, function or sequence; a new column that is nullable or has a
 * default; rows inserted; anything done to a table the same migration creates.
 * Not additive: dropping or renaming anything; a column's type changed; NOT NULL set (the older code may
 * write NULL) or dropped (it may read a NULL it does not expect); a default dropped; a new column NOT NULL
 * without a default (the older code's inserts do not name it); a value added to an enum (the older Prisma
 * client refuses to read a row holding it: "Value 'X' not found in enum"); a constraint, unique index or trigger added
 * to an existing table (it may refuse the older code's writes) unless it only covers a column the same
 * migration adds nullable (the older code leaves it NULL, which no unique index or foreign key refuses);
 * rows updated or deleted; SQLite's rebuild of a table (create new_X, copy, drop X, rename); and any
 * statement not recognised here (so it is checked by a person, not waved through).
 */

export interface StatementVerdict {
  /** The statement, comments removed and white space collapsed. */
  sql: string;
  /** What it does, in the words an admin reads: "drop index", "add column NOT NULL without default" … */
  kind: string;
  /** The object it acts on, as written (unquoted), when there is one. */
  target?: string;
  additive: boolean;
}

/** Splits a migration script into statements: quotes, `$tag$` bodies, comments and trigger bodies kept whole. */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  const n = script.length;
  const flush = () => {
    const s = cur.replace(/\s+/g, ' ').trim();
    if (s) out.push(s);
    cur = '';
  };
  while (i < n) {
    const c = script[i] as string;
    const two = script.slice(i, i + 2);
    if (two === '--') {
      const end = script.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      cur += ' ';
    } else if (two === '/*') {
      const end = script.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      cur += ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      for (; j < n; j++) {
        if (script[j] === c) {
          if (script[j + 1] === c) j++;
          else break;
        }
      }
      cur += script.slice(i, j + 1);
      i = j + 1;
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(script.slice(i))) {
      const tag = (/^\$[A-Za-z_]*\$/.exec(script.slice(i)) as RegExpExecArray)[0];
      const end = script.indexOf(tag, i + tag.length);
      const stop = end < 0 ? n : end + tag.length;
      cur += script.slice(i, stop);
      i = stop;
    } else if (c === ';') {
      // A SQLite trigger's body (BEGIN … END;) holds statements of its own.
      const s = cur.trim();
      const inTrigger =
        /^CREATE\s+(TEMP\w*\s+)?TRIGGER\b/i.test(s) && /\bBEGIN\b/i.test(s) && !/\bEND$/i.test(s);
      if (inTrigger) cur += ';';
      else flush();
      i++;
    } else {
      cur += c;
      i++;
    }
  }
  flush();
  return out;
}

const NAME = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\.(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))?`;
const unquote = (name: string) => {
  const last = name.match(new RegExp(NAME, 'g'))?.[0] ?? name;
  const parts = last.split('.');
  const t = parts[parts.length - 1] ?? last;
  return t.startsWith('"') ? t.slice(1, -1).replaceAll('""', '"') : t;
};
const nameAt = (text: string, re: RegExp) => {
  const m = re.exec(text);
  return m?.[1] !== undefined ? unquote(m[1]) : undefined;
};

/** Splits on commas outside parentheses and quotes. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter(Boolean);
}

/** The column names inside the first parenthesis of `text`. */
const columnsIn = (text: string) => {
  const m = /\(([^)]*)\)/.exec(text);
  return m?.[1] ? topLevelParts(m[1]).map((c) => unquote(c.split(/\s+/)[0] ?? c)) : [];
};

interface Scope {
  /** Tables this migration creates (or rebuilds and renames into place). */
  newTables: Set<string>;
  /** Per existing table, the columns this migration adds nullable and without a default. */
  nullableAdded: Map<string, Set<string>>;
  /** Later statements, for recognising SQLite's table rebuild. */
  rest: string[];
}

const verdict = (sql: string, kind: string, additive: boolean, target?: string): StatementVerdict =>
  target === undefined ? { sql, kind, additive } : { sql, kind, target, additive };

function alterTable(sql: string, scope: Scope): StatementVerdict[] {
  const m = new RegExp(`^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?(${NAME}) (.*)$`, 'is').exec(sql);
  if (!m?.[1] || m[2] === undefined) return [verdict(sql, 'alter table (not recognised)', false)];
  const table = unquote(m[1]);
  const actions = m[2];
  if (scope.newTables.has(table)) {
    const renamed = nameAt(actions, new RegExp(`^RENAME TO (${NAME})`, 'i'));
    if (renamed) scope.newTables.add(renamed);
    return [verdict(sql, 'alter a new table', true, table)];
  }
  if (/^RENAME\b/i.test(actions)) return [verdict(sql, 'rename', false, table)];
  return topLevelParts(actions).map((action): StatementVerdict => {
    const a = action.toUpperCase();
    if (/^ADD (CONSTRAINT|PRIMARY|UNIQUE|FOREIGN|CHECK|EXCLUDE)\b/.test(a)) {
      const added = scope.nullableAdded.get(table);
      const cols = columnsIn(action.replace(/^ADD CONSTRAINT \S+ /i, ''));
      const onNewColumn =
        /\b(FOREIGN KEY|UNIQUE)\b/.test(a) && cols.length > 0 && cols.some((c) => added?.has(c));
      return verdict(
        sql,
        onNewColumn ? 'add constraint on a new nullable column' : 'add constraint',
        onNewColumn,
        table,
      );
    }
    if (/^ADD\b/.test(a)) {
      const m = new RegExp(`^ADD (?:COLUMN )?(?:IF NOT EXISTS )?(${NAME})(.*)$`, 'is').exec(action);
      const col = m?.[1] ? unquote(m[1]) : undefined;
      const rest = (m?.[2] ?? action).toUpperCase();
      const notNull = /\bNOT NULL\b|\bPRIMARY KEY\b/.test(rest);
      const defaulted = /\bDEFAULT\b|\bGENERATED\b|\b(SMALL|BIG)?SERIAL\b/.test(rest);
      if (notNull && !defaulted) return verdict(sql, 'add column NOT NULL without default', false, table);
      if (/\bUNIQUE\b/.test(rest) && defaulted)
        return verdict(sql, 'add unique column with a default', false, table);
      if (!notNull && !defaulted && col) {
        const set = scope.nullableAdded.get(table) ?? new Set<string>();
        set.add(col);
        scope.nullableAdded.set(table, set);
      }
      return verdict(
        sql,
        notNull || defaulted ? 'add column with default' : 'add column (nullable)',
        true,
        table,
      );
    }
    if (/^DROP (COLUMN )?(IF EXISTS )?("|[A-Z_])/.test(a) && !/^DROP CONSTRAINT\b/.test(a))
      return verdict(sql, 'drop column', false, table);
    if (/^DROP CONSTRAINT\b/.test(a)) return verdict(sql, 'drop constraint', false, table);
    if (/^RENAME\b/.test(a)) return verdict(sql, 'rename', false, table);
    const altered = new RegExp(`^ALTER (?:COLUMN )?${NAME} (.*)$`, 'is').exec(action)?.[1];
    if (altered !== undefined) {
      const b = altered.toUpperCase();
      if (/^(SET DATA )?TYPE\b/.test(b)) return verdict(sql, 'change column type', false, table);
      if (/^SET NOT NULL\b/.test(b)) return verdict(sql, 'set NOT NULL', false, table);
      if (/^DROP NOT NULL\b/.test(b)) return verdict(sql, 'drop NOT NULL', false, table);
      if (/^DROP DEFAULT\b/.test(b)) return verdict(sql, 'drop default', false, table);
      if (/^SET DEFAULT\b/.test(b)) return verdict(sql, 'set default', true, table);
    }
    return verdict(sql, 'alter table (not recognised)', false, table);
  });
}

function classifyOne(sql: string, scope: Scope): StatementVerdict[] {
  const u = sql.toUpperCase();
  if (/^(PRAGMA|BEGIN|COMMIT|END|SET|SELECT|COMMENT ON)\b/.test(u))
    return [verdict(sql, 'no schema change', true)];
  if (/^CREATE (UNLOGGED |TEMP\w* )?TABLE\b/.test(u)) {
    const t = nameAt(sql, new RegExp(String.raw`^CREATE (?:\w+ )?TABLE (?:IF NOT EXISTS )?(${NAME})`, 'i'));
    if (t) scope.newTables.add(t);
    return [verdict(sql, 'create table', true, t)];
  }
  if (/^CREATE (UNIQUE )?INDEX\b/.test(u)) {
    const on = nameAt(sql, new RegExp(` ON (?:ONLY )?(${NAME})`, 'i'));
    const index = nameAt(sql, new RegExp(`INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?(${NAME}) ON `, 'i'));
    if (!u.startsWith('CREATE UNIQUE')) return [verdict(sql, 'create index', true, index)];
    if (on && scope.newTables.has(on))
      return [verdict(sql, 'create unique index on a new table', true, index)];
    const cols = columnsIn(sql.slice(sql.toUpperCase().indexOf(' ON ')));
    const added = on ? scope.nullableAdded.get(on) : undefined;
    if (cols.some((c) => added?.has(c)))
      return [verdict(sql, 'create unique index on a new nullable column', true, index)];
    return [verdict(sql, 'create unique index', false, index)];
  }
  if (/^CREATE (OR REPLACE )?(TYPE|SEQUENCE|FUNCTION|PROCEDURE|EXTENSION|SCHEMA|VIEW)\b/.test(u))
    return [
      verdict(
        sql,
        `create ${(/(TYPE|SEQUENCE|FUNCTION|PROCEDURE|EXTENSION|SCHEMA|VIEW)/.exec(u) as RegExpExecArray)[1]?.toLowerCase()}`,
        true,
      ),
    ];
  if (/^CREATE (OR REPLACE )?(CONSTRAINT )?(TEMP\w* )?TRIGGER\b/.test(u)) {
    const on = nameAt(sql, new RegExp(` ON (${NAME})`, 'i'));
    const onNew = on !== undefined && scope.newTables.has(on);
    return [verdict(sql, onNew ? 'create trigger on a new table' : 'create trigger', onNew, on)];
  }
  if (/^ALTER TABLE\b/.test(u)) return alterTable(sql, scope);
  if (/^ALTER TYPE\b/.test(u)) {
    const t = nameAt(sql, new RegExp(`^ALTER TYPE (${NAME})`, 'i'));
    // Prisma's client refuses a row holding an enum value its schema lacks ("Value 'X' not found in enum"):
    // an older replica fails on the first row a newer one writes with it.
    if (/ ADD VALUE\b/.test(u)) return [verdict(sql, 'add enum value', false, t)];
    return [verdict(sql, / RENAME\b/.test(u) ? 'rename' : 'alter type', false, t)];
  }
  if (/^ALTER \w+( \w+)? .* RENAME\b/.test(u)) return [verdict(sql, 'rename', false)];
  if (/^DROP TABLE\b/.test(u)) {
    const t = nameAt(sql, new RegExp(`^DROP TABLE (?:IF EXISTS )?(${NAME})`, 'i'));
    const rebuilt =
      t !== undefined &&
      scope.rest.some(
        (s) =>
          new RegExp(`^ALTER TABLE (${NAME}) RENAME TO (${NAME})$`, 'i').exec(s)?.[2] !== undefined &&
          unquote((new RegExp(`RENAME TO (${NAME})$`, 'i').exec(s) as RegExpExecArray)[1] as string) === t,
      );
    return [
      verdict(sql, rebuilt ? 'table rebuilt (SQLite: copied, dropped, renamed)' : 'drop table', false, t),
    ];
  }
  if (/^DROP\b/.test(u)) {
    const what = (/^DROP (\w+(?: VIEW)?)/.exec(u) as RegExpExecArray)[1]?.toLowerCase() ?? '';
    const t = nameAt(
      sql,
      new RegExp(String.raw`^DROP \w+(?: VIEW)? (?:CONCURRENTLY )?(?:IF EXISTS )?(${NAME})`, 'i'),
    );
    return [verdict(sql, `drop ${what}`, false, t)];
  }
  if (/^(INSERT|UPDATE|DELETE)\b/.test(u)) {
    const op = (/^(\w+)/.exec(u) as RegExpExecArray)[1]?.toLowerCase() ?? '';
    const t = nameAt(sql, new RegExp(`^(?:INSERT INTO|UPDATE|DELETE FROM) (?:ONLY )?(${NAME})`, 'i'));
    const onNew = t !== undefined && scope.newTables.has(t);
    return [verdict(sql, onNew ? `${op} into a new table` : `${op} rows`, op === 'insert' || onNew, t)];
  }
  return [verdict(sql, 'not recognised', false)];
}

/** Every statement of a migration script with its verdict, in order. */
export function classifyMigration(script: string): StatementVerdict[] {
  const statements = splitStatements(script);
  const scope: Scope = { newTables: new Set(), nullableAdded: new Map(), rest: [] };
  return statements.flatMap((sql, i) => {
    scope.rest = statements.slice(i + 1);
    return classifyOne(sql, scope);
  });
}

/** The statements that make a migration unsafe beside older replicas (none: it is additive). */
export function breakingStatements(script: string): StatementVerdict[] {
  return classifyMigration(script).filter((v) => !v.additive);
}

/** "drop index "CaseAssignment_caseId_fromOn_idx"": a statement's kind and object, for one line. */
export function describeStatement(v: StatementVerdict): string {
  return v.target === undefined ? v.kind : `${v.kind} "${v.target}"`;
}
