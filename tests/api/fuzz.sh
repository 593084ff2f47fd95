#!/usr/bin/env bash
# API fuzzing: schemathesis against the running studio's own OpenAPI
# document, once as an officer and once as a reviewer (each role reaches
# other operations). Fails on any 5xx, status code, content type, header or
# response body that the document does not describe.
# Usage: tests/api/fuzz.sh BASE_URL OFFICER_TOKEN REVIEWER_TOKEN [EXAMPLES]
set -euo pipefail
base=$1 officer=$2 reviewer=$3 examples=${4:-25}
st=${SCHEMATHESIS:-schemathesis}
doc=$(mktemp --suffix=.json)
trap 'rm -f "$doc"' EXIT
# The document itself needs credentials (like every API call).
curl -fsS -H "Authorization: Bearer $officer" "$base/api/v1/openapi.json" >"$doc"
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
for token in "$officer" "$reviewer"; do
  "$st" run "$doc" --url "$base" -H "Authorization: Bearer $token" \
    --checks "$checks" --max-examples "$examples" --phases examples,coverage,fuzzing \
    --workers 2 --seed 20261202 --no-color --warnings off
done
