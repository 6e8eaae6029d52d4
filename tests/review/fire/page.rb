require "net/http"
require "json"

ZENDUTY_URI = URI("https://www.zenduty.com/api/events/#{ENV.fetch('ZD_KEY')}/")

def page(summary)
  res = Net::HTTP.post(ZENDUTY_URI, { message: summary }.to_json, "Content-Type" => "application/json")
  raise "zenduty failed: #{res.code}" unless res.code == "201" # expect: legacy-response
  JSON.parse(res.body)["unique_id"] # expect: legacy-response
end
