package main

// Not the Zenduty SDK: our own pager with the same method names.
import "example.com/pager"

func main() {
	c := pager.New()
	c.Events.SendAlert("key", nil)
}
