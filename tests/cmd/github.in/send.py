requests.post(f"https://events.zenduty.com/api/events/{KEY}/")
