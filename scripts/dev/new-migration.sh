#!/usr/bin/env bash
# Add a migration for BOTH providers after editing prisma/models.prisma:
#   scripts/dev/new-migration.sh add_something
# Each migration is the diff from the provider's migration history to its schema (`prisma migrate diff`,
# which replays the history on a shadow database through the WebAssembly engine; `migrate dev` cannot
# create a SQLite migration through it). Serialised with a lock so two developers on one machine never
# diff against the same base. Needs a PostgreSQL server for the shadow (MIGRATE_POSTGRES_URL, default the
# local 127.0.0.1:5432 with trust auth).
set -euo pipefail
cd "$(dirname "$0")/../.."
name="${1:?usage: new-migration.sh <name>}"
[[ "$name" =~ ^[a-z0-9_]+$ ]] || { echo "migration name: lower case, digits and _ only" >&2; exit 2; }
exec 9>/tmp/sendhub-schema.lock
flock 9
node scripts/prisma-schemas.mjs
stamp="$(date -u +%Y%m%d%H%M%S)"
made=0
mkdir -p data
for provider in sqlite postgres; do
  # The server the shadow database is made on (a temporary database, dropped afterwards).
  if [ "$provider" = sqlite ]; then url="file:./data/migrate-dev.db"
  else url="${MIGRATE_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}"; fi
  sql="$(DATABASE_URL="$url" npx prisma migrate diff --config "prisma.$provider.config.ts" \
    --from-migrations "prisma/$provider/migrations" --to-schema "prisma/$provider/schema.prisma" --script)"
  if ! grep -qvE '^\s*(--.*)?$' <<<"$sql"; then
    echo "$provider: the schema already matches its migrations; nothing to add"
    continue
  fi
  dir="prisma/$provider/migrations/${stamp}_$name"
  mkdir -p "$dir"
  printf '%s\n' "$sql" >"$dir/migration.sql"
  echo "$provider: wrote $dir/migration.sql"
  made=1
done
npx prisma generate --config prisma.sqlite.config.ts >/dev/null
npx prisma generate --config prisma.postgres.config.ts >/dev/null
[ "$made" = 1 ] && echo "review the SQL, then: npm run db:drift (expects no difference)"
