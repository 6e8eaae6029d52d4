import { EventsApi, ApiClient } from "zenduty-sdk";

export function notify(key: string): void {
  new EventsApi(new ApiClient(process.env.ZENDUTY_TOKEN ?? "")).createEvent(key, { message: "x" }); // expect: legacy-sdk
}
