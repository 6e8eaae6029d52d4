package alerting

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

const zendutyURL = "https://www.zenduty.com/api/events/%s/"

type alertResponse struct {
	UniqueID     string `json:"unique_id"` // expect: legacy-response
	Message      string `json:"message"`
	CreationDate string `json:"creation_date,omitempty"` // expect: legacy-response
}

// Send posts an alert and returns its id.
func Send(key string, body []byte) (string, error) {
	resp, err := http.Post(fmt.Sprintf(zendutyURL, key), "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated { // expect: legacy-response
		return "", fmt.Errorf("zenduty: %s", resp.Status)
	}
	var out alertResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	return out.UniqueID, nil
}

// SendGeneric posts to the Generic Integration but still decodes the legacy body.
func SendGeneric(account, key string, body []byte) (string, error) {
	url := fmt.Sprintf("https://events.zenduty.com/integration/%s/generic/%s/", account, key)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		return "", err
	}
	id, _ := m["unique_id"].(string) // expect: legacy-response
	return id, nil
}
