package main

import (
	"fmt"
	"os"

	"github.com/Zenduty/zenduty-go-sdk/client"
)

func main() {
	c, err := client.NewClient(&client.Config{Token: os.Getenv("ZENDUTY_TOKEN")})
	if err != nil {
		panic(err)
	}
	resp, err := c.Events.SendAlert(os.Getenv("ZD_KEY"), &client.AlertPayload{ // expect: legacy-sdk
		Message:   "disk full",
		AlertType: "critical",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.UniqueID)
}
