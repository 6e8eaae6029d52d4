# Already migrated to the Generic Integration URL, but still reads the old response body.
import httpx

ACCOUNT = "ab12c"


def trigger(key: str, payload: dict) -> str:
    url = f"https://events.zenduty.com/integration/{ACCOUNT}/generic/{key}/"
    r = httpx.post(url, json=payload, timeout=10)
    r.raise_for_status()
    return r.json()["unique_id"]  # expect: legacy-response


def trigger_env(payload):
    session = httpx.Client()
    endpoint = os.environ["ZENDUTY_WEBHOOK_URL"]
    data = session.post(endpoint, json=payload).json()
    return data["integration_object"]["name"], data["status"]  # expect: legacy-response
