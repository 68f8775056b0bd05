package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	netmail "net/mail"
	"net/url"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/fileapi/fileapi/handlers"
	"github.com/fileapi/fileapi/models"
)

// Sender timing: the outbox is polled every second and claimed 10 messages at a time, and no delivery may
// hold the loop (or a shutdown) for longer than deliverTimeout. A claim is leased for long enough to deliver
// the whole batch; a sender that dies leaves its messages to the others once the lease has run out.
const (
	sendInterval   = time.Second
	sendBatch      = 10
	deliverTimeout = 10 * time.Second
	// defaultLease is how long a claim holds: a batch's deliveries and their records, with room to spare.
	defaultLease = sendBatch*(deliverTimeout+markTimeout) + 30*time.Second
	// markTimeout bounds recording the outcome of a delivery, which must happen even while shutting down.
	markTimeout = 10 * time.Second
	// defaultFrom is the sender address when the SMTP URL names none.
	defaultFrom = "fileapi@localhost"
)

// Usage texts of the delivery settings: they never contain the configured value, which may hold a password.
const (
	smtpURLUsage    = "serve: --smtp-url must be smtp://, smtps:// or smtp+insecure://[USER:PASSWORD@]HOST[:PORT][?from=ADDRESS]"
	webhookURLUsage = "serve: --sms-webhook-url must be an http or https URL with a host"
)

// delivery is where messages go: over SMTP and to an SMS webhook when configured, to the log otherwise.
type delivery struct {
	smtp    *smtpServer // nil: e-mail is written to the log
	webhook string      // "": SMS is written to the log
}

// smtpServer is a parsed FILEAPI_SMTP_URL.
type smtpServer struct {
	host string
	port int
	from string
	opts []mail.Option // TLS policy and authentication
}

// parseDelivery checks FILEAPI_SMTP_URL and FILEAPI_SMS_WEBHOOK_URL ("" turns a transport off). Its errors
// are usage errors that never echo the URL, since both may carry credentials.
func parseDelivery(smtpURL, webhookURL string) (delivery, error) {
	var d delivery
	if smtpURL != "" {
		srv, err := parseSMTPURL(smtpURL)
		if err != nil {
			return delivery{}, err
		}
		d.smtp = srv
	}
	if webhookURL != "" {
		u, err := url.Parse(webhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return delivery{}, usageError{webhookURLUsage}
		}
		d.webhook = webhookURL
	}
	return d, nil
}

// parseSMTPURL reads the SMTP URL. Its forms:
//
//	smtp://USER:PASSWORD@HOST:PORT?from=ADDRESS           STARTTLS, required: a server that does not offer it is refused, so nobody on the way can strip it (port 587 by default)
//	smtps://USER:PASSWORD@HOST:PORT?from=ADDRESS          implicit TLS (port 465 by default)
//	smtp+insecure://USER:PASSWORD@HOST:PORT?from=ADDRESS  plain text, no TLS, for local test servers (port 25 by default)
//
// USER:PASSWORD (URL-escaped) is optional: without it no AUTH is sent. Over smtp:// and smtps:// the
// mechanism is discovered, and a password-revealing one (PLAIN, LOGIN) is used only on an encrypted
// connection; smtp+insecure:// sends PLAIN in the clear, which is what local test servers accept. ADDRESS is
// the From address, fileapi@localhost by default.
func parseSMTPURL(raw string) (*smtpServer, error) {
	bad := usageError{smtpURLUsage}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" || u.Opaque != "" {
		return nil, bad // url.Parse's error quotes the whole URL, password included
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, bad
	}
	for k := range q {
		if k != "from" {
			return nil, usageError{fmt.Sprintf("serve: --smtp-url: unknown parameter %q (only from is known)", k)}
		}
	}
	from := defaultFrom
	if f := q.Get("from"); f != "" {
		a, err := netmail.ParseAddress(f)
		if err != nil || a.Address != f {
			return nil, usageError{"serve: --smtp-url: from must be a bare e-mail address, e.g. ?from=noreply@example.com"}
		}
		from = f
	}
	s := &smtpServer{host: u.Hostname(), from: from}
	auth := mail.SMTPAuthAutoDiscover
	switch u.Scheme {
	case "smtp":
		s.port = mail.DefaultPortTLS
		s.opts = append(s.opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "smtps":
		s.port = mail.DefaultPortSSL
		s.opts = append(s.opts, mail.WithSSL())
	case "smtp+insecure":
		s.port = mail.DefaultPort
		s.opts = append(s.opts, mail.WithTLSPolicy(mail.NoTLS))
		auth = mail.SMTPAuthPlainNoEnc
	default:
		return nil, bad
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, bad
		}
		s.port = n
	}
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		s.opts = append(s.opts, mail.WithSMTPAuth(auth), mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	s.opts = append(s.opts, mail.WithPort(s.port), mail.WithTimeout(deliverTimeout))
	return s, nil
}

// sender delivers the outbox. Messages are written in the same transaction as the change that causes them;
// the sender only reads what is committed, so a crash between the write and the send loses nothing: the next
// start, or another instance, sends it. Every instance runs a sender; each claims the messages it delivers
// (models.Store.ClaimMessages), so each message is delivered by one of them. A message is sent twice only
// when a sender delivers it and then fails to record that (it crashes, or the database is out of reach, in
// between), or takes longer than the lease over it: the message is then claimable again and another sender
// delivers it too. At least once, never lost.
type sender struct {
	delivery
	store    *models.Store
	log      *slog.Logger
	client   *http.Client
	interval time.Duration
	lease    time.Duration
	metrics  *handlers.Metrics
}

// newSender makes a sender that delivers the store's outbox as d says.
func newSender(s *models.Store, log *slog.Logger, d delivery) *sender {
	return &sender{delivery: d, store: s, log: log, client: &http.Client{Timeout: deliverTimeout}, interval: sendInterval,
		lease: defaultLease}
}

// run delivers pending messages once at start and then every interval, until ctx is done. A message being
// delivered when ctx ends is finished (within deliverTimeout) and its outcome recorded before run returns.
func (s *sender) run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	failing := false // the store could not be read at the last tick: log only the change, not every second
	for {
		err := s.sendPending(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			s.log.Error("outbox: cannot read pending messages; retrying every tick", slog.String("error", describe(err)))
			failing = true
		case err == nil && failing:
			s.log.Info("outbox: pending messages readable again")
			failing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sendPending claims due messages a batch at a time and delivers them, recording each outcome, until none is
// due. Messages it claimed but did not get to before ctx ended are given back at once.
func (s *sender) sendPending(ctx context.Context) error {
	for ctx.Err() == nil {
		msgs, err := s.store.ClaimMessages(ctx, sendBatch, s.lease)
		if err != nil || len(msgs) == 0 {
			return err
		}
		for i, m := range msgs {
			if ctx.Err() != nil {
				s.release(ctx, msgs[i:])
				return nil
			}
			s.send(ctx, m)
		}
		if len(msgs) < sendBatch {
			return nil
		}
	}
	return nil
}

// release gives back the claim of messages not delivered. Should that fail, they are claimable again when
// the lease runs out.
func (s *sender) release(ctx context.Context, msgs []models.OutboxMessage) {
	if len(msgs) == 0 || msgs[0].Claim == nil {
		return
	}
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if err := s.store.ReleaseMessages(mctx, *msgs[0].Claim); err != nil {
		s.log.Warn("outbox: cannot give back claimed messages; they are taken again when the lease runs out",
			slog.String("error", describe(err)))
	}
}

// send delivers one message and records the outcome. Neither is cut short by ctx: a shutdown waits for the
// message in flight, so that it is not sent again at the next start.
func (s *sender) send(ctx context.Context, m models.OutboxMessage) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deliverTimeout)
	err := s.deliver(dctx, m)
	cancel()
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	s.metrics.Delivered(m.Kind, err == nil)
	if err != nil {
		s.log.Warn("outbox delivery failed", slog.Int64("id", m.ID), slog.String("kind", m.Kind),
			slog.Int64("attempts", m.Attempts+1), slog.String("error", err.Error()))
		// err never holds a secret: transports build their own messages without URLs or credentials.
		if err := s.store.MarkFailed(mctx, m.ID, err.Error(), time.Time{}); err != nil {
			s.log.Error("outbox: cannot record a failed delivery", slog.Int64("id", m.ID), slog.String("error", describe(err)))
		}
		return
	}
	if err := s.store.MarkSent(mctx, m.ID); err != nil {
		// It stays pending and is sent again: a duplicate rather than a loss.
		s.log.Error("outbox: cannot record a delivery", slog.Int64("id", m.ID), slog.String("error", describe(err)))
	}
}

// deliver sends one message by the transport configured for its kind.
func (s *sender) deliver(ctx context.Context, m models.OutboxMessage) error {
	switch {
	case m.Kind == models.MessageEmail && s.smtp != nil:
		return s.smtp.send(ctx, m)
	case m.Kind == models.MessageSMS && s.webhook != "":
		return s.sendWebhook(ctx, m)
	case m.Kind == models.MessageEmail || m.Kind == models.MessageSMS:
		s.deliverToLog(m)
		return nil
	}
	return fmt.Errorf("unknown message kind %q", m.Kind)
}

// deliverToLog writes the whole message to the log. The body carries one-time codes and password-reset
// links: that is the point in development, where the log is the only mailbox, and why this is the one place
// that logs a body. It is never used once SMTP or the SMS webhook is configured for the kind.
func (s *sender) deliverToLog(m models.OutboxMessage) {
	s.log.Info("outbox delivered to log", slog.Int64("id", m.ID), slog.String("kind", m.Kind),
		slog.String("to", m.To), slog.String("subject", m.Subject), slog.String("body", m.Body))
}

// send delivers an e-mail as plain text.
func (s *smtpServer) send(ctx context.Context, m models.OutboxMessage) error {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("smtp: from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("smtp: recipient address: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp %s:%d: %w", s.host, s.port, err)
	}
	return nil
}

// smsPayload is the JSON body POSTed to the SMS webhook.
type smsPayload struct {
	To   string `json:"to"`
	Body string `json:"body"`
}

// sendWebhook POSTs an SMS to the webhook; any answer but 2xx is a failure. Its errors leave out the URL,
// which may carry a token.
func (s *sender) sendWebhook(ctx context.Context, m models.OutboxMessage) error {
	b, err := json.Marshal(smsPayload{To: m.To, Body: m.Body})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.webhook, bytes.NewReader(b))
	if err != nil {
		return errors.New("sms webhook: cannot build the request")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("sms webhook: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("sms webhook answered %s", resp.Status)
	}
	return nil
}
