package alerting

import (
	"encoding/json"
	"net/http"
)

const genericURL = "https://events.zenduty.com/integration/ab12c/generic/KEY/"

// The legacy endpoint answered with `json:"unique_id"`; the Generic one answers a trace id.
type traceResponse struct {
	Message string `json:"message"`
	TraceID string `json:"trace_id"`
}

type statusResponse struct {
	Status string `json:"status"`
}

type ticket struct {
	UniqueID string `json:"unique_id"`
}

func Send(body []byte) (string, error) {
	resp, err := http.Post(genericURL, "application/json", nil)
	if err != nil {
		return "", err
	}
	var tr traceResponse
	json.NewDecoder(resp.Body).Decode(&tr)
	st, err := http.Get("https://events.zenduty.com/api/alert/status/" + tr.TraceID)
	if err != nil {
		return "", err
	}
	var m map[string]string
	json.NewDecoder(st.Body).Decode(&m)
	return m["status"], nil
}

func CreateTicket() string {
	resp, _ := http.Post("https://tickets.example.com/api/tickets", "application/json", nil)
	var t ticket
	json.NewDecoder(resp.Body).Decode(&t)
	return t.UniqueID
}
