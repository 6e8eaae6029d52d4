import requests

ZENDUTY_URL = "https://events.zenduty.com/api/events/KEY/"


def resend(alert_id, previous):
    body = {"message": "disk full", "summary": "disk", "unique_id": alert_id}
    body["unique_id"] = alert_id
    requests.post(ZENDUTY_URL, json=body)
    retry = {"message": "again"}
    retry["creation_date"] = previous["creation_date"]
    fields = ["unique_id", "creation_date"]
    requests.post(ZENDUTY_URL, json={"entity_id": previous["unique_id"], "fields": fields})
    # The old response carried resp.json()["unique_id"]; the Generic one does not.
    return None
