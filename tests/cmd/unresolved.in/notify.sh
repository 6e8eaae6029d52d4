curl -X POST https://www.zenduty.com/api/events/$ZD_KEY/
