import axios from "axios";

interface ZendutyAlert {
  unique_id: string;
  creation_date: string;
}

const GENERIC = "https://events.zenduty.com/integration/ab12c/generic/" + process.env.ZD_KEY + "/";

export async function raise(summary: string): Promise<string> {
  const { data } = await axios.post<ZendutyAlert>(GENERIC, { message: summary });
  return data.unique_id + " " + data.creation_date; // expect: legacy-response
}

export async function raiseFetch(summary: string) {
  const id = (await (await fetch(GENERIC, { method: "post", body: JSON.stringify({ summary }) })).json()).unique_id; // expect: legacy-response
  return id;
}
