#!/usr/bin/env bash
# `npm run db:drift`: do the migrations of each provider produce exactly its schema? Exit 2 when not.
# The shadow databases: a SQLite file under data/, and a temporary database on MIGRATE_POSTGRES_URL's
# server (default the local 127.0.0.1:5432, trust auth), dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
node scripts/prisma-schemas.mjs --check
mkdir -p data
for provider in sqlite postgres; do
  if [ "$provider" = sqlite ]; then url="file:./data/migrate-dev.db"
  else url="${MIGRATE_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}"; fi
  DATABASE_URL="$url" npx prisma migrate diff --config "prisma.$provider.config.ts" \
    --from-migrations "prisma/$provider/migrations" --to-schema "prisma/$provider/schema.prisma" --exit-code
done
