// Receives Zenduty outgoing webhooks (POSTed to us): reading unique_id here is fine.
const express = require("express");
const app = express();

app.post("/hooks/zenduty", (req, res) => {
  console.log(req.body.unique_id, req.body.creation_date);
  res.sendStatus(200);
});
