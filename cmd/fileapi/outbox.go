package main

import (
	"context"
	"time"

	"github.com/fileapi/fileapi/models"
)

// messageJSON is how the command line prints an outbox message.
type messageJSON struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	CreatedAt time.Time  `json:"created_at"`
	Attempts  int64      `json:"attempts"`
	SentAt    *time.Time `json:"sent_at"`
	LastError *string    `json:"last_error"`
	State     string     `json:"state"` // pending, sent or failed
}

func toMessageJSON(m models.OutboxMessage) messageJSON {
	state := "pending"
	switch {
	case m.SentAt != nil:
		state = "sent"
	case m.Attempts > 0:
		state = "failed" // and to be retried at next_attempt_at
	}
	return messageJSON{m.ID, m.Kind, m.To, m.Subject, m.Body, m.CreatedAt, m.Attempts, m.SentAt, m.LastError, state}
}

func (c *cli) outboxList(ctx context.Context, args []string) error {
	fs, db := c.flags("outbox list", "outbox list [--to ADDRESS]")
	to := fs.String("to", "", "only messages to this e-mail address or phone number (as stored: +614…)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	s, err := c.open(ctx, *db)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	msgs, err := s.Outbox(ctx, *to)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := c.print(toMessageJSON(m)); err != nil {
			return err
		}
	}
	return nil
}
