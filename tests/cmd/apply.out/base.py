base = "https://events.zenduty.com/integration/ab12c/generic"
