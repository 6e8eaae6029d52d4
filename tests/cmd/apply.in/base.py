base = "https://www.zenduty.com/api/events"
