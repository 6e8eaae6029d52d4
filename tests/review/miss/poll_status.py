import time

import requests

GENERIC_URL = "https://events.zenduty.com/integration/ab12c/generic/KEY/"


def send(body):
    r = requests.post(GENERIC_URL, json=body)
    trace_id = r.json()["trace_id"]
    for _ in range(10):
        s = requests.get(f"https://events.zenduty.com/api/alert/status/{trace_id}")
        if s.json()["status"] == "processed":
            return s.json().get("status")
        time.sleep(1)
    return None
