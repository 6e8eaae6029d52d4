#!/usr/bin/env bash
# Raise a Zenduty alert from CI.
set -euo pipefail

ZENDUTY_URL="https://www.zenduty.com/api/events/${ZD_KEY}/"

id=$(curl -sS -X POST "$ZENDUTY_URL" \
  -H 'Content-Type: application/json' \
  -d '{"message":"deploy failed","alert_type":"critical"}' | jq -r '.unique_id') # expect: legacy-response
echo "alert $id"

code=$(curl -s -o /dev/null -w '%{http_code}' --data @alert.json "https://events.zenduty.com/integration/ab12c/generic/${ZD_KEY}/")
if [ "$code" -ne 201 ]; then # expect: legacy-response
  echo "zenduty rejected the alert" >&2
fi

resp=$(curl -s --json "$(jq -n --arg m "$MSG" '{message: $m}')" "$ZENDUTY_URL")
echo "$resp" | jq '.integration_object.name' # expect: legacy-response
