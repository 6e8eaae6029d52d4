require "zenduty"

events = Zenduty::EventsApi.new(ENV["ZENDUTY_TOKEN"])
events.create_event(ENV["ZD_KEY"], { "message" => "disk full", "summary" => "disk" }) # expect: legacy-sdk
Zenduty::EventsApi.new(ENV["ZENDUTY_TOKEN"]).create_event ENV["ZD_KEY"], { "message" => "m" } # expect: legacy-sdk
