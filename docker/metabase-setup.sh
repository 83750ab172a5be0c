#!/bin/sh
# One-shot: finish Metabase's first-run setup and register the warehouse as the read-only
# chiso_bi role (Metabase cannot add a database from environment variables). Idempotent: once
# Metabase is set up, the setup token is gone and this exits quietly.
set -eu
MB=${MB_URL:-http://metabase:3000}
until curl -fsS "$MB/api/health" >/dev/null 2>&1; do sleep 5; done
token=$(curl -fsS "$MB/api/session/properties" | sed -n 's/.*"setup-token":"\([^"]*\)".*/\1/p')
if [ -z "$token" ]; then echo "metabase already set up"; exit 0; fi
curl -fsS -X POST "$MB/api/setup" -H 'Content-Type: application/json' -d "{
  \"token\": \"$token\",
  \"user\": {\"email\": \"${MB_ADMIN_EMAIL}\", \"password\": \"${MB_ADMIN_PASSWORD}\",
             \"first_name\": \"chiso\", \"last_name\": \"admin\", \"site_name\": \"chiso\"},
  \"database\": {\"engine\": \"postgres\", \"name\": \"chiso marts\",
                 \"details\": {\"host\": \"warehouse\", \"port\": 5432, \"dbname\": \"chiso\",
                             \"user\": \"chiso_bi\", \"password\": \"${CHISO_BI_PASSWORD}\",
                             \"schema-filters-type\": \"inclusion\",
                             \"schema-filters-patterns\": \"marts\"}},
  \"prefs\": {\"site_name\": \"chiso\", \"allow_tracking\": false}
}" >/dev/null
echo "metabase set up: warehouse registered as chiso_bi (schema marts)"
