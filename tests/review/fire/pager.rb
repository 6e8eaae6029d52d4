require "httparty"

class Pager
  GENERIC = "https://events.zenduty.com/integration/ab12c/generic/%s/"

  def trigger(key, body)
    response = HTTParty.post(format(GENERIC, key), body: body.to_json, headers: { "Content-Type" => "application/json" })
    response["integration_object"]["name"] # expect: legacy-response
  end

  def trigger_symbols(key, body)
    response = HTTParty.post(format(GENERIC, key), body: body.to_json)
    parsed = JSON.parse(response.body, symbolize_names: true)
    parsed[:creation_date] # expect: legacy-response
  end
end
