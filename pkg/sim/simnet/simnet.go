// Package simnet is an in-memory network for tests of the simulator: HTTP
// over net.Pipe connections instead of TCP sockets. Inside a synctest
// bubble a goroutine waiting on a pipe is durably blocked, which one
// waiting on a socket never is, so synctest.Wait can tell when a server
// and its clients have nothing left to do.
package simnet

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Listener is a net.Listener of in-memory connections: the server end of
// each pipe Dial makes.
type Listener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

var _ net.Listener = (*Listener)(nil)

// NewListener returns a listener with no connection yet.
func NewListener() *Listener {
	return &Listener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// Accept waits for the next Dial.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close makes Accept and Dial fail from now on.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr is the listener's address; servers on it are at http://simulator.test.
func (l *Listener) Addr() net.Addr { return addr{} }

// Dial is an http.Transport's DialContext: whatever the address, a new
// pipe to the listener.
func (l *Listener) Dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Client is an HTTP client whose every connection is a pipe to l; close
// its idle connections when done (Transport.CloseIdleConnections).
func (l *Listener) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: l.Dial}}
}

// Serve serves h in memory until the test ends, and returns the client
// that reaches it (whatever the URL's host).
func Serve(t testing.TB, h http.Handler) *http.Client {
	t.Helper()
	ln := NewListener()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	client := ln.Client()
	t.Cleanup(func() {
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("shut down in-memory server: %v", err)
		}
		<-done
		client.CloseIdleConnections()
	})
	return client
}

type addr struct{}

func (addr) Network() string { return "pipe" }
func (addr) String() string  { return "simulator.test" }
