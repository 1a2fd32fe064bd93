#!/usr/bin/env bash
# Add a migration for BOTH providers after editing prisma/models.prisma:
#   scripts/dev/new-migration.sh add_something
# Serialised with a lock so two developers on one machine never diff against the same base.
# Needs the local PostgreSQL (127.0.0.1:5432, trust auth) for the PostgreSQL migration.
set -euo pipefail
cd "$(dirname "$0")/../.."
name="${1:?usage: new-migration.sh <name>}"
exec 9>/tmp/sendhub-schema.lock
flock 9
node scripts/prisma-schemas.mjs
npx prisma generate --config prisma.sqlite.config.ts >/dev/null
npx prisma generate --config prisma.postgres.config.ts >/dev/null
mkdir -p data
DATABASE_URL="file:./data/migrate-dev.db" npx prisma migrate dev --config prisma.sqlite.config.ts --name "$name"
DATABASE_URL="postgresql://postgres@127.0.0.1:5432/send_hub_migrate" npx prisma migrate dev --config prisma.postgres.config.ts --name "$name"
echo "migrations for $name created for sqlite and postgres"
