package simnet

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"testing/synctest"
)

func TestServe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, r.Method+" "+r.URL.Path)
		}))
		for _, url := range []string{"http://simulator.test/a", "http://any.host:8080/b"} {
			resp, err := c.Get(url)
			if err != nil {
				t.Fatalf("GET %s: %v", url, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if want := "GET " + resp.Request.URL.Path; string(body) != want {
				t.Errorf("GET %s: %q, want %q", url, body, want)
			}
		}
		// Idle: the server and the client's connection wait on pipes, which
		// synctest counts as durably blocked.
		synctest.Wait()
	})
}

func TestListenerClosed(t *testing.T) {
	ln := NewListener()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ln.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
	}
	if _, err := ln.Dial(context.Background(), "tcp", "simulator.test:80"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Dial after Close: %v, want net.ErrClosed", err)
	}
	if got := ln.Addr().String(); got != "simulator.test" {
		t.Errorf("Addr = %q, want simulator.test", got)
	}
}

func TestDialCancelled(t *testing.T) {
	ln := NewListener()
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ln.Dial(ctx, "tcp", "simulator.test:80"); !errors.Is(err, context.Canceled) {
		t.Errorf("Dial with a cancelled context and no Accept: %v, want context.Canceled", err)
	}
}
