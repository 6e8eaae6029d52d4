#!/usr/bin/env bash
# The legacy API returned .unique_id and .creation_date; we poll the status instead.
GENERIC_URL="https://events.zenduty.com/integration/ab12c/generic/${ZD_KEY}/"

payload=$(jq -n --arg id "$ID" '{message: "x", unique_id: $id}')
trace=$(curl -s -X POST "$GENERIC_URL" -d "$payload" | jq -r .trace_id)
curl -s "https://events.zenduty.com/api/alert/status/${trace}" | jq -r '.status'

ticket=$(curl -s -X POST https://tickets.example.com/api -d @t.json | jq -r .unique_id)
cat <<EOF2
Example legacy answer: {"unique_id": "x"} | jq .unique_id
EOF2
