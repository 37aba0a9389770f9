package gmail_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

// TestWatcherManyDevices: twelve devices confirmed concurrently over one
// IMAP login, with noise in the inbox, one message already there before
// its Wait, and one that never comes.
func TestWatcherManyDevices(t *testing.T) {
	srv, ca := startStandin(t, standin.Options{Addr: "127.0.41.2"})
	host, imapPort := hostPort(t, srv.IMAPAddr)
	app := gmail.MustAppPassword(testAppPassword)

	// Before the watch window: must not count.
	early, _ := gmail.PlusAddress(testAccount, gmail.NewToken("EARLY"))
	sendVia(t, srv, ca, "old@printers.example", []string{early}, "too early")
	time.Sleep(1100 * time.Millisecond)
	since := time.Now()

	w, err := gmail.Watch(context.Background(), gmail.WatchOptions{Account: testAccount, Password: app, Host: host, Port: imapPort,
		CAFile: ca, Since: since, Interval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	loginsAfterWatch := srv.IMAPLogins()

	const n = 12
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i], _ = gmail.PlusAddress(testAccount, gmail.NewToken(fmt.Sprintf("DEV%02d", i)))
	}
	// Device 0's message is in before anyone waits for it.
	sendVia(t, srv, ca, "dev00@printers.example", []string{addrs[0]}, "scan 0")

	var wg sync.WaitGroup
	results := make([]gmail.Arrival, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			timeout := 10 * time.Second
			if i == n-1 {
				timeout = 800 * time.Millisecond // never sent
			}
			results[i], errs[i] = w.Wait(context.Background(), addrs[i], timeout)
		}(i)
	}
	for i := 1; i < n-1; i++ {
		sendVia(t, srv, ca, "noise@printers.example", []string{"someone@example.org"}, "noise")
		sendVia(t, srv, ca, fmt.Sprintf("dev%02d@printers.example", i), []string{addrs[i]}, fmt.Sprintf("scan %d", i))
	}
	wg.Wait()
	for i := 0; i < n-1; i++ {
		if errs[i] != nil {
			t.Errorf("device %d: %v", i, errs[i])
			continue
		}
		if results[i].From != fmt.Sprintf("dev%02d@printers.example", i) || results[i].Subject != fmt.Sprintf("scan %d", i) || results[i].Matches != 1 {
			t.Errorf("device %d: %+v", i, results[i])
		}
	}
	if !errors.Is(errs[n-1], gmail.ErrNotArrived) {
		t.Errorf("never-sent device: %v", errs[n-1])
	}
	if _, err := w.Wait(context.Background(), early, 300*time.Millisecond); !errors.Is(err, gmail.ErrNotArrived) {
		t.Errorf("message from before Since counted: %v", err)
	}
	if got := srv.IMAPLogins() - loginsAfterWatch; got != 0 {
		t.Errorf("%d extra IMAP logins: the watcher should use one connection", got)
	}

	_, err = gmail.Watch(context.Background(), gmail.WatchOptions{Account: testAccount, Password: gmail.MustAppPassword("zzzz zzzz zzzz zzzz"),
		Host: host, Port: imapPort, CAFile: ca})
	if !errors.Is(err, gmail.ErrMailboxLogin) {
		t.Errorf("Watch with a wrong password: %v", err)
	}
}
