const GENERIC = `https://events.zenduty.com/integration/ab12c/generic/${process.env.ZD_KEY}/`;

export async function raise(summary: string) {
  const r = await fetch(GENERIC, { method: "POST", body: JSON.stringify({ message: summary }) });
  const { trace_id } = await r.json();
  const s = await fetch(`https://events.zenduty.com/api/alert/status/${trace_id}`);
  const body = await s.json();
  /* the legacy API returned { unique_id, creation_date } and 201 */
  return body.status === "processed" ? body : null;
}

export function buildBody(alert: { unique_id: string }) {
  return { message: "again", ...alert, entity_id: alert.unique_id };
}
