"""Page the on-call through Zenduty's API Integration."""
import os

import requests

ZENDUTY_URL = "https://www.zenduty.com/api/events/" + os.environ["ZD_KEY"] + "/"


def send(summary):
    resp = requests.post(ZENDUTY_URL, json={"message": summary, "alert_type": "critical"})
    if resp.status_code == 201:  # expect: legacy-response
        alert = resp.json()
        print("created", alert["unique_id"])  # expect: legacy-response
        return alert.get("creation_date")  # expect: legacy-response
    return None
