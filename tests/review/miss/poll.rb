require "faraday"
require "json"

GENERIC = "https://events.zenduty.com/integration/ab12c/generic/KEY/"

def page(body)
  res = Faraday.post(GENERIC, body.to_json, "Content-Type" => "application/json")
  trace = JSON.parse(res.body)["trace_id"]
  st = Faraday.get("https://events.zenduty.com/api/alert/status/#{trace}")
  JSON.parse(st.body)["status"]
end

=begin
Legacy: JSON.parse(res.body)["unique_id"]
=end

def calendar(cal, body)
  # require "zenduty" is not here, so this create_event is someone else's
  cal.create_event(body)
end
